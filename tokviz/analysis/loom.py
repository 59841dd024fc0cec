"""tokviz.loom: the tree of what the model could say after a prompt, with exact probabilities.

Decoding is search over |V|^t continuations; the loom shows the part of that space holding most of the
probability, and the paths greedy decoding, beam search and sampling take through it.
"""

from __future__ import annotations

from ..backends.protocol import TOKEN_IDS, check_backend, require
from ..checks import check_int, check_real
from ..core.encoding import encode
from ..core.loom_tree import LoomNode, LoomPath, LoomTree
from ..errors import InvalidInputError
from . import loom_paths
from .loom_growth import expand_nodes, expandable, grow, most_probable_first


class Loom(LoomTree):
    """A loom (see tokviz.loom). Nodes: `loom[i]` (0 = the prompt); `covered_mass()`; `paths`: marked paths.
    `lm` is the model it grows with (None for a loom loaded without one: it can be drawn, not grown)."""

    def __init__(self, *args, lm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lm = lm

    def _model(self, what: str):
        if self.lm is None:
            raise InvalidInputError(f"{what} needs the model: load the loom with Loom.from_json(data, lm=...)")
        return self.lm

    def expand(self, node=0) -> list[LoomNode]:
        """Grow one node further: its children by the rule when it has none yet, else the next level under it
        (its unexpanded children, one pass). Ignores the depth and node limits (you asked). Returns the new nodes."""
        lm = self._model("expand")
        node = self.node(node)
        if node.end:
            raise InvalidInputError(f"node {node.id} is the end of the text: nothing follows it")
        targets = [node] if not node.expanded else [
            self.nodes[c] for c in node.children if expandable(self, self.nodes[c], None)]
        return expand_nodes(lm, self, most_probable_first(targets))

    def mark_greedy(self) -> LoomPath:
        """Mark generate(do_sample=False)'s path (grafting the tokens the tree lacks)."""
        return loom_paths.mark_greedy(self._model("mark_greedy"), self)

    def mark_beams(self, num_beams: int = 3) -> list[LoomPath]:
        """Mark each finished beam of generate(num_beams=num_beams)."""
        return loom_paths.mark_beams(self._model("mark_beams"), self, num_beams)

    def add_samples(self, n: int, *, temperature: float = 1.0, top_k: int | None = None,
                    top_p: float | None = None, seed: int | None = 0) -> list[LoomPath]:
        """Mark n sampled runs (seeded: run i uses seed + i); runs sharing tokens count on one path."""
        return loom_paths.add_samples(self._model("add_samples"), self, n, temperature=temperature, top_k=top_k,
                                      top_p=top_p, seed=seed)

    @classmethod
    def from_json(cls, data: dict, lm=None) -> Loom:
        """A loom saved by to_json(); with lm (the same model) it can grow further."""
        loom_ = super().from_json(data)
        if lm is not None:
            check_backend(lm, "Loom.from_json")
            if lm.name != loom_.model_name:
                raise InvalidInputError(f"this loom was grown with {loom_.model_name!r}, not {lm.name!r}")
        loom_.lm = lm
        return loom_


def loom(lm, prompt: str, *, depth: int = 4, top_p: float = 0.9, max_children: int = 5,
         max_nodes: int = 200) -> Loom:
    """The tree of continuations of prompt: each expanded node's children are its most probable next tokens,
    best first, the fewest whose probabilities reach top_p, at most max_children; expansion is best-first by
    path probability, to `depth` tokens and at most `max_nodes` nodes (the prompt's root included). Each
    frontier is one batched call to the model's scoring core."""
    check_backend(lm, "loom")
    require(lm, TOKEN_IDS, "the loom, which works on token ids,")
    depth = check_int(depth, "depth", low=1, hint=" (tokens after the prompt)")
    top_p = check_real(top_p, "top_p", low=0.0, high=1.0, low_open=True)
    max_children = check_int(max_children, "max_children", low=1, high=lm.max_alternatives,
                             hint=f" (the most {lm.name} reports per position)")
    max_nodes = check_int(max_nodes, "max_nodes", low=2, hint=" (the root and at least one token)")
    encoded = encode(lm, prompt, what="the loom's prompt", room=depth)
    tree = Loom(prompt, encoded.context, encoded.ids, lm.name, depth=depth, top_p=top_p, max_children=max_children,
                max_nodes=max_nodes, lm=lm)
    grow(lm, tree)
    return tree
