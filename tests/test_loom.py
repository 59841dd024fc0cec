"""The loom: every node's probability against an independent float64 forward pass over prompt + path, path
probabilities as products, the children rule, and the marked paths against generate() and transformers."""

from __future__ import annotations

import copy
import itertools
import json
import math

import pytest
import torch

import tokviz
from tokviz import InvalidInputError, Loom
from tokviz.analysis.loom_growth import graft_paths
from tokviz.backends.local.model import LanguageModel

from .conftest import BERLIN_PROMPT
from .test_generation import hf_generate
from .tiny_architectures import build

PROMPT = "Once upon a time, in a small village"


def reference_probs(model, loom: Loom, node) -> torch.Tensor:
    """P(next token | prompt + node's path) from plain transformers on the float64 model."""
    ids = loom.context_ids + loom.prompt_ids + loom.token_ids(node)
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0, -1].double()
    return torch.softmax(logits, -1)


def float64_copy(lm):
    return copy.deepcopy(lm.model).double().eval()


def check_loom(loom: Loom, model, tol: float = 1e-4) -> None:
    """Every number of every node against the float64 reference, and the rule for every expanded node."""
    parents = {n.parent for n in loom.nodes[1:]}
    reference = {p: reference_probs(model, loom, p) for p in parents}
    for node in loom.nodes[1:]:
        probs = reference[node.parent]
        p = float(probs[node.token_id])
        assert node.prob == pytest.approx(p, abs=tol)
        assert node.prob == pytest.approx(p, rel=1e-3)  # tiny models' probabilities are small: relative too
        assert node.logprob == pytest.approx(math.log(node.prob), abs=1e-6)
        # rank: 1 + the tokens more probable; tokens tied within rounding may count either way
        assert 1 + int((probs > p * (1 + 1e-6)).sum()) <= node.rank <= 1 + int((probs > p * (1 - 1e-6)).sum())
        entropy = float(-(probs * torch.log(probs.clamp_min(1e-300))).sum())
        assert node.entropy == pytest.approx(entropy, abs=1e-3)
        expected = math.prod(float(reference[n.parent][n.token_id]) for n in loom.lineage(node))
        assert node.path_prob == pytest.approx(expected, rel=1e-3, abs=1e-9)
        assert node.path_prob == pytest.approx(math.prod(n.prob for n in loom.lineage(node)), rel=1e-12)
    for node in loom.nodes:
        if node.expanded:
            check_rule(loom, node, reference[node.id])


def check_rule(loom: Loom, node, probs: torch.Tensor) -> None:
    """The rule children = the most probable tokens, best first, fewest reaching top_p, at most max_children
    (tokens whose float64 probabilities tie within rounding may come in either order)."""
    kept = [loom[c] for c in node.children if not loom[c].grafted]
    assert all(loom[c].grafted for c in node.children[len(kept):])  # rule children come first
    count = len(kept)
    assert 1 <= count <= loom.max_children
    q = [float(probs[c.token_id]) for c in kept]
    tol = 1e-6 * q[0] + 1e-12
    assert all(a >= b - tol for a, b in itertools.pairwise(q))  # best first
    others = probs.clone()
    others[[c.token_id for c in kept]] = -1.0
    assert float(others.max()) <= min(q) + tol  # no token left out beats a kept one
    # fewest reaching top_p: the first count-1 fall short, the count reach it (or the cap is hit)
    assert math.fsum(q[: count - 1]) < loom.top_p + 1e-6
    assert count == loom.max_children or math.fsum(q) >= loom.top_p - 1e-6


def test_every_node_matches_a_float64_forward_pass_and_children_follow_the_rule(tiny_lm):
    loom = tokviz.loom(tiny_lm, PROMPT, depth=3, top_p=0.6, max_children=4, max_nodes=40)
    assert 2 < len(loom) <= 40 and max(n.depth for n in loom.nodes) <= 3
    counts = [len([c for c in n.children]) for n in loom.nodes if n.expanded]
    assert len(set(counts)) > 1  # top_p cut some nodes short: the rule is exercised, not just the cap
    check_loom(loom, float64_copy(tiny_lm))


def test_growth_is_best_first_and_batched(tiny_lm):
    loom = tokviz.loom(tiny_lm, PROMPT, depth=4, top_p=0.9, max_children=3, max_nodes=30)
    assert len(loom) <= 30
    expanded = [n for n in loom.nodes if n.expanded]
    waiting = [n for n in loom.nodes if not n.expanded and n.depth < 4 and not n.end]
    assert waiting  # the budget ran out before the depth did ...
    assert len(loom) > 30 - 3  # ... because the next node's children would not have fit
    # best-first: the most probable path still waiting is less probable than the most probable expanded one
    assert max(n.path_prob for n in waiting) < max(n.path_prob for n in expanded if n.depth > 0)
    assert loom.forward_passes < len(expanded)  # frontiers went through the model together
    mass = loom.covered_mass()
    assert mass == pytest.approx([math.fsum(n.path_prob for n in loom.at_depth(d)) for d in range(1, len(mass) + 1)])
    assert all(0 < m <= 1 + 1e-9 for m in mass)
    root = loom.root
    assert mass[0] == pytest.approx(math.fsum(loom[c].prob for c in root.children))


@pytest.mark.parametrize("architecture", ["gpt2", "gemma2"])
def test_the_loom_on_other_architectures(tokenizer, architecture):
    lm = LanguageModel(model=build(architecture, len(tokenizer)), tokenizer=tokenizer, name=f"tiny-{architecture}")
    loom = tokviz.loom(lm, PROMPT, depth=2, top_p=0.5, max_children=3, max_nodes=12)
    check_loom(loom, lm.model)  # already float64


def test_greedy_and_beam_paths_are_generates_tokens(tiny_lm):
    loom = tokviz.loom(tiny_lm, PROMPT, depth=4, top_p=0.5, max_children=2, max_nodes=8)
    greedy = loom.mark_greedy()
    assert loom.token_ids(greedy.node_ids[-1]) == tokviz.generate(tiny_lm, PROMPT, max_new_tokens=4).token_ids
    out, n = hf_generate(tiny_lm, PROMPT, max_new_tokens=4, do_sample=False)
    assert loom.token_ids(greedy.node_ids[-1]) == out[0, n:].tolist()
    beams = loom.mark_beams(3)
    run = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=4, num_beams=3)
    assert [loom.token_ids(b.node_ids[-1]) for b in beams] == [b.token_ids for b in run.beams]
    assert [b.label for b in beams] == ["beam 1", "beam 2", "beam 3"]
    for path in [greedy, *beams]:
        assert all(path.label in loom[i].marks for i in path.node_ids)
        assert [loom[i].parent for i in path.node_ids] == [0, *path.node_ids[:-1]]
    assert any(n.grafted for n in loom.nodes)  # the small tree lacked some beam tokens: grafted and scored
    loom.mark_greedy()  # marking again replaces, not duplicates
    assert [p.label for p in loom.paths].count("greedy") == 1
    check_loom(loom, float64_copy(tiny_lm))


def test_samples_count_on_shared_prefixes_and_are_reproducible(tiny_lm):
    loom = tokviz.loom(tiny_lm, PROMPT, depth=2, top_p=0.5, max_children=2, max_nodes=6)
    paths = loom.add_samples(4, temperature=0.7, seed=3)
    runs = [tokviz.generate(tiny_lm, PROMPT, max_new_tokens=2, do_sample=True, temperature=0.7, seed=3 + i)
            for i in range(4)]
    got = {tuple(loom.token_ids(p.node_ids[-1])): p.count for p in paths}
    expected: dict = {}
    for run in runs:
        expected[tuple(run.token_ids)] = expected.get(tuple(run.token_ids), 0) + 1
    assert got == expected and sum(got.values()) == 4
    label = paths[0].label
    assert label == "samples T=0.7"
    first = loom[paths[0].node_ids[0]]
    assert first.marks[label] == sum(p.count for p in paths if p.node_ids[0] == first.id)
    check_loom(loom, float64_copy(tiny_lm))


def test_expand_grows_a_node_by_the_rule_and_json_round_trips(tiny_lm):
    loom = tokviz.loom(tiny_lm, PROMPT, depth=1, top_p=0.5, max_children=3, max_nodes=10)
    leaf = loom[loom.root.children[0]]
    new = loom.expand(leaf)
    assert new and all(n.parent == leaf.id and n.depth == 2 for n in new) and leaf.expanded
    deeper = loom.expand(leaf)  # already expanded: the next level under it
    assert deeper and {n.depth for n in deeper} == {3}
    check_loom(loom, float64_copy(tiny_lm))
    loom.add_samples(2, seed=0)
    data = json.loads(json.dumps(loom.to_json()))
    again = Loom.from_json(data, tiny_lm)
    assert again.to_json() == loom.to_json() and again.text(5) == loom.text(5)
    assert again.expand(again.root.children[1])
    with pytest.raises(InvalidInputError, match="needs the model"):
        Loom.from_json(data).expand(0)
    with pytest.raises(InvalidInputError, match="not a saved loom"):
        Loom.from_json({"nodes": []})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"prompt": ""}, "empty"),
    ({"depth": 0}, "depth must be"),
    ({"depth": 2.5}, "depth must be"),
    ({"top_p": 0.0}, r"top_p must be in \(0.0, 1.0\]"),
    ({"top_p": 1.5}, "top_p must be"),
    ({"top_p": float("nan")}, "top_p must be"),
    ({"max_children": 0}, "max_children must be"),
    ({"max_nodes": 1}, "max_nodes must be"),
])
def test_bad_input_gives_clear_errors(tiny_lm, kwargs, message):
    args = {"prompt": PROMPT, **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        tokviz.loom(tiny_lm, args.pop("prompt"), **args)


def test_bad_node_and_model_errors(tiny_lm):
    loom = tokviz.loom(tiny_lm, PROMPT, depth=1, max_children=2, max_nodes=3)
    with pytest.raises(InvalidInputError, match="no node 99"):
        loom.expand(99)
    with pytest.raises(InvalidInputError, match="num_beams must be"):
        loom.mark_beams(1)
    with pytest.raises(InvalidInputError, match="n must be"):
        loom.add_samples(0)
    with pytest.raises(InvalidInputError, match="needs a model"):
        tokviz.loom("gpt2", PROMPT)


@pytest.mark.slow
def test_the_loom_on_the_default_model(default_lm):
    loom = tokviz.loom(default_lm, BERLIN_PROMPT, depth=2, top_p=0.8, max_children=4, max_nodes=14)
    greedy = loom.mark_greedy()
    assert loom.text(greedy.node_ids[0]) == " Berlin"
    assert loom.token_ids(greedy.node_ids[-1]) == tokviz.generate(default_lm, BERLIN_PROMPT,
                                                                  max_new_tokens=2).token_ids
    check_loom(loom, float64_copy(default_lm))


def test_loom_view_sends_the_tree_grows_on_a_message_and_continues_a_path(tiny_lm):
    from .test_forcing import hf_continue

    loom = tokviz.loom(tiny_lm, PROMPT, depth=1, top_p=0.5, max_children=2, max_nodes=3)
    w = tokviz.LoomView(loom)
    sent = w.data["nodes"]
    assert [(n["id"], n["parent"], n["tok"]) for n in sent] == [(n.id, n.parent, n.token_id) for n in loom.nodes]
    assert [n["p"] for n in sent[1:]] == pytest.approx([n.prob for n in loom.nodes[1:]], rel=1e-3)
    leaf = loom.root.children[0]
    w._handle_message(w, {"action": "expand", "node": leaf}, [])
    assert w.pinned == leaf and loom[leaf].expanded and len(w.data["nodes"]) == len(loom) > 3
    run = w.continue_path(leaf, max_new_tokens=3)
    path = loom.token_ids(leaf)
    assert run.token_ids == path + hf_continue(tiny_lm, loom.context_ids + loom.prompt_ids + path, 3)
    assert w.data["continued"]["node"] == leaf and w.data["continued"]["path_text"] == loom.text(leaf)
    w._handle_message(w, {"action": "expand", "node": 999}, [])
    assert w.status.startswith("InvalidInputError: no node 999")
    with pytest.raises(InvalidInputError, match="LoomView needs a LoomTree"):
        tokviz.LoomView("not a loom")


class TopKOnlyBackend:
    """Wraps RecordingBackend as a served model answers: each position's top 20 only, no entropy, and no
    number (NaN, rank 0) for a target outside the top 20."""

    TOP = 20

    def __new__(cls, lm):
        from .recording_backend import RecordingBackend

        class TopKOnly(RecordingBackend):
            @property
            def max_alternatives(self) -> int:
                return cls.TOP

            def score(self, requests, alternatives: int = 1, *, batch_size=None):
                stats, passes = super().score(requests, cls.TOP)
                for stat, request in zip(stats, requests):
                    stat.logprob, stat.rank = stat.logprob.clone(), stat.rank.clone()
                    for row, target in enumerate(request.targets):
                        if target not in stat.top_ids[row].tolist():
                            stat.logprob[row], stat.rank[row] = math.nan, 0
                    stat.top_ids, stat.top_probs = stat.top_ids[:, :alternatives], stat.top_probs[:, :alternatives]
                    stat.entropy = None
                return stats, passes

        return TopKOnly(lm)


def test_through_a_top_k_backend_the_loom_is_the_same_tree_with_honest_none(tiny_lm):
    backend = TopKOnlyBackend(tiny_lm)
    local = tokviz.loom(tiny_lm, PROMPT, depth=2, top_p=0.5, max_children=3, max_nodes=12)
    served = tokviz.loom(backend, PROMPT, depth=2, top_p=0.5, max_children=3, max_nodes=12)
    assert set(backend.calls) == {"score"}  # only the protocol's scoring core
    assert [(n.parent, n.token_id) for n in served.nodes] == [(n.parent, n.token_id) for n in local.nodes]
    assert [n.prob for n in served.nodes[1:]] == pytest.approx([n.prob for n in local.nodes[1:]], abs=1e-6)
    assert all(n.entropy is None for n in served.nodes[1:])  # a top-k answer has no entropy
    # a path through a token outside the top 20: its number is unknown, and so is every path_prob after it
    probs = reference_probs(float64_copy(tiny_lm), served, 0)
    outside = int(torch.sort(probs, descending=True).indices[30])
    [ids] = graft_paths(backend, served, [[outside, served[served.root.children[0]].token_id]])
    node = served[ids[0]]
    assert node.grafted and node.prob is None and node.rank is None and node.path_prob is None
    assert served[ids[1]].path_prob is None and served.covered_mass()[0] is None
    assert "unknown" in repr(served)
    tokviz.LoomView(served)  # draws the unknowns as such
