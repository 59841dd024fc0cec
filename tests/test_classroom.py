"""What a class hits in the widget from Python: one-off settings for a run whatever was clicked, settings
refused with the rule Generate applies, a failed run that keeps what the view showed, and a branch tree
that a new Generate does not lose."""

from __future__ import annotations

import math

import pytest
import torch
import traitlets

import tokviz
from tests.strips import strip_tokens
from tokviz.widgets.widget import TokenViz

from .test_forcing import hf_continue

PROMPT = "The capital of France is Paris. The capital of Germany is"


def test_one_off_settings_give_greedy_tokens_on_a_widget_left_in_sampling_mode(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT, do_sample=True, temperature=1.5, top_k=3, num_beams=1, max_new_tokens=9)
    result = w.generate(do_sample=False, max_new_tokens=5)
    ids = tiny_lm.tokenizer(PROMPT)["input_ids"]
    assert result.token_ids == hf_continue(tiny_lm, ids, 5)
    assert result.decoding.do_sample is False and result.decoding.max_new_tokens == 5
    assert result.params["temperature"] is None and result.params["top_k"] is None  # not used by greedy decoding
    assert (w.do_sample, w.temperature, w.top_k, w.max_new_tokens) == (True, 1.5, 3, 9)  # the controls keep theirs
    assert w.generation is result and len(strip_tokens(w.generation_data)) == 5


def test_one_off_settings_are_checked_as_the_traits_are(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT, analyze_now=False)
    with pytest.raises(tokviz.InvalidInputError, match=r"unknown setting\(s\) \['temprature'\]"):
        w.generate(temprature=0.5)
    with pytest.raises(tokviz.InvalidInputError, match=r"top_p must be in \(0, 1\]"):
        w.generate(do_sample=True, top_p=1.5)
    with pytest.raises(tokviz.InvalidInputError, match="do_sample must be"):
        w.generate(do_sample="yes")
    assert w.generate(max_new_tokens=2, temperature=0).token_ids == hf_continue(
        tiny_lm, tiny_lm.tokenizer(PROMPT)["input_ids"], 2)  # greedy: temperature 0 is fine


def test_a_cell_can_name_its_prompt_whatever_was_typed_in_the_view(tiny_lm):
    w = TokenViz(tiny_lm, prompt="something a student typed")
    analysis = w.analyze(PROMPT)
    assert w.prompt == PROMPT and analysis.text == PROMPT and w.analysis is analysis
    assert w.generate("Hello there", max_new_tokens=2).prompt.text == "Hello there" and w.prompt == "Hello there"


def test_max_new_tokens_is_refused_past_what_the_context_leaves(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT)
    prompt_length = len(w.analysis.context_ids) + len(w.analysis.tokens)
    room = tiny_lm.context_length - prompt_length
    assert w.limits["max_new_tokens"]["high"] == room
    with pytest.raises(traitlets.TraitError, match=f"max_new_tokens must be between 1 and {room}"):
        w.max_new_tokens = 10**9
    w.max_new_tokens = room  # the end of the range is allowed
    with pytest.raises(tokviz.InvalidInputError, match=f"between 1 and {room}"):
        w.generate(max_new_tokens=room + 1)


def test_temperature_zero_is_refused_while_sampling(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT, analyze_now=False)
    assert w.limits["temperature"]["low_open"] is False
    w.do_sample = True
    assert w.limits["temperature"]["low_open"] is True and w.limits["temperature"]["low"] == 0
    with pytest.raises(traitlets.TraitError, match="temperature must be a finite number > 0"):
        w.temperature = 0
    w.do_sample = False
    w.temperature = 0  # greedy
    assert w.limits["temperature"]["low_open"] is False


def test_a_failed_generate_keeps_what_the_view_showed(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT, max_new_tokens=3)
    w.generate()
    shown = (w.analysis_data, w.generation_data)
    w.prompt = " word" * 130  # longer than the context leaves: generate fails after it started streaming
    sent, changed = [], []
    w.send = lambda content, buffers=None: sent.append(content)
    w.observe(changed.append, names=["analysis_data", "generation_data"])
    with pytest.raises(tokviz.InvalidInputError, match="context window"):
        w.generate()
    # the run did clear the view's strip first (an empty delta) ... and its end shows the result again
    assert [(m["kind"], m.get("from"), m.get("chunk", {}).get("length")) for m in sent] == [
        ("generation_delta", 0, 0), ("generation_end", None, None)]
    assert (w.analysis_data, w.generation_data) == shown and not changed
    assert w.status == "error" and "context window" in w.error


def test_a_new_generate_keeps_the_branch_tree_it_replaces(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT, max_new_tokens=3)
    w.generate()
    w.branch("generated", 0, 9)
    tree = w.branches
    w.generate()
    assert len(w.branches) == 1 and w.previous_branches is tree and len(tree) == 2
    restored = w.restore_branches()
    assert restored is tree and w.branches is tree and w.generation is tree.shown.generation
    assert len(w.branches_data["branches"]) == 2


def test_the_long_studies_show_progress_bars_unless_asked_not_to(tiny_lm, capsys):
    from tokviz.data import corpus_paragraphs

    texts = [p for p in corpus_paragraphs() if len(tiny_lm.tokenizer(p)["input_ids"]) <= 120][:6]
    prompts = tokviz.multidoc_prompts(3, limit=2)
    quiet = (tokviz.layer_law(tiny_lm, texts, progress=False), tokviz.refinement(tiny_lm, prompts, progress=False),
             tokviz.layer_importance(tiny_lm, prompts, progress=False))
    assert capsys.readouterr().err == ""
    shown = (tokviz.layer_law(tiny_lm, texts), tokviz.refinement(tiny_lm, prompts),
             tokviz.layer_importance(tiny_lm, prompts))
    err = capsys.readouterr().err
    for title, total in [("layer law: reading texts", 6), ("layer law: fitting layers", tiny_lm.num_layers),
                         ("refinement: passes over the prompts", None),
                         ("layer importance: skipping layers", tiny_lm.num_layers)]:
        assert title in err
        if total is not None:
            assert f"{total}/{total}" in err
    # the bars change no number (two runs of the same least squares agree to rounding)
    assert shown[0].pr == pytest.approx(quiet[0].pr, rel=1e-12, abs=0)
    assert shown[2].drops == pytest.approx(quiet[2].drops, rel=1e-12, abs=0)
    assert [r.answer_probs for r in shown[1].records] == [r.answer_probs for r in quiet[1].records]
    with pytest.raises(tokviz.InvalidInputError, match="progress must be"):
        tokviz.layer_law(tiny_lm, texts, progress="yes")


def processed_probs(row: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """The distribution sampling draws from, written out in float64: logits / T, then keep the top_k best,
    then the fewest best whose probability reaches top_p (transformers' order), renormalised."""
    probs = (row / temperature).softmax(-1)
    order = probs.argsort(descending=True)
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order[:top_k]] = True
    kept = probs[order[:top_k]] / probs[order[:top_k]].sum()
    size = int((kept.cumsum(0) < top_p).sum()) + 1  # top-p on what top-k left, as the warpers chain them
    keep[order[size:]] = False
    out = torch.where(keep, probs, torch.zeros_like(probs))
    return out / out.sum()


def test_every_candidate_of_a_sampled_token_carries_its_probability_after_the_sampler(tiny_lm):
    settings = dict(temperature=1.2, top_k=6, top_p=0.8)
    result = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=8, do_sample=True, seed=3, alternatives=10, **settings)
    ids = tiny_lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = tiny_lm.model(torch.tensor([ids + result.token_ids])).logits[0].double()
    removed = 0
    for token, row in zip(result.tokens, logits[len(ids) - 1:]):
        expected = processed_probs(row, **settings)
        assert token.sampled_prob == pytest.approx(expected[token.token_id].item(), abs=1e-4)
        assert len(token.top) == 10
        for cand in token.top:
            assert cand.sampled_prob == pytest.approx(expected[cand.token_id].item(), abs=1e-4)
            removed += cand.sampled_prob == 0
    assert removed >= 8 * 4  # top-k 6 leaves at least 4 of every top 10 undrawable


def test_greedy_candidates_have_no_sampled_probability_and_beams_none_either(tiny_lm):
    greedy = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3)
    assert all(c.sampled_prob == c.prob for t in greedy.tokens for c in t.top)  # nothing processed
    beams = tokviz.generate(tiny_lm, PROMPT, max_new_tokens=3, num_beams=2, do_sample=True, seed=1)
    assert all(c.sampled_prob is None for t in beams.tokens for c in t.top)


def test_the_strip_says_what_the_sampler_did(tiny_lm):
    w = TokenViz(tiny_lm, prompt=PROMPT, do_sample=True, temperature=1.2, top_k=6, top_p=0.8,
                 max_new_tokens=8, alternatives=10)
    generation = w.generate()
    sent = w.generation_data
    drawn = generation.tokens
    for entry, token in zip(strip_tokens(sent), drawn):
        assert [c[2] for c in entry["top"]] == pytest.approx([c.sampled_prob for c in token.top], rel=1e-3, abs=1e-9)
        assert entry["ss"] == pytest.approx(-math.log2(token.sampled_prob), abs=0.006)
    effect = sent["sampling_effect"]
    assert (effect["temperature"], effect["top_k"], effect["top_p"], effect["tokens"]) == (1.2, 6, 0.8, 8)
    assert effect["mean_p"] == pytest.approx(sum(t.prob for t in drawn) / 8, rel=1e-3)
    assert effect["mean_sp"] == pytest.approx(sum(t.sampled_prob for t in drawn) / 8, rel=1e-3)
    assert effect["raised"] + effect["lowered"] == 8 and effect["raised"] == sum(t.sampled_prob > t.prob for t in drawn)
    assert effect["removed"] == pytest.approx(sum(c.sampled_prob == 0 for t in drawn for c in t.top) / 8, rel=1e-3)
    greedy = w.generate(do_sample=False, max_new_tokens=3)
    assert greedy.tokens and "sampling_effect" not in w.generation_data
    assert all(len(c) == 2 for e in strip_tokens(w.generation_data) for c in e["top"])
