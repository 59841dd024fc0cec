"""Decoding strategies as paths through the loom: greedy, each finished beam, seeded samples.

Each path is what tokviz.generate returns for the loom's prompt with max_new_tokens = the loom's depth, so a
marked path is exactly generate()'s tokens; the tokens the tree lacks are grafted onto it (and scored).
"""

from __future__ import annotations

from collections import Counter

from ..checks import check_int
from ..core.loom_tree import LoomPath, LoomTree
from .generation import generate
from .loom_growth import graft_paths


def _mark(tree: LoomTree, label: str, kind: str, node_ids: list[int], count: int = 1,
          settings: dict | None = None) -> LoomPath:
    path = LoomPath(label, kind, node_ids, count, dict(settings or {}))
    tree.paths.append(path)
    for node_id in node_ids:
        marks = tree.nodes[node_id].marks
        marks[label] = marks.get(label, 0) + count
    return path


def _unmark(tree: LoomTree, label: str) -> None:
    """Forget an earlier path of that label (marking greedy twice keeps one)."""
    for path in [p for p in tree.paths if p.label == label]:
        for node_id in path.node_ids:
            tree.nodes[node_id].marks.pop(label, None)
        tree.paths.remove(path)


def mark_greedy(lm, tree: LoomTree) -> LoomPath:
    """The greedy path: generate(do_sample=False)'s tokens."""
    run = generate(lm, tree.prompt, max_new_tokens=tree.depth, alternatives=1)
    [node_ids] = graft_paths(lm, tree, [run.token_ids])
    _unmark(tree, "greedy")
    return _mark(tree, "greedy", "greedy", node_ids)


def mark_beams(lm, tree: LoomTree, num_beams: int) -> list[LoomPath]:
    """Each finished beam of generate(num_beams=num_beams), best first, as "beam 1", "beam 2", ..."""
    check_int(num_beams, "num_beams", low=2, hint=" (beam search keeps at least two beams)")
    run = generate(lm, tree.prompt, max_new_tokens=tree.depth, num_beams=num_beams, alternatives=1)
    paths = graft_paths(lm, tree, [list(beam.token_ids) for beam in run.beams])
    for label in [p.label for p in tree.paths if p.kind == "beam"]:
        _unmark(tree, label)
    return [_mark(tree, f"beam {i}", "beam", node_ids, settings={"num_beams": num_beams, "score": beam.score})
            for i, (beam, node_ids) in enumerate(zip(run.beams, paths, strict=True), start=1)]


def sample_label(temperature: float, top_k: int | None, top_p: float | None) -> str:
    parts = [f"T={temperature:g}"]
    if top_k is not None:
        parts.append(f"top_k={top_k}")
    if top_p is not None:
        parts.append(f"top_p={top_p:g}")
    return "samples " + " ".join(parts)


def add_samples(lm, tree: LoomTree, n: int, *, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, seed: int | None = 0) -> list[LoomPath]:
    """n sampled runs (run i uses seed + i, so a seed makes the set reproducible); runs that took the same
    tokens are one path with their count. The label names the settings; sampling again with the same
    settings adds to its counts."""
    check_int(n, "n", low=1, hint=" (how many samples to draw)")
    if seed is not None:
        check_int(seed, "seed", low=0)
    runs = [generate(lm, tree.prompt, max_new_tokens=tree.depth, do_sample=True, temperature=temperature,
                     top_k=top_k, top_p=top_p, seed=None if seed is None else seed + i, alternatives=1)
            for i in range(n)]
    counts = Counter(tuple(run.token_ids) for run in runs)
    distinct = list(counts)
    label = sample_label(temperature, top_k, top_p)
    settings = {"temperature": temperature, "top_k": top_k, "top_p": top_p, "seed": seed}
    return [_mark(tree, label, "sample", node_ids, counts[ids], settings)
            for ids, node_ids in zip(distinct, graft_paths(lm, tree, [list(d) for d in distinct]), strict=True)]
