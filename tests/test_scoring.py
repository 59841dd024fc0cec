"""score_labels against an independent teacher-forced computation (plain tokenizer + model + log_softmax)."""

from __future__ import annotations

import json
import math

import pytest
import torch

import tokviz
from tokviz.backends.local import forward
from tokviz.errors import InvalidInputError

TEMPLATE = "Review: {x}\nSentiment: {y}. Done."  # the label sits in the middle
REVIEW = "The plot was thin but the actors {were} great!"  # braces must stay literal


def teacher_forced(lm, text):
    """Token ids, their character offsets, and log P(token | before) (None for an unpredicted first token)."""
    encoding = lm.tokenizer(text, add_special_tokens=True, return_offsets_mapping=True)
    ids = encoding["input_ids"]
    with torch.no_grad():
        logits = lm.model(torch.tensor([ids])).logits[0].double()
    logprobs = logits.log_softmax(-1)
    per_token = [None] + [logprobs[i - 1, ids[i]].item() for i in range(1, len(ids))]
    return ids, encoding["offset_mapping"], per_token


def span_tokens(offsets, start, end):
    """Indices of tokens whose character offsets overlap [start, end)."""
    return [i for i, (a, b) in enumerate(offsets) if a < end and b > start]


def test_logprobs_match_teacher_forcing(tiny_lm):
    labels = ["positive", "negative", "somewhat mixed feelings", "très bien"]
    result = tokviz.score_labels(tiny_lm, TEMPLATE, REVIEW, labels)
    assert result.labels == labels
    for label, score in zip(labels, result.scores, strict=True):
        prefix = "Review: " + REVIEW + "\nSentiment: "
        text = prefix + label + ". Done."
        assert score.text == text
        ids, offsets, reference = teacher_forced(tiny_lm, text)
        assert [t.token_id for t in score.tokens] == ids
        assert score.tokens[0].logprob is None
        for token, expected in zip(score.tokens[1:], reference[1:], strict=True):
            assert token.logprob == pytest.approx(expected, abs=1e-4)
        assert score.logprob == pytest.approx(sum(reference[1:]), abs=1e-4)
        inside = span_tokens(offsets, len(prefix), len(prefix) + len(label))
        assert [t.index for t in score.tokens if t.in_label] == inside
        assert score.label_tokens == len(inside)
        assert score.label_logprob == pytest.approx(sum(reference[i] for i in inside), abs=1e-4)
        assert score.mean_label_logprob == pytest.approx(score.label_logprob / len(inside), abs=1e-6)
    assert result["somewhat mixed feelings"].label_tokens >= 3
    assert "".join(t.text for t in result["très bien"].tokens) == result["très bien"].text


def test_label_token_includes_the_space_before_it(tiny_lm):
    tokenizer = tiny_lm.tokenizer
    positive = tokenizer(" positive", add_special_tokens=False)["input_ids"]
    assert len(positive) == 1, "the test needs ' positive' to be one token"
    result = tokviz.score_labels(tiny_lm, TEMPLATE, "Fine.", ["positive"])
    ids, _, reference = teacher_forced(tiny_lm, "Review: Fine.\nSentiment: positive. Done.")
    j = ids.index(positive[0])
    score = result.scores[0]
    assert [t.index for t in score.tokens if t.in_label] == [j]
    assert score.tokens[j].text == " positive"
    assert score.label_logprob == pytest.approx(reference[j], abs=1e-4)


def test_label_at_the_end_and_multi_token(tiny_lm):
    result = tokviz.score_labels(tiny_lm, "Q: {x}\nA:{y}", "2+2?", [" four", " 4", " quatre-vingt-dix"])
    for score in result.scores:
        ids, offsets, reference = teacher_forced(tiny_lm, score.text)
        start = score.text.index("A:") + 2
        inside = span_tokens(offsets, start, len(score.text))
        assert [t.index for t in score.tokens if t.in_label] == inside
        assert score.label_logprob == pytest.approx(sum(reference[i] for i in inside), abs=1e-4)
        assert inside[-1] == len(ids) - 1


def test_batched_equals_unbatched_and_chunked(tiny_lm, monkeypatch):
    labels = ["yes", "no", "a much longer label with many tokens in it", "maybe"]
    batched = tokviz.score_labels(tiny_lm, TEMPLATE, REVIEW, labels)
    single = tokviz.score_labels(tiny_lm, TEMPLATE, REVIEW, labels, batch_size=1)
    assert batched.forward_passes == 1 and single.forward_passes == len(labels)
    # A tiny token budget per pass forces several passes of a few sequences each.
    monkeypatch.setattr(forward, "TOKENS_PER_PASS", 60)
    chunked = tokviz.score_labels(tiny_lm, TEMPLATE, REVIEW, labels)
    assert 1 < chunked.forward_passes < len(labels)
    for other in (single, chunked):
        for a, b in zip(batched.scores, other.scores, strict=True):
            assert a.logprob == pytest.approx(b.logprob, abs=1e-4)
            assert a.label_logprob == pytest.approx(b.label_logprob, abs=1e-4)
            assert [t.logprob for t in a.tokens[1:]] == pytest.approx([t.logprob for t in b.tokens[1:]], abs=1e-4)


@pytest.mark.parametrize("normalize", ["label", "mean", "full"])
def test_distribution_is_softmax_of_the_chosen_score(tiny_lm, normalize):
    labels = ["good", "bad", "very very good indeed"]
    result = tokviz.score_labels(tiny_lm, TEMPLATE, "ok", labels, normalize=normalize)
    chosen = {"label": "label_logprob", "mean": "mean_label_logprob", "full": "logprob"}[normalize]
    values = torch.tensor([getattr(s, chosen) for s in result.scores], dtype=torch.float64)
    expected = values.softmax(0).tolist()
    assert result.probs == pytest.approx(expected, abs=1e-9)
    assert sum(result.probs) == pytest.approx(1.0, abs=1e-12)
    assert result.predicted == labels[int(values.argmax())]
    assert result.distribution == dict(zip(labels, result.probs, strict=True))


def test_to_dict_repr_and_table(tiny_lm):
    result = tokviz.score_labels(tiny_lm, TEMPLATE, REVIEW, ["positive", "negative"])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["labels"] == ["positive", "negative"] and data["predicted"] == result.predicted
    assert data["scores"][0]["tokens"][0]["logprob"] is None
    assert math.isclose(sum(data["probs"]), 1.0)
    assert "LabelScores(predicted=" in repr(result) and "'positive'" in repr(result)
    table = result.table()
    assert "'negative'" in table and "*" in table


@pytest.mark.parametrize(
    ("template", "x", "labels", "kwargs", "message"),
    [
        ("Review: {x}", "a", ["b"], {}, r"\{y\} exactly once"),
        ("Sentiment: {y}", "a", ["b"], {}, r"\{x\}"),
        ("{x} {y} {y}", "a", ["b"], {}, "exactly once"),
        (None, "a", ["b"], {}, "template must be a string"),
        (TEMPLATE, "a", [], {}, "labels is empty"),
        (TEMPLATE, "a", "positive", {}, "must be a list of strings"),
        (TEMPLATE, "a", ["yes", "no", "yes"], {}, "distinct; repeated: 'yes'"),
        (TEMPLATE, "a", ["yes", 3], {}, r"labels\[1\] must be a string"),
        (TEMPLATE, "a", ["yes", ""], {}, r"labels\[1\] is empty"),
        (TEMPLATE, 5, ["yes"], {}, "x must be a string"),
        (TEMPLATE, "a", ["yes"], {"normalize": "sum"}, "normalize must be one of"),
        (TEMPLATE, "a", ["yes"], {"batch_size": 0}, "batch_size must be a positive integer"),
        ("{y}: {x}", "a", ["yes"], {}, "starts the text"),
    ],
)
def test_bad_input_is_rejected(tiny_lm, template, x, labels, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.score_labels(tiny_lm, template, x, labels, **kwargs)


def test_too_long_names_the_label(tiny_lm):
    with pytest.raises(InvalidInputError, match=r"label 'yes'.*context window"):
        tokviz.score_labels(tiny_lm, TEMPLATE, "word " * 200, ["yes"])


@pytest.mark.slow
def test_default_model_scores_sentiment(default_lm):
    template = "Review: {x}\nSentiment: {y}"
    labels = ["positive", "negative"]
    good = tokviz.score_labels(default_lm, template, "I loved this movie, it was wonderful!", labels)
    bad = tokviz.score_labels(default_lm, template, "Terrible film. Boring and far too long.", labels)
    assert good.predicted == "positive" and good.probs[0] > 0.8
    assert bad.predicted == "negative" and bad.probs[1] > 0.7
    for score in bad.scores:
        _, _, reference = teacher_forced(default_lm, score.text)
        assert score.label_tokens == 1 and score.tokens[-1].in_label
        assert score.label_logprob == pytest.approx(reference[-1], abs=1e-4)
        assert score.logprob == pytest.approx(sum(reference[1:]), abs=1e-3)
