"""The loom's tree: continuations of one prompt, one token per node, with the model's numbers. Pure data.

Node 0 is the prompt (no token). Every other node is one token after its parent's path. prob / logprob:
P(token | prompt + the path before it) under the unprocessed model; path_prob: the product along the path;
rank (1-based, in the full vocabulary) and entropy (nats) of the distribution it was drawn from.
A node is `expanded` when its children were chosen by the loom's rule (its most probable next tokens,
best first, the fewest reaching top_p, at most max_children); `grafted` nodes are off that rule: tokens a
marked path (a beam, a sample) took that the rule did not keep. marks: path label -> how many of that
path's runs pass through the node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import InvalidInputError

FORMAT = "tokviz.loom/1"


@dataclass
class LoomNode:
    id: int
    parent: int | None
    depth: int
    token_id: int | None
    text: str
    bytes: bytes
    prob: float | None
    logprob: float | None
    path_prob: float | None  # None: some token on the path has no known probability (a served model's top-k)
    rank: int | None
    entropy: float | None
    children: list[int] = field(default_factory=list)
    expanded: bool = False
    grafted: bool = False
    end: bool = False  # the end-of-text token: nothing follows it
    marks: dict[str, int] = field(default_factory=dict)

    @property
    def path_logprob(self) -> float | None:
        if self.path_prob is None:
            return None
        return -math.inf if self.path_prob == 0.0 else math.log(self.path_prob)

    def to_dict(self) -> dict:
        return {"id": self.id, "parent": self.parent, "depth": self.depth, "token_id": self.token_id,
                "text": self.text, "bytes": self.bytes.hex(), "prob": self.prob, "logprob": self.logprob,
                "path_prob": self.path_prob, "rank": self.rank, "entropy": self.entropy,
                "children": list(self.children), "expanded": self.expanded, "grafted": self.grafted,
                "end": self.end, "marks": dict(self.marks)}

    @staticmethod
    def from_dict(data: dict) -> LoomNode:
        return LoomNode(**{**data, "bytes": bytes.fromhex(data["bytes"]), "children": list(data["children"]),
                           "marks": dict(data["marks"])})

    def __repr__(self) -> str:
        prob = "None" if self.prob is None else f"{self.prob:.4f}"
        return f"LoomNode({self.id}, {self.text!r}, prob={prob}, path_prob={self.path_prob:.4g}, depth={self.depth})"


@dataclass
class LoomPath:
    """A marked path: label ("greedy", "beam 1", "sample"), kind ("greedy" | "beam" | "sample"), the node ids
    of each distinct run (root excluded) and how many runs took it (samples share paths)."""

    label: str
    kind: str
    node_ids: list[int]
    count: int = 1
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"label": self.label, "kind": self.kind, "node_ids": list(self.node_ids), "count": self.count,
                "settings": dict(self.settings)}


class LoomTree:
    """The nodes (node 0 the prompt), the rule's settings and the marked paths. context_ids: the token ids the
    model saw for the prompt (special tokens included); prompt_ids: the prompt's own tokens."""

    def __init__(self, prompt: str, context_ids: list[int], prompt_ids: list[int], model_name: str, *,
                 depth: int, top_p: float, max_children: int, max_nodes: int):
        self.prompt = prompt
        self.context_ids = list(context_ids)
        self.prompt_ids = list(prompt_ids)
        self.model_name = model_name
        self.depth = depth
        self.top_p = top_p
        self.max_children = max_children
        self.max_nodes = max_nodes
        self.nodes = [LoomNode(0, None, 0, None, prompt, prompt.encode("utf-8"), None, None, 1.0, None, None)]
        self.paths: list[LoomPath] = []
        self.forward_passes = 0

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, node_id: int) -> LoomNode:
        return self.nodes[node_id]

    @property
    def root(self) -> LoomNode:
        return self.nodes[0]

    def node(self, node) -> LoomNode:
        """A node given itself or its id, checked to belong to this tree."""
        node_id = node.id if isinstance(node, LoomNode) else node
        if isinstance(node_id, bool) or not isinstance(node_id, int) or not 0 <= node_id < len(self.nodes):
            raise InvalidInputError(f"no node {node!r} in this loom (ids run from 0 to {len(self.nodes) - 1})")
        if isinstance(node, LoomNode) and self.nodes[node_id] is not node:
            raise InvalidInputError(f"node {node!r} belongs to another loom")
        return self.nodes[node_id]

    def lineage(self, node) -> list[LoomNode]:
        """The nodes from the root's first child down to node (empty for the root)."""
        out = []
        current = self.node(node)
        while current.parent is not None:
            out.append(current)
            current = self.nodes[current.parent]
        return out[::-1]

    def token_ids(self, node) -> list[int]:
        """The generated token ids of node's path (prompt excluded)."""
        return [n.token_id for n in self.lineage(node)]

    def text(self, node) -> str:
        """The path's text, decoded as a whole (a character split across tokens comes out whole)."""
        return b"".join(n.bytes for n in self.lineage(node)).decode("utf-8", errors="replace")

    def child(self, node, token_id: int) -> LoomNode | None:
        return next((self.nodes[c] for c in self.node(node).children if self.nodes[c].token_id == token_id), None)

    def add_child(self, parent: LoomNode, **numbers) -> LoomNode:
        prob = numbers["prob"]
        path_prob = None if prob is None or parent.path_prob is None else parent.path_prob * prob
        node = LoomNode(id=len(self.nodes), parent=parent.id, depth=parent.depth + 1, path_prob=path_prob,
                        **numbers)
        self.nodes.append(node)
        parent.children.append(node.id)
        return node

    def at_depth(self, depth: int) -> list[LoomNode]:
        return [n for n in self.nodes if n.depth == depth]

    def covered_mass(self) -> list[float | None]:
        """Per depth 1..(deepest node): the probability that a continuation's first d tokens are a path of
        the tree (the sum of the path probabilities of its depth-d nodes); None where a node's is unknown."""
        deepest = max(n.depth for n in self.nodes)
        masses = []
        for d in range(1, deepest + 1):
            probs = [n.path_prob for n in self.at_depth(d)]
            masses.append(None if None in probs else math.fsum(probs))
        return masses

    def leaves(self) -> list[LoomNode]:
        return [n for n in self.nodes[1:] if not n.children]

    def top_paths(self, count: int = 5) -> list[LoomNode]:
        """The `count` most probable leaves (their paths), most probable first."""
        return sorted(self.leaves(), key=lambda n: -(n.path_prob if n.path_prob is not None else -1.0))[:count]

    def settings(self) -> dict:
        return {"depth": self.depth, "top_p": self.top_p, "max_children": self.max_children,
                "max_nodes": self.max_nodes}

    def to_json(self) -> dict:
        """Everything needed to redraw and reload the tree (plain JSON types)."""
        return {"format": FORMAT, "prompt": self.prompt, "context_ids": list(self.context_ids),
                "prompt_ids": list(self.prompt_ids), "model_name": self.model_name, "settings": self.settings(),
                "forward_passes": self.forward_passes, "nodes": [n.to_dict() for n in self.nodes],
                "paths": [p.to_dict() for p in self.paths]}

    @classmethod
    def from_json(cls, data: dict, **extra):
        """A tree saved by to_json (extra: what a subclass takes besides)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInputError(f"not a saved loom: expected a dict from Loom.to_json() with format {FORMAT!r}")
        tree = cls(data["prompt"], data["context_ids"], data["prompt_ids"], data["model_name"], **data["settings"],
                   **extra)
        tree.nodes = [LoomNode.from_dict(n) for n in data["nodes"]]
        tree.paths = [LoomPath(**p) for p in data["paths"]]
        tree.forward_passes = data["forward_passes"]
        return tree

    def table(self, count: int = 10) -> str:
        """The most probable paths as plain text."""
        rows = [f"{'path_prob':>10}  path"]
        for leaf in self.top_paths(count):
            shown = "unknown" if leaf.path_prob is None else f"{leaf.path_prob:.4f}"
            rows.append(f"{shown:>10}  {self.text(leaf)!r}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        mass = ", ".join("unknown" if m is None else f"{m:.3f}" for m in self.covered_mass())
        return (f"Loom({self.prompt!r}, nodes={len(self.nodes)}, depth={self.depth}, top_p={self.top_p}, "
                f"covered mass per depth=[{mass}], paths={len(self.paths)})")
