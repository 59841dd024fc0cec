"""layer_law(): prediction residuals checked against numpy least squares on hidden states computed here."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import tokviz
from tokviz import InvalidInputError
from tokviz.backends.local.model import LanguageModel
from tokviz.data import corpus_paragraphs
from tokviz.errors import TokvizWarning
from tokviz.studies.layer_law import chunk_paragraphs

from .conftest import make_tiny_llama


def features(model, text, tokenizer, eps):
    """Per layer 1..L: x [T-1, d] (float64; RMS-normed without gain except the last) and y [T-1]."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        hidden = model(torch.tensor([ids]), output_hidden_states=True).hidden_states
    L = len(hidden) - 1
    xs = []
    for layer in range(1, L + 1):
        h = hidden[layer][0, :-1].double()
        if layer < L:
            h = h / torch.sqrt(h.pow(2).mean(-1, keepdim=True) + eps)
        xs.append(h.numpy())
    return xs, np.array(ids[1:], dtype=np.float64)


def numpy_pr(x_fit, y_fit, x_eval=None, y_eval=None):
    """OLS with intercept by numpy.linalg.lstsq (SVD); mean squared residual / variance (per column sum)."""
    design = np.hstack([x_fit, np.ones((len(x_fit), 1))])
    coef = np.linalg.lstsq(design, y_fit, rcond=None)[0]
    if x_eval is None:
        x_eval, y_eval = x_fit, y_fit
    residual = y_eval - np.hstack([x_eval, np.ones((len(x_eval), 1))]) @ coef
    return float((residual**2).sum() / ((y_eval - y_eval.mean(0)) ** 2).sum())


def reference_law(model, texts, tokenizer, eps, onehot_top=None, layers=None, held_out=True):
    per_text = [features(model, t, tokenizer, eps) for t in texts]
    y = np.concatenate([y for _, y in per_text])
    if onehot_top is not None:
        ids, counts = np.unique(y, return_counts=True)
        # most frequent first; ties broken by first occurrence, as collections.Counter does
        first_seen = {v: i for i, v in reversed(list(enumerate(y)))}
        order = sorted(range(len(ids)), key=lambda i: (-counts[i], first_seen[ids[i]]))[:onehot_top]
        frequent = [ids[i] for i in order]
        y = np.stack([(y == f).astype(np.float64) for f in frequent] + [~np.isin(y, frequent)], axis=1)
        y = y.astype(np.float64)
    fit = np.concatenate([np.full(len(t[1]), i % 2 == 0) for i, t in enumerate(per_text)])
    prs, held = {}, {}
    for layer in layers or range(len(per_text[0][0])):
        x = np.concatenate([xs[layer] for xs, _ in per_text])
        prs[layer] = numpy_pr(x, y)
        held[layer] = numpy_pr(x[fit], y[fit], x[~fit], y[~fit]) if held_out else None
    return prs, held, len(y)


@pytest.fixture(scope="module")
def tiny3(tokenizer):
    return LanguageModel(model=make_tiny_llama(len(tokenizer), layers=3, seed=2), tokenizer=tokenizer,
                         name="tiny-llama-3")


@pytest.fixture(scope="module")
def short_texts(tokenizer):
    """Corpus paragraphs that fit the tiny model's 128-token context: about 500 examples for d = 32."""
    fitting = [p for p in corpus_paragraphs() if len(tokenizer(p)["input_ids"]) <= 120]
    return fitting[:6]


@pytest.mark.parametrize("method", ["id", "onehot"])
def test_tiny_model_pr_matches_numpy_least_squares(tiny3, short_texts, method):
    top = 10 if method == "onehot" else None
    result = tokviz.layer_law(tiny3, short_texts, method=method, top_tokens=top or 100)
    eps = tiny3.model.config.rms_norm_eps
    prs, held, n = reference_law(tiny3.model, short_texts, tiny3.tokenizer, eps, onehot_top=top)
    assert result.num_examples == n and n >= 10 * 32
    assert result.layers == [1, 2, 3]
    assert result.pr == pytest.approx(list(prs.values()), rel=1e-6)
    assert result.heldout_pr == pytest.approx(list(held.values()), rel=1e-6)


def test_fit_statistics_follow_from_pr(tiny3, short_texts):
    result = tokviz.layer_law(tiny3, short_texts)
    logs = np.log10(result.pr)
    steps = np.arange(len(logs))
    slope = ((steps - steps.mean()) * (logs - logs.mean())).sum() / ((steps - steps.mean()) ** 2).sum()
    r = ((steps - steps.mean()) * (logs - logs.mean())).sum() / np.sqrt(
        ((steps - steps.mean()) ** 2).sum() * ((logs - logs.mean()) ** 2).sum())
    assert result.slope == pytest.approx(slope, rel=1e-9)
    assert result.intercept == pytest.approx(logs.mean() - slope * steps.mean(), rel=1e-9)
    assert result.pearson_r == pytest.approx(r, rel=1e-9)
    assert result.rho == pytest.approx(10**slope, rel=1e-12)
    assert result.pr_ratio == pytest.approx(result.pr[-1] / result.pr[0])
    assert sum(result.reduction_shares) == pytest.approx(1.0)
    assert result.reduction_shares[0] == pytest.approx((logs[0] - logs[1]) / (logs[0] - logs[-1]))


def test_to_dict_repr_and_plot(tiny3, short_texts):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    result = tokviz.layer_law(tiny3, short_texts)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["pr"] == result.pr and data["method"] == "id" and data["top_tokens"] is None
    assert "rho=" in repr(result) and "examples=" in repr(result)
    ax = result.plot()
    assert len(ax.lines) == 3  # in-sample points, held-out points, fitted line
    assert np.allclose(ax.lines[0].get_ydata(), np.log10(result.pr))


def test_too_few_examples_and_bad_arguments(tiny3, short_texts):
    with pytest.raises(InvalidInputError, match="more examples than hidden_size"):
        tokviz.layer_law(tiny3, ["A short text."])
    with pytest.raises(InvalidInputError, match="method must be"):
        tokviz.layer_law(tiny3, short_texts, method="ridge")
    with pytest.raises(InvalidInputError, match="non-empty list"):
        tokviz.layer_law(tiny3, "one string")
    with pytest.raises(InvalidInputError, match="texts\\[1\\] is empty"):
        tokviz.layer_law(tiny3, ["fine", ""])
    with pytest.warns(TokvizWarning, match="biased low"):
        tokviz.layer_law(tiny3, short_texts[:2])


def test_default_corpus_chunks_fit_256_tokens(tokenizer):
    chunks = chunk_paragraphs(tokenizer, corpus_paragraphs(), 256)
    lengths = [len(tokenizer(c, add_special_tokens=False)["input_ids"]) for c in chunks]
    assert max(lengths) <= 256
    assert 7000 <= sum(lengths) <= 8000
    assert "\n\n".join(chunks) == "\n\n".join(corpus_paragraphs())


@pytest.mark.slow
def test_default_model_one_layer_matches_numpy(default_lm, tokenizer):
    texts = chunk_paragraphs(tokenizer, corpus_paragraphs(), 256)[:3]
    with pytest.warns(TokvizWarning):
        result = tokviz.layer_law(default_lm, texts)
    checked = (0, 14, 29)  # layers 1 and 15 (fresh norm) and 30 (the model's own norm)
    prs, _, n = reference_law(default_lm.model, texts, tokenizer, default_lm.model.config.rms_norm_eps,
                              layers=checked, held_out=False)
    assert result.num_examples == n > 577
    for layer in checked:
        assert result.pr[layer] == pytest.approx(prs[layer], rel=1e-5)
    # half of three texts is fewer examples than the hidden size: no held-out fit is possible
    assert result.heldout_pr == [None] * 30 and result.heldout_slope is None


@pytest.mark.slow
def test_default_model_follows_the_law(default_lm):
    result = tokviz.layer_law(default_lm)
    print(result)
    print("PR:", [round(p, 4) for p in result.pr])
    print("held-out PR:", [round(p, 4) for p in result.heldout_pr])
    print(f"held-out slope={result.heldout_slope}, r={result.heldout_pearson_r}")
    assert result.num_examples >= 10 * result.hidden_size
    assert result.pr[-1] < result.pr[0]
    assert result.slope < 0 and result.rho < 1
    assert result.pearson_r < 0
