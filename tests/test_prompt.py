"""analyze(): every number checked against an independent softmax of the model's own logits."""

from __future__ import annotations

import math

import pytest
import torch

import tokviz
from tokviz import InvalidInputError

from .conftest import BERLIN_PROMPT


def reference(lm, text):
    """Independent computation: plain tokenizer + model + softmax, no tokviz code."""
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = lm.model(torch.tensor([ids])).logits[0].double()
    probs = logits.softmax(-1)
    return ids, probs


def test_probabilities_match_softmax_of_logits(tiny_lm):
    text = "Hello world, this is a small test of token probabilities."
    result = tokviz.analyze(tiny_lm, text, alternatives=7)
    ids, probs = reference(tiny_lm, text)
    assert result.token_ids == ids
    assert result.tokens[0].prob is None and result.tokens[0].rank is None
    for i in range(1, len(ids)):
        token = result.tokens[i]
        dist = probs[i - 1]
        assert token.prob == pytest.approx(dist[ids[i]].item(), abs=1e-5)
        assert token.logprob == pytest.approx(math.log(dist[ids[i]].item()), abs=1e-4)
        assert token.rank == int((dist > dist[ids[i]]).sum()) + 1
        entropy = -(dist * dist.clamp_min(1e-300).log()).sum().item()
        assert token.entropy == pytest.approx(entropy, abs=1e-3)
        expected_top = dist.topk(7)
        assert [c.token_id for c in token.top] == expected_top.indices.tolist()
        assert [c.prob for c in token.top] == pytest.approx(expected_top.values.tolist(), abs=1e-5)
        # rank 1 <=> the token is the first candidate
        assert (token.rank == 1) == (token.top[0].token_id == ids[i])
    expected_next = probs[-1].topk(7)
    assert [c.token_id for c in result.next] == expected_next.indices.tolist()


def test_perplexity_is_exp_of_mean_negative_logprob(tiny_lm):
    text = "Perplexity of a short sentence."
    result = tokviz.analyze(tiny_lm, text)
    ids, probs = reference(tiny_lm, text)
    logprobs = [math.log(probs[i - 1][ids[i]].item()) for i in range(1, len(ids))]
    assert result.perplexity == pytest.approx(math.exp(-sum(logprobs) / len(logprobs)), rel=1e-4)
    assert result.total_logprob == pytest.approx(sum(logprobs), abs=1e-3)


def test_single_token_has_no_perplexity(tiny_lm):
    result = tokviz.analyze(tiny_lm, "Hi")
    assert len(result.tokens) == 1 and result.perplexity is None and len(result.next) == 10


def test_texts_join_to_decoded_text(tiny_lm):
    text = "naïve café 😀 <b>bold</b>\n\ttabs  and  spaces 日本語"
    result = tokviz.analyze(tiny_lm, text)
    assert "".join(t.text for t in result.tokens) == text
    assert b"".join(t.bytes for t in result.tokens) == text.encode()
    partial = [t for t in result.tokens if t.text == ""]
    assert partial, "the emoji should be split into partial-byte tokens"


def test_to_dict_is_json_ready(tiny_lm):
    import json

    data = tokviz.analyze(tiny_lm, "Some text", alternatives=3).to_dict()
    round_trip = json.loads(json.dumps(data))
    assert round_trip["tokens"][1]["top"][0]["prob"] == data["tokens"][1]["top"][0]["prob"]
    assert len(round_trip["next"]) == 3


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "empty"),
        (None, {}, "must be a string"),
        ("fine", {"alternatives": 0}, "alternatives must be between 1"),
        ("fine", {"alternatives": 10**9}, "alternatives must be between 1"),
        ("fine", {"alternatives": 2.5}, "alternatives must be an integer"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(tiny_lm, text, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.analyze(tiny_lm, text, **kwargs)


def test_text_longer_than_context_names_both_lengths(tiny_lm):
    text = "word " * 400
    with pytest.raises(InvalidInputError) as error:
        tokviz.analyze(tiny_lm, text)
    length = len(tiny_lm.tokenizer(text, add_special_tokens=False)["input_ids"])
    assert f"{length} tokens" in str(error.value) and "128" in str(error.value)


@pytest.mark.slow
def test_default_model_predicts_berlin(default_lm):
    result = tokviz.analyze(default_lm, BERLIN_PROMPT)
    assert result.next[0].text == " Berlin"
    assert result.next[0].prob > 0.9
    ids, probs = reference(default_lm, BERLIN_PROMPT)
    for i in range(1, len(ids)):
        assert result.tokens[i].prob == pytest.approx(probs[i - 1][ids[i]].item(), abs=1e-5)


@pytest.mark.slow
def test_default_model_sums_and_ranks_consistent(default_lm):
    result = tokviz.analyze(default_lm, "One, two, three, four, five", alternatives=50)
    for token in result.tokens[1:]:
        total = sum(c.prob for c in token.top)
        assert total <= 1.0 + 1e-5
        probs = [c.prob for c in token.top]
        assert probs == sorted(probs, reverse=True)
        if token.rank <= 50:
            assert token.top[token.rank - 1].prob == pytest.approx(token.prob, abs=1e-6)
        else:
            assert token.prob <= token.top[-1].prob + 1e-7


def test_the_old_name_top_k_still_sets_alternatives_with_a_warning(tiny_lm):
    with pytest.warns(FutureWarning, match=r"analyze\(top_k=...\) is now analyze\(alternatives=...\)"):
        old = tokviz.analyze(tiny_lm, "Some text here", top_k=3)
    assert old.alternatives == 3 and all(len(t.top) == 3 for t in old.tokens[1:])
    assert old.to_dict() == tokviz.analyze(tiny_lm, "Some text here", alternatives=3).to_dict()
