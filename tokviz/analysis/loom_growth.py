"""Growing the loom's tree: every frontier is one call to the backend's scoring core (padded batches).

A node's children are its most probable next tokens, best first, the fewest whose probabilities reach
top_p, at most max_children (`rule_count`). Growth is best-first by path probability in rounds: each round
expands, in one scoring call, the most probable unexpanded nodes that the node budget can surely hold
(budget // max_children of them, at least one), and adds their children most probable parent first; it
stops at the depth limit or when the next node's children would not fit the budget (a node is expanded
whole or not at all, so every expanded node obeys the rule exactly).
"""

from __future__ import annotations

import math

from ..core.encoding import Request
from ..core.loom_tree import LoomNode, LoomTree


def rule_count(probs: list[float], top_p: float, max_children: int) -> int:
    """How many of the best-first probs the rule keeps: the fewest reaching top_p, at most max_children."""
    total = 0.0
    for count, p in enumerate(probs[:max_children], start=1):
        total += p
        if total >= top_p:
            return count
    return min(len(probs), max_children)


def _known(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _end_ids(lm) -> set[int]:
    eos = getattr(getattr(lm, "tokenizer", None), "eos_token_id", None)
    return {int(eos)} if isinstance(eos, int) else set()


def _prefix(tree: LoomTree, node: LoomNode) -> list[int]:
    return tree.context_ids + tree.prompt_ids + tree.token_ids(node)


def _token_fields(lm, token_id: int, end_ids: set[int]) -> dict:
    vocabulary = lm.vocabulary
    return {"token_id": int(token_id), "text": vocabulary.piece_text(int(token_id)),
            "bytes": vocabulary.bytes_of(int(token_id)), "end": int(token_id) in end_ids}


def expand_nodes(lm, tree: LoomTree, nodes: list[LoomNode], *, budget: int | None = None) -> list[LoomNode]:
    """Expand `nodes` (most probable first) by the rule, with one scoring call for all of them. With budget,
    stop before the first node whose children would take the tree past that many nodes. Returns the new nodes."""
    if not nodes:
        return []
    requests = []
    for node in nodes:
        ids = _prefix(tree, node)
        requests.append(Request(ids=ids, rows=[len(ids) - 1], targets=[0]))
    stats, passes = lm.score(requests, tree.max_children)
    tree.forward_passes += passes
    end_ids = _end_ids(lm)
    added: list[LoomNode] = []
    for node, stat in zip(nodes, stats, strict=True):
        ids, probs = stat.top_ids[0].tolist(), stat.top_probs[0].double().tolist()
        best = [(i, p) for i, p in zip(ids, probs, strict=True) if i != -1 and not math.isnan(p)]
        keep = best[: rule_count([p for _, p in best], tree.top_p, tree.max_children)]
        fresh = [(i, p) for i, p in keep if tree.child(node, i) is None]
        if budget is not None and len(tree) + len(fresh) > budget:
            break
        entropy = _known(float(stat.entropy[0])) if stat.entropy is not None else None
        ranked = []
        for token_id, p in keep:
            rank = 1 + sum(q > p for _, q in best)  # ties share the better rank, as everywhere in tokviz
            numbers = dict(prob=p, logprob=math.log(p) if p > 0 else -math.inf, rank=rank, entropy=entropy)
            child = tree.child(node, token_id)
            if child is None:
                child = tree.add_child(node, **_token_fields(lm, token_id, end_ids), **numbers)
                added.append(child)
            else:  # a path's graft that the rule keeps too
                for key, value in numbers.items():
                    setattr(child, key, value)
                child.grafted = False
            ranked.append(child.id)
        node.children = ranked + [c for c in node.children if c not in ranked]
        node.expanded = True
    return added


def expandable(tree: LoomTree, node: LoomNode, depth_limit: int | None) -> bool:
    return (not node.expanded and not node.end and (node.path_prob is None or node.path_prob > 0)
            and (depth_limit is None or node.depth < depth_limit))


def most_probable_first(nodes: list[LoomNode]) -> list[LoomNode]:
    """By path probability, best first; nodes whose path probability is unknown last."""
    return sorted(nodes, key=lambda n: -(n.path_prob if n.path_prob is not None else -1.0))


def grow(lm, tree: LoomTree) -> None:
    """Best-first growth to the tree's depth and node budget (see the module's docstring)."""
    while len(tree) < tree.max_nodes:
        frontier = most_probable_first([n for n in tree.nodes if expandable(tree, n, tree.depth)])
        if not frontier:
            return
        take = max(1, (tree.max_nodes - len(tree)) // tree.max_children)
        batch = frontier[:take]
        expand_nodes(lm, tree, batch, budget=tree.max_nodes)
        if not all(n.expanded for n in batch):  # the budget is spent
            return


def graft_paths(lm, tree: LoomTree, paths: list[list[int]]) -> list[list[int]]:
    """Put each path of generated token ids (from the root) into the tree, scoring the tokens it lacks in one
    call; returns each path's node ids. Nodes added here are `grafted` (off the rule)."""
    requests, wanted = [], []
    for path in paths:
        node, missing = tree.root, None
        for i, token_id in enumerate(path):
            child = tree.child(node, token_id)
            if child is None:
                missing = i
                break
            node = child
        if missing is not None:
            ids = tree.context_ids + tree.prompt_ids + list(path)
            start = len(tree.context_ids) + len(tree.prompt_ids)
            rows = [start + i - 1 for i in range(missing, len(path))]
            requests.append(Request(ids=ids[: rows[-1] + 1], rows=rows, targets=list(path[missing:])))
            wanted.append((path, missing))
    if requests:
        stats, passes = lm.score(requests, 1)
        tree.forward_passes += passes
        end_ids = _end_ids(lm)
        for (path, missing), stat in zip(wanted, stats, strict=True):
            node = tree.root
            for i, token_id in enumerate(path):
                child = tree.child(node, token_id)
                if child is None:
                    logprob = _known(float(stat.logprob[i - missing]))
                    entropy = _known(float(stat.entropy[i - missing])) if stat.entropy is not None else None
                    rank = int(stat.rank[i - missing])
                    child = tree.add_child(node, **_token_fields(lm, token_id, end_ids), grafted=True,
                                           prob=None if logprob is None else math.exp(logprob), logprob=logprob,
                                           rank=rank if rank >= 1 else None, entropy=entropy)
                node = child
    out = []
    for path in paths:
        node, ids = tree.root, []
        for token_id in path:
            node = tree.child(node, token_id)
            ids.append(node.id)
        out.append(ids)
    return out
