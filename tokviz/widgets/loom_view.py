"""LoomView: the loom's tree drawn left to right; click a node and Python grows it, continue a pinned path
as a generation. The view only draws what `data` holds and sends requests; the model runs here."""

from __future__ import annotations

import traitlets as t

from ..analysis.generation import generate
from ..analysis.loom import Loom
from ..backends.protocol import BRANCHES, require
from ..checks import check_int
from ..core.loom_tree import LoomTree
from ..errors import InvalidInputError, TokvizError
from .payload import Pieces, rounded, rounded_prob
from .view_base import ResultView

# The continuation of a pinned path: greedy, this many tokens after the path.
CONTINUE_TOKENS = 20


class LoomView(ResultView):
    """LoomView(loom): the tree of tokviz.loom, left to right, edges as wide and coloured as probable.

    Hover a node for its numbers and the alternatives at its step; click (or Enter) pins it and grows it
    (Loom.expand); "Continue" generates on from the pinned path (the branch mechanism: generate with the
    path's tokens forced). From Python: w.expand(node), w.continue_path(node); w.continuation is the last
    Generation. A loom loaded without a model is drawn read-only.
    """

    _kind = t.Unicode("loom").tag(sync=True)
    result_type = LoomTree
    pinned = t.Int(-1, help="the pinned node's id (-1: none); set by a click in the view").tag(sync=True)
    status = t.Unicode("", help="what Python is doing or what went wrong, for the view's status line").tag(sync=True)

    def __init__(self, loom: Loom, **traits):
        super().__init__(loom, **traits)
        self.loom = loom
        self.continuation = None
        self._continued: dict | None = None
        self.on_msg(self._handle_message)

    def payload(self, loom: LoomTree) -> dict:
        return loom_payload(loom, continued=getattr(self, "_continued", None))

    def refresh(self) -> None:
        """Send the tree again (after growing it from Python)."""
        self.data = self.payload(self.loom)

    def expand(self, node) -> list:
        """Grow a node (Loom.expand) and redraw; returns the new nodes."""
        added = self.loom.expand(node)
        self.refresh()
        return added

    def continue_path(self, node=None, max_new_tokens: int = CONTINUE_TOKENS):
        """Continue the path to node (default: the pinned one) greedily for max_new_tokens more tokens, the
        path's tokens forced (generate's prefix_ids); returns the Generation, shown under the tree."""
        node = self.pinned if node is None else node
        if node in (None, -1):
            raise InvalidInputError("no node to continue: pin one (click it) or pass a node")
        node = self.loom.node(node)
        check_int(max_new_tokens, "max_new_tokens", low=1)
        lm = self.loom._model("continue_path")
        require(lm, BRANCHES, "continuing a path of the loom")
        path = self.loom.token_ids(node)
        run = generate(lm, self.loom.prompt, max_new_tokens=max_new_tokens, prefix_ids=path or None,
                       alternatives=1)
        self.continuation = run
        before = self.loom.text(node)
        after = run.text[len(before):] if run.text.startswith(before) else run.text
        self._continued = {"node": node.id, "path_text": before, "text": after, "stopped_by": run.stopped_by}
        self.refresh()
        return run

    def _handle_message(self, _widget, content, _buffers):
        action, node = content.get("action"), content.get("node")
        try:
            if action == "expand":
                self.status = "growing the tree\u2026"
                self.pinned = int(node)
                self.expand(int(node))
            elif action == "continue":
                self.status = "generating\u2026"
                self.continue_path(int(node))
            else:
                return
            self.status = ""
        except (TokvizError, ValueError, TypeError) as error:
            self.status = f"{type(error).__name__}: {error}"

    def __repr__(self) -> str:
        return f"<LoomView {self.loom!r}>"


def loom_payload(loom: LoomTree, *, continued: dict | None = None) -> dict:
    """The tree as the view draws it: nodes (ids index the list; children best first), marked paths, the
    covered mass per depth and the rule's settings. Token texts travel once, in `pieces`."""
    lm = getattr(loom, "lm", None)
    pieces = Pieces(lm.vocabulary) if lm is not None else None
    table: dict = {}
    nodes = []
    for n in loom.nodes:
        if n.token_id is not None:
            if pieces is not None:
                pieces.add(n.token_id)
            else:  # a loom loaded without its model: the texts it saved
                table[str(n.token_id)] = n.text if n.text else {"bytes": n.bytes.hex()}
        nodes.append({
            "id": n.id, "parent": n.parent, "d": n.depth, "tok": n.token_id, "p": rounded_prob(n.prob),
            "lp": rounded(n.logprob, 5), "pp": rounded_prob(n.path_prob), "r": n.rank, "h": rounded(n.entropy, 3),
            "c": list(n.children), "x": n.expanded, "g": n.grafted, "e": n.end, "m": dict(n.marks),
        })
    return {
        "prompt": loom.prompt[-200:], "prompt_cut": len(loom.prompt) > 200, "model": loom.model_name,
        "settings": loom.settings(), "nodes": nodes,
        "paths": [{"label": p.label, "kind": p.kind, "nodes": list(p.node_ids), "count": p.count,
                   "text": loom.text(p.node_ids[-1]) if p.node_ids else ""} for p in loom.paths],
        "mass": [rounded_prob(m) for m in loom.covered_mass()],
        "growable": lm is not None, "continued": continued,
        "pieces": pieces.table if pieces is not None else table,
    }
