"""perplexity, score_labels, icl_curve and bayes_icl on a served model (the real llama-cpp-python server),
checked against the local default model through plain transformers; what needs hidden states is refused."""

from __future__ import annotations

import math

import pytest
import torch

import tokviz
from tokviz.backends.served.model import ServedModel

from .served_server import requires_server

TEXT = "Paris is the capital of France. Berlin is the capital of Germany."  # every token in the top 200


@pytest.fixture(scope="module")
def served_wide(server_url):
    """The same server asked for its top 200 at every position: llama-cpp-python's prompt numbers are
    shifted, so a token's log-probability is read from the top-k, and 200 holds every token here."""
    return tokviz.connect(server_url, timeout=120, logprobs=200)


def local_total_logprob(lm, text: str) -> tuple[float, int]:
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        logprobs = lm.model(input_ids=torch.tensor([ids])).logits[0].double().log_softmax(-1)
    return sum(float(logprobs[i - 1, ids[i]]) for i in range(1, len(ids))), len(ids) - 1


@requires_server
@pytest.mark.slow
def test_perplexity_agrees_with_the_local_model(served_wide, default_lm):
    result = tokviz.perplexity(served_wide, TEXT)
    total, scored = local_total_logprob(default_lm, TEXT)
    assert result.scored_tokens == scored
    assert abs(result.total_logprob - total) < 0.3 * scored ** 0.5 + 0.5
    assert math.isclose(result.perplexity, math.exp(-total / scored), rel_tol=0.1)
    assert math.isclose(result.perplexity, tokviz.analyze(served_wide, TEXT).perplexity, rel_tol=1e-9)


@requires_server
@pytest.mark.slow
def test_a_token_outside_the_servers_top_k_is_a_clear_error(served):
    with pytest.raises(tokviz.NumberUnavailableError, match=r"outside the top 20.*logprobs=K"):
        tokviz.perplexity(served, "The capital of France is zebra marmalade.")


@requires_server
@pytest.mark.slow
def test_label_scores_agree_with_the_local_model(served_wide, default_lm):
    template, x, labels = "Review: {x}\nSentiment: {y}", "This movie was great.", ["positive", "negative"]
    remote = tokviz.score_labels(served_wide, template, x, labels)
    local = tokviz.score_labels(default_lm, template, x, labels)
    assert remote.predicted == local.predicted
    for r, loc in zip(remote.scores, local.scores):
        assert [t.token_id for t in r.tokens] == [t.token_id for t in loc.tokens]
        assert abs(r.label_logprob - loc.label_logprob) < 0.5
        # " movie" (rank 989 locally) is outside the server's top 200: the whole text's number is unknown
        assert r.logprob is None and any(t.logprob is None for t in r.tokens if not t.in_label)
    assert abs(sum(remote.probs) - 1) < 1e-9
    with pytest.raises(tokviz.NumberUnavailableError, match="normalize='label'"):
        tokviz.score_labels(served_wide, template, x, labels, normalize="full")


@requires_server
@pytest.mark.slow
def test_icl_curve_agrees_and_leaves_out_what_the_server_lacks(served, default_lm):
    examples = [("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid")]
    args = dict(examples=examples, query="Japan", answer="Tokyo", orders=2, alternatives=5)
    remote = tokviz.icl_curve(served, **args)
    local = tokviz.icl_curve(default_lm, **args)
    # With no example " Tokyo" is far outside the server's top 20 (rank 15,023 locally): unknown, not guessed.
    assert local.answer_ranks[0] > 1000
    assert remote.answer_probs[0] is None and remote.answer_prob_min[0] is None
    assert "answer_probs" in remote.unavailable and "entropies" in remote.unavailable
    for r, loc in zip(remote.answer_probs[1:], local.answer_probs[1:]):
        assert abs(r - loc) < 0.1
    assert all(h is None for h in remote.entropies)
    strip = remote.strips[-1]
    assert all(t.entropy is None for t in strip.tokens)
    assert any(t.prob is None for t in strip.tokens[1:])  # e.g. "Germany" after "France -> Paris\n"
    assert strip.perplexity is None
    payload = tokviz.ICLView(remote).data
    assert payload["mean"][0] is None and payload["unavailable"]["answer_probs"]


@requires_server
@pytest.mark.slow
def test_bayes_icl_reads_the_outcomes_from_the_top_k(served, default_lm):
    sequences = tokviz.draw_sequences(hidden=(0.2, 0.8), per_hidden=1, length=6, seed=4)
    remote = tokviz.bayes_icl(served, sequences)
    local = tokviz.bayes_icl(default_lm, sequences)
    valid = local.valid
    assert (remote.valid == valid).all()
    assert abs(remote.token_probs[valid] - local.token_probs[valid]).max() < 0.1


def test_what_needs_hidden_states_or_logits_is_refused_without_asking_the_server():
    offline = ServedModel("http://127.0.0.1:9", "big-model", api_key=None, timeout=1.0)
    for call in (lambda: tokviz.logit_lens(offline, "Hello"), lambda: tokviz.layer_law(offline),
                 lambda: tokviz.refinement(offline, tokviz.multidoc_prompts(3)[:1]),
                 lambda: tokviz.layer_importance(offline, tokviz.multidoc_prompts(3)[:1]),
                 lambda: tokviz.position_logits(offline, "Hello")):
        with pytest.raises(tokviz.CapabilityError, match="load the model locally"):
            call()
