"""Branching from the widget and the branch tree: a branch equals transformers' generate on the text up to
the branch with the alternative forced in; the tree keeps every run; the view switches between them."""

from __future__ import annotations

import threading

import pytest
import torch

import tokviz
from tests.strips import strip_pieces, strip_tokens
from tokviz import InvalidInputError
from tokviz.widgets.widget import TokenViz

from .test_forcing import hf_continue

PROMPT = "Once upon a time, in a small village"


@pytest.fixture
def w(tiny_lm):
    viz = TokenViz(tiny_lm, prompt=PROMPT, max_new_tokens=4, alternatives=5)
    viz.generate()
    return viz


def test_a_branch_from_a_generated_token_is_the_text_so_far_plus_the_alternative(w, tiny_lm):
    root = w.generation
    alternative = root.tokens[2].top[3].token_id
    result = w.branch("generated", 2, alternative)
    prefix = [*root.token_ids[:2], alternative]
    assert result.token_ids == prefix + hf_continue(tiny_lm, w.analysis.token_ids + prefix, 4)
    assert len(w.branches) == 2 and w.branches.current == 1 and w.current_branch == 1
    assert w.generation is result and w.branches[1].parent == 0 and w.branches[1].at == ("generated", 2)
    sent = strip_tokens(w.generation_data)
    assert [t.get("f") for t in sent] == [1, 1, 1, None, None, None, None]
    assert w.generation_data["branch_point"] == 2
    runs = w.branches_data["branches"]
    assert [(r["id"], r["parent"], r["source"], r["index"], r["token"]) for r in runs] == [
        (0, None, None, None, None), (1, 0, "generated", 2, alternative)]
    assert str(alternative) in strip_pieces(w.branches_data)


def test_a_branch_from_a_prompt_token_cuts_the_prompt_there(w, tiny_lm):
    ids = w.analysis.token_ids
    result = w.branch("prompt", 3, 4242)
    assert result.prompt.token_ids == ids[:3]
    assert result.token_ids == [4242, *hf_continue(tiny_lm, [*ids[:3], 4242], 4)]
    assert [t["id"] for t in strip_tokens(w.analysis_data)] == ids[:3]
    assert w.analysis_data["from_prompt"] == PROMPT  # the strip is not stale: it came from this prompt


def test_switching_branches_shows_each_run_without_running_the_model(w, tiny_lm, monkeypatch):
    root_ids = w.generation.token_ids
    w.branch("generated", 1, 77)
    w.branch("generated", 3, 88)  # a branch of the branch
    assert w.branches[2].parent == 1
    calls = []
    monkeypatch.setattr(tiny_lm.model, "forward", lambda *a, **k: calls.append(1))
    w.current_branch = 0  # as the view's switch does
    assert w.generation.token_ids == root_ids and [t["id"] for t in strip_tokens(w.generation_data)] == root_ids
    assert "branch_point" not in w.generation_data
    w.current_branch = 2
    assert w.generation.token_ids[:4] == [*root_ids[:1], 77, *w.branches[1].generation.token_ids[2:3], 88]
    assert calls == []


def test_a_branch_keeps_the_runs_own_settings(tiny_lm):
    viz = TokenViz(tiny_lm, prompt=PROMPT, max_new_tokens=3, do_sample=True, temperature=0.5, top_k=20)
    viz.generate()
    viz.temperature = 1.7  # changed after the run: the branch still samples as the run did
    viz.max_new_tokens = 9
    result = viz.branch("generated", 0, 55)
    assert result.params["temperature"] == 0.5 and result.params["max_new_tokens"] == 3
    assert result.params["top_k"] == 20 and result.params["do_sample"] and len(result.tokens) == 4


def test_a_cut_analysis_equals_the_models_numbers_for_that_prompt(tiny_lm):
    full = tokviz.analyze(tiny_lm, PROMPT)
    cut = full.cut(4)
    reference = tokviz.generate(tiny_lm, PROMPT, prompt_tokens=4, max_new_tokens=1).prompt
    assert cut.token_ids == reference.token_ids
    assert [t.prob for t in cut.tokens] == pytest.approx([t.prob for t in reference.tokens], abs=1e-6)
    assert cut.perplexity == pytest.approx(reference.perplexity, rel=1e-5)  # two float32 passes of different lengths
    assert [c.token_id for c in cut.next] == [c.token_id for c in reference.next]
    assert cut.text == reference.text


@pytest.mark.parametrize(("source", "index", "message"), [
    ("prompt", 0, "first prompt token"), ("prompt", 99, "index"), ("generated", 4, "index"),
    ("elsewhere", 1, "source"),
])
def test_bad_branch_points_are_refused_and_nothing_changes(w, source, index, message):
    before = w.generation
    with pytest.raises(InvalidInputError, match=message):
        w.branch(source, index, 5)
    assert w.generation is before and len(w.branches) == 1 and w.status == "idle"


def test_nothing_to_branch_from_before_a_run(tiny_lm):
    viz = TokenViz(tiny_lm, prompt=PROMPT, analyze_now=False)
    with pytest.raises(InvalidInputError, match="analyze or generate first"):
        viz.branch("prompt", 1, 5)


def test_an_analysis_alone_can_be_branched_with_the_current_settings(tiny_lm):
    viz = TokenViz(tiny_lm, prompt=PROMPT, max_new_tokens=2)
    result = viz.branch("prompt", 2, 300)
    assert len(result.tokens) == 3 and result.tokens[0].token_id == 300


def test_a_new_generate_starts_a_new_tree(w):
    w.branch("generated", 0, 9)
    w.generate()
    assert len(w.branches) == 1 and w.current_branch == 0


def test_the_views_branch_message_runs_once_and_can_be_stopped(tiny_lm):
    viz = TokenViz(tiny_lm, prompt=PROMPT, max_new_tokens=100, alternatives=3)  # the context is 128
    viz.analyze()
    started = threading.Event()
    original = viz._stream_generation

    def slow(*args, **kwargs):
        started.set()
        return original(*args, **kwargs)

    viz._stream_generation = slow
    message = {"action": "branch", "source": "prompt", "index": 2, "token_id": 11}
    viz._handle_message(viz, message, [])
    viz._handle_message(viz, message, [])  # a double click starts nothing more
    assert started.wait(10)
    viz._handle_message(viz, {"action": "stop"}, [])
    assert viz.wait(60)
    assert len(viz.branches) == 2, viz.error  # one branch, however many clicks
    assert viz.generation.stopped_by == "cancelled" and len(viz.generation.tokens) < 100


def test_reshape_opens_the_selected_tokens_distribution(w, tiny_lm):
    from tokviz.studies.position_logits import position_logits

    w.selected = {"source": "prompt", "index": 4}
    view = w.reshape()
    expected = position_logits(tiny_lm, PROMPT, 4)
    assert torch.allclose(view.logits.float(), expected.float(), atol=1e-4)
    w.do_sample, w.temperature, w.top_k = True, 0.5, 7
    view = w.reshape("generated", 1)
    assert (view.temperature, view.top_k) == (0.5, 7)
    assert view.reshaped.kept == 7
