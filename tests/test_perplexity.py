"""Sliding-window perplexity: every token after the first scored once, checked against plain torch."""

from __future__ import annotations

import math

import pytest
import torch

import tokviz
from tokviz import InvalidInputError

LONG = " ".join(f"Line {i}: the quick brown fox number {i * 7 % 11} jumps." for i in range(40))


def reference_logprob(lm, ids, window, stride):
    """Plain torch: slide the window, and score each token once, the first time a window reaches it."""
    total, done, start = 0.0, 1, 0
    while done < len(ids):
        end = min(start + window, len(ids))
        with torch.no_grad():
            logp = lm.model(torch.tensor([ids[start:end]])).logits[0].double().log_softmax(-1)
        for j in range(max(done, start + 1), end):
            total += logp[j - start - 1, ids[j]].item()
        done, start = end, start + stride
    return total


@pytest.mark.parametrize(("window", "stride"), [(128, 64), (100, 99), (50, 1)])
def test_long_text_scores_every_token_once(tiny_lm, window, stride):
    ids = tiny_lm.tokenizer(LONG, add_special_tokens=False)["input_ids"]
    assert len(ids) > 2 * tiny_lm.context_length  # longer than the context: analyze() would refuse it
    result = tokviz.perplexity(tiny_lm, LONG, window=window, stride=stride)
    assert result.scored_tokens == len(ids) - 1
    assert result.scored_bytes == len(LONG.encode()) - len(tiny_lm.vocabulary.bytes_of(ids[0]))
    expected = reference_logprob(tiny_lm, ids, window, stride)
    assert result.total_logprob == pytest.approx(expected, abs=1e-3)
    assert result.perplexity == pytest.approx(math.exp(-expected / (len(ids) - 1)), rel=1e-5)
    assert result.bits_per_byte == pytest.approx(-expected / math.log(2) / result.scored_bytes, rel=1e-5)


def test_short_text_equals_analyze(tiny_lm):
    text = "A short text that fits in one window."
    assert tokviz.perplexity(tiny_lm, text).perplexity == pytest.approx(tokviz.analyze(tiny_lm, text).perplexity,
                                                                         rel=1e-5)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": 1}, "window must be"),
    ({"window": 10**6}, "window must be"),
    ({"window": 64, "stride": 64}, "stride must be"),
    ({"window": 64, "stride": 0}, "stride must be"),
])
def test_bad_windows(tiny_lm, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.perplexity(tiny_lm, LONG, **kwargs)


def test_single_token_and_empty_text(tiny_lm):
    with pytest.raises(InvalidInputError, match="single token"):
        tokviz.perplexity(tiny_lm, "Hi")
    with pytest.raises(InvalidInputError, match="empty"):
        tokviz.perplexity(tiny_lm, "")


def test_too_long_for_analyze_points_to_perplexity(tiny_lm):
    with pytest.raises(InvalidInputError, match=r"tokviz\.perplexity"):
        tokviz.analyze(tiny_lm, LONG)
