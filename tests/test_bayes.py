"""Bayesian ICL: the references against closed forms, the prior fit on synthetic predictions, the model's
probabilities against an independent float64 forward pass, and the view's payload against the result."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

import tokviz
from tokviz.analysis import bayes_result, dirichlet
from tokviz.errors import InvalidInputError

COINS = [list("HHTH"), list("TTTTTH"), list("H"), list("HTHHHTT")]


# --- the references in closed form ----------------------------------------------------------------

def test_laplace_rule_by_hand():
    # (h + 1) / (n + 2) after h heads in n flips
    for heads, tails, expected in [(0, 0, 1 / 2), (1, 0, 2 / 3), (0, 1, 1 / 3), (2, 1, 3 / 5), (3, 0, 4 / 5),
                                   (5, 5, 1 / 2), (1, 6, 2 / 9)]:
        got = dirichlet.dirichlet_predictive([heads, tails], 1.0)
        assert got == pytest.approx([expected, 1 - expected], abs=1e-15)


def test_dirichlet_predictive_closed_form():
    # (count_k + alpha) / (n + K alpha), K = 3, alpha = 0.5, counts (2, 0, 1)
    assert dirichlet.dirichlet_predictive([2, 0, 1], 0.5) == pytest.approx([2.5 / 4.5, 0.5 / 4.5, 1.5 / 4.5], abs=1e-15)
    # many rows at once, and the limits: alpha -> 0 is the frequency, alpha -> inf the uniform distribution
    counts = np.array([[3, 1], [0, 4], [2, 2]])
    assert dirichlet.dirichlet_predictive(counts, 1e-12) == pytest.approx(counts / 4, abs=1e-9)
    assert dirichlet.dirichlet_predictive(counts, 1e12) == pytest.approx(np.full((3, 2), 0.5), abs=1e-9)
    assert dirichlet.dirichlet_predictive(counts, 2.0).sum(-1) == pytest.approx([1, 1, 1])


def test_frequency_undefined_before_the_first_observation():
    assert dirichlet.frequency([2, 1]) == pytest.approx([2 / 3, 1 / 3])
    assert dirichlet.frequency([0, 3, 1]) == pytest.approx([0, 3 / 4, 1 / 4])
    assert np.isnan(dirichlet.frequency([0, 0])).all()


def test_kl_and_total_variation_by_hand():
    q, r = [0.5, 0.5], [0.25, 0.75]
    assert dirichlet.kl_divergence(q, r) == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3), abs=1e-15)
    assert dirichlet.kl_divergence(q, q) == 0
    assert dirichlet.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))  # 0 log 0 = 0
    assert dirichlet.kl_divergence([0.9, 0.1], [1.0, 0.0]) == math.inf  # the frequency after a run
    assert np.isnan(dirichlet.kl_divergence([0.5, 0.5], [np.nan, np.nan]))
    assert dirichlet.total_variation(q, r) == pytest.approx(0.25)  # two outcomes: |q_1 - r_1|
    assert dirichlet.total_variation([0.2, 0.3, 0.5], [0.5, 0.3, 0.2]) == pytest.approx(0.3)


# --- the prior fit ---------------------------------------------------------------------------------

def synthetic_counts(k: int, rows: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 20, size=rows)
    return np.array([rng.multinomial(m, rng.dirichlet(np.ones(k))) for m in n], dtype=float)


@pytest.mark.parametrize("alpha", [0.05, 0.7, 1.0, 4.0, 60.0])
@pytest.mark.parametrize("k", [2, 6])
def test_fit_recovers_the_alpha_that_made_the_predictions(alpha, k):
    counts = synthetic_counts(k, 200, seed=k)
    q = dirichlet.dirichlet_predictive(counts, alpha)
    fitted, at_bound = dirichlet.fit_alpha(q, counts)
    assert fitted == pytest.approx(alpha, rel=1e-6)
    assert not at_bound


def test_fit_is_the_minimum_of_the_mean_kl_on_noisy_predictions():
    counts = synthetic_counts(3, 300, seed=5)
    rng = np.random.default_rng(1)
    q = dirichlet.dirichlet_predictive(counts, 2.0) ** 1.5 * rng.uniform(0.6, 1.4, size=counts.shape)  # sharper, noisy
    q /= q.sum(-1, keepdims=True)

    def mean_kl(alpha):
        return float(dirichlet.kl_divergence(q, dirichlet.dirichlet_predictive(counts, alpha)).mean())

    # brute force: the best of 20,001 alphas evenly spaced in log alpha over [0.3, 30]
    grid = np.exp(np.linspace(math.log(0.3), math.log(30), 20001))
    best = grid[int(np.argmin([mean_kl(a) for a in grid]))]
    fitted, at_bound = dirichlet.fit_alpha(q, counts)
    assert fitted == pytest.approx(best, rel=3e-4) and not at_bound
    assert abs(fitted - 2.0) > 0.1  # sharper predictions: a weaker prior than the one they came from
    # maximum likelihood = minimum mean KL: nearby alphas do worse
    for factor in (0.999, 1.001):
        assert mean_kl(fitted * factor) > mean_kl(fitted)


def test_fit_reports_the_bound_when_the_model_follows_the_frequency():
    counts = synthetic_counts(2, 100)
    q = dirichlet.dirichlet_predictive(counts, 1e-6)  # below the search range
    fitted, at_bound = dirichlet.fit_alpha(q, counts)
    assert at_bound and fitted == dirichlet.ALPHA_LOW
    fitted, at_bound = dirichlet.fit_alpha(dirichlet.dirichlet_predictive(counts, 1e5), counts)
    assert at_bound and fitted == dirichlet.ALPHA_HIGH
    assert math.isnan(dirichlet.fit_alpha(np.zeros((0, 2)), np.zeros((0, 2)))[0])


def test_doubling_windows():
    assert dirichlet.doubling_windows(15) == [(1, 1), (2, 3), (4, 7), (8, 15)]
    assert dirichlet.doubling_windows(5) == [(1, 1), (2, 3), (4, 5)]
    assert dirichlet.doubling_windows(0) == []


# --- drawing sequences ----------------------------------------------------------------------------

def test_draw_sequences_is_seeded_and_follows_the_hidden_distribution():
    drawn = tokviz.draw_sequences(("H", "T"), (0.1, 0.9), per_hidden=2, length=400, seed=3)
    again = tokviz.draw_sequences(("H", "T"), (0.1, 0.9), per_hidden=2, length=400, seed=3)
    assert drawn.sequences == again.sequences
    assert drawn.sequences != tokviz.draw_sequences(("H", "T"), (0.1, 0.9), per_hidden=2, length=400, seed=4).sequences
    assert drawn.labels == ["P(H) = 0.1"] * 2 + ["P(H) = 0.9"] * 2
    assert np.allclose(drawn.hidden, [[0.1, 0.9]] * 2 + [[0.9, 0.1]] * 2, rtol=0, atol=1e-15)
    heads = [s.count("H") / 400 for s in drawn.sequences]
    assert all(abs(h - p) < 0.05 for h, p in zip(heads, [0.1, 0.1, 0.9, 0.9]))
    die = tokviz.draw_sequences(tuple("123456"), 2, per_hidden=1, length=5, seed=0)
    assert len(die.hidden) == 2 and all(sum(h) == pytest.approx(1) and len(h) == 6 for h in die.hidden)
    assert all(len(s) == 5 and set(s) <= set("123456") for s in die.sequences)
    with pytest.raises(InvalidInputError, match="sum to 1"):
        tokviz.draw_sequences(("a", "b", "c"), [(0.5, 0.6, 0.1)])
    with pytest.raises(InvalidInputError, match="one probability per outcome"):
        tokviz.draw_sequences(("a", "b", "c"), [0.5])


# --- the model's numbers against an independent computation ---------------------------------------

def reference_probs(lm, text: str, prefix: str, seq: list[str], separator: str, outcomes):
    """Float64 forward pass of a copy of the model; each observation located by the tokenizer's character
    offsets; P(each outcome's token) at the position before that observation's token."""
    model = copy.deepcopy(lm.model).double()
    encoding = lm.tokenizer(text, add_special_tokens=True, return_offsets_mapping=True)
    ids, offsets = encoding["input_ids"], encoding["offset_mapping"]
    with torch.no_grad():
        probs = model(torch.tensor([ids])).logits[0].softmax(-1)
    token_of = [lm.tokenizer(prefix + o, add_special_tokens=False)["input_ids"][-1] for o in outcomes]
    rows, cuts = [], []
    start = len(prefix)
    for outcome in seq:
        index = next(i for i, (a, b) in enumerate(offsets) if a < start + len(outcome) and b > start)
        assert ids[index] == token_of[outcomes.index(outcome)]
        rows.append([probs[index - 1, t].item() for t in token_of])
        cuts.append(offsets[index][0])
        start += len(outcome) + len(separator)
    return np.array(rows), cuts


def test_model_probabilities_match_a_float64_forward_pass(tiny_lm):
    result = tokviz.bayes_icl(tiny_lm, COINS, ("H", "T"), template="Coin flips: {sequence}")
    assert result.outcome_tokens == [" H", " T"]
    for s, seq in enumerate(COINS):
        text = "Coin flips: " + ", ".join(seq)
        assert result.texts[s] == text
        expected, cuts = reference_probs(tiny_lm, text, "Coin flips: ", seq, ", ", ("H", "T"))
        n = len(seq)
        np.testing.assert_allclose(result.token_probs[s, :n], expected, rtol=2e-4)
        np.testing.assert_allclose(result.outside[s, :n], 1 - expected.sum(-1), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(result.model[s, :n], expected / expected.sum(-1, keepdims=True), rtol=2e-4)
        assert np.isnan(result.model[s, n:]).all() and not result.valid[s, n:].any()
        # where each prediction is made: the prompt ends before the token of observation n (" H" holds the space)
        assert result.prompt_ends[s] == cuts
        assert [text[:c] for c in cuts[:2]] == ["Coin flips:", f"Coin flips: {seq[0]},"][: len(cuts)]


def test_other_outcomes_and_separators(tiny_lm):
    # a die written with spaces: digits are their own tokens after a space token
    rolls = [list("3161"), list("2456")]
    result = tokviz.bayes_icl(tiny_lm, rolls, tuple("123456"), template="Die rolls: {sequence}.", separator=" ")
    assert result.outcome_tokens == list("123456")
    for s, seq in enumerate(rolls):
        text = "Die rolls: " + " ".join(seq) + "."
        expected, cuts = reference_probs(tiny_lm, text, "Die rolls: ", seq, " ", tuple("123456"))
        np.testing.assert_allclose(result.token_probs[s], expected, rtol=2e-4)
        assert result.prompt_ends[s] == cuts == [11, 13, 15, 17]


def test_references_are_the_closed_forms_of_the_counts(tiny_lm):
    result = tokviz.bayes_icl(tiny_lm, COINS, ("H", "T"))
    for s, seq in enumerate(COINS):
        for n in range(len(seq)):
            heads, tails = seq[:n].count("H"), seq[:n].count("T")
            assert list(result.counts[s, n]) == [heads, tails]
            assert result.laplace[s, n] == pytest.approx([(heads + 1) / (n + 2), (tails + 1) / (n + 2)], abs=1e-15)
            a = result.alpha
            assert result.bayes[s, n] == pytest.approx([(heads + a) / (n + 2 * a), (tails + a) / (n + 2 * a)])
            if n == 0:
                assert np.isnan(result.frequency[s, n]).all()
            else:
                assert result.frequency[s, n] == pytest.approx([heads / n, tails / n], abs=1e-15)


def test_per_n_means_and_fits_by_hand(tiny_lm):
    result = tokviz.bayes_icl(tiny_lm, COINS, ("H", "T"))
    for n in range(max(map(len, COINS))):
        rows = [s for s, seq in enumerate(COINS) if len(seq) > n]
        assert result.count[n] == len(rows)
        q = [result.model[s, n] for s in rows]
        for name in bayes_result.REFERENCES:
            ref = [result.reference(name)[s, n] for s in rows]
            if name == "frequency" and n == 0:
                assert math.isnan(result.tv[name][n]) and math.isnan(result.kl[name][n])
                continue
            tv = np.mean([abs(a[0] - b[0]) for a, b in zip(q, ref)])
            kl = np.mean([sum(x * math.log(x / y) if y > 0 else math.inf for x, y in zip(a, b))
                          for a, b in zip(q, ref)])
            assert result.tv[name][n] == pytest.approx(tv, rel=1e-12)
            assert result.kl[name][n] == pytest.approx(kl, rel=1e-12)
        assert result.mean_outside[n] == pytest.approx(np.mean([result.outside[s, n] for s in rows]))
    # alpha: the one fit over every prediction after at least one observation, the per-n and per-window fits
    later = [(s, n) for s, seq in enumerate(COINS) for n in range(1, len(seq))]
    q = np.array([result.model[s, n] for s, n in later])
    counts = np.array([result.counts[s, n] for s, n in later])
    assert (result.alpha, result.alpha_at_bound) == dirichlet.fit_alpha(q, counts)
    assert result.windows == [(1, 1), (2, 3), (4, 6)]
    for (first, last), a in zip(result.windows, result.alpha_by_window):
        inside = [i for i, (_, n) in enumerate(later) if first <= n <= last]
        assert a == dirichlet.fit_alpha(q[inside], counts[inside])[0]
    assert math.isnan(result.alpha_by_n[0])
    assert result.alpha_by_n[5] == dirichlet.fit_alpha(q[[i for i, (_, n) in enumerate(later) if n == 5]],
                                                   counts[[i for i, (_, n) in enumerate(later) if n == 5]])[0]
    assert result.kl_one_alpha == pytest.approx(
        np.mean(dirichlet.kl_divergence(q, dirichlet.dirichlet_predictive(counts, result.alpha))))
    assert result.kl_window_alpha <= result.kl_one_alpha + 1e-12  # each window's own alpha fits it at least as well
    assert result.strength == 2 * result.alpha
    # the summary over every n >= 1 weighs every prediction alike
    assert result.distances()["tv"]["laplace"] == pytest.approx(
        np.mean([abs(result.model[s, n, 0] - result.laplace[s, n, 0]) for s, n in later]))


def test_one_pass_per_sequence_and_batching_changes_nothing(tiny_lm):
    batched = tokviz.bayes_icl(tiny_lm, COINS, ("H", "T"))
    single = tokviz.bayes_icl(tiny_lm, COINS, ("H", "T"), batch_size=1)
    assert single.forward_passes == len(COINS)
    assert batched.forward_passes < len(COINS)
    np.testing.assert_allclose(batched.token_probs, single.token_probs, rtol=1e-5)
    alone = tokviz.bayes_icl(tiny_lm, [COINS[1]], ("H", "T"))
    np.testing.assert_allclose(batched.token_probs[1, :6], alone.token_probs[0], rtol=1e-5)


def test_drawn_sequences_carry_their_labels(tiny_lm):
    drawn = tokviz.draw_sequences(("H", "T"), (0.3, 0.7), per_hidden=2, length=5, seed=2)
    result = tokviz.bayes_icl(tiny_lm, drawn)
    assert result.groups == ["P(H) = 0.3", "P(H) = 0.7"]
    assert result.hidden == drawn.hidden and result.sequences == drawn.sequences
    assert list(result.select("P(H) = 0.7")) == [2, 3]
    # a group's distances use only its sequences (the fitted alpha, and so Bayes, comes from all of them)
    only = tokviz.bayes_icl(tiny_lm, drawn.sequences[2:])
    for measure in ("tv", "kl"):
        for name in ("laplace", "frequency"):
            assert result.distances("P(H) = 0.7")[measure][name] == pytest.approx(only.distances()[measure][name],
                                                                                  rel=1e-5)
    assert result.closest("P(H) = 0.7") in bayes_result.REFERENCES
    data = result.to_dict()
    assert data["frequency"][0][0] == [None, None] and data["strength"] == result.strength


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sequences": [["zqx", "H"]], "outcomes": ("zqx", "H")}, "'zqx' is not one token"),
    ({"sequences": [], "outcomes": ("H", "T")}, "sequences is empty"),
    ({"sequences": [[]], "outcomes": ("H", "T")}, r"sequences\[0\] is empty"),
    ({"sequences": [list("HT"), list("HX")], "outcomes": ("H", "T")}, r"sequences\[1\]\[1\] is 'X'"),
    ({"sequences": [list("HT")], "outcomes": ("H",)}, "at least two outcomes"),
    ({"sequences": [list("HT")], "outcomes": ("H", "H")}, "distinct"),
    ({"sequences": [list("HT")], "template": "Coin flips: "}, "exactly once"),
    ({"sequences": [list("HT")], "template": "{sequence} were the flips"}, "nothing predicts it"),
    ({"sequences": [list("HT")], "template": "Coin flips:{sequence}"}, "after the template's prefix"),
    ({"sequences": [list("HT")], "labels": ["a", "b"]}, "one string per sequence"),
    ({"sequences": [list("HT")], "windows": [(3, 4)]}, "beyond the longest sequence"),
    ({"sequences": [list("HT")], "alpha_bounds": (2, 1)}, "low < high"),
    ({"sequences": ["ab"], "outcomes": ("ab", "cd")}, "only works when every outcome is one character"),
])
def test_bad_input_is_explained(tiny_lm, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.bayes_icl(tiny_lm, **kwargs)


# --- the view ----------------------------------------------------------------------------------------

def test_view_payload_carries_the_result(tiny_lm):
    from tokviz.widgets.payload import rounded_prob

    drawn = tokviz.draw_sequences(("H", "T"), (0.25, 0.75), per_hidden=3, length=6, seed=1)
    result = tokviz.bayes_icl(tiny_lm, drawn)
    view = tokviz.BayesView(result)
    b = view.data
    assert view.group == "P(H) = 0.25" and view.outcome == "H"
    assert b["outcomes"] == ["H", "T"] and b["n"] == list(range(6))
    assert b["alpha"] == pytest.approx(result.alpha, rel=1e-3)
    for group in b["groups"]:
        rows = list(result.select(group["label"]))
        assert group["sequences"] == rows
        assert group["hidden"] == [rounded_prob(p) for p in drawn.hidden[rows[0]]]
        for n in range(6):
            q = result.model[rows, n]
            assert group["mean"][n] == [rounded_prob(x) for x in q.mean(0)]
            assert group["low"][n] == [rounded_prob(x) for x in q.min(0)]
            assert group["high"][n] == [rounded_prob(x) for x in q.max(0)]
            assert group["laplace"][n] == [rounded_prob(x) for x in result.laplace[rows, n].mean(0)]
        assert group["frequency"][0] is None
    seq = b["sequences"][4]
    assert seq["group"] == 1 and seq["observed"] == [0 if o == "H" else 1 for o in drawn.sequences[4]]
    assert seq["q"][2] == [rounded_prob(x) for x in result.model[4, 2]]
    assert seq["p"][2] == [rounded_prob(x) for x in result.token_probs[4, 2]]
    assert seq["frequency"][0] is None and seq["frequency"][3] == [rounded_prob(x) for x in result.frequency[4, 3]]
    assert seq["text"][: seq["cuts"][1]] == result.texts[4][: result.prompt_ends[4][1]]
    # an infinite KL travels as null
    assert math.isinf(result.distances()["kl"]["frequency"]) == (b["summary"]["kl"]["frequency"] is None)
    assert "bayes" in view.to_html()
    with pytest.raises(InvalidInputError, match="group must be one of"):
        tokviz.BayesView(result, group="nope")


# --- the real default model --------------------------------------------------------------------------

@pytest.mark.slow
def test_default_model_reads_coin_flips(default_lm):
    sequences = ["HHHHHH", "TTTTTT", "HTHTHT"]
    result = tokviz.bayes_icl(default_lm, sequences)
    assert result.outcome_tokens == [" H", " T"] and result.forward_passes == 1
    np.testing.assert_allclose(result.model.sum(-1), 1.0)
    # the token probabilities are those analyze() gives the observed tokens
    for s, text in enumerate(result.texts):
        analysis = tokviz.analyze(default_lm, text)
        starts = np.cumsum([0] + [len(t.text) for t in analysis.tokens])  # where each token starts in the text
        observed = [t.prob for t, start in zip(analysis.tokens, starts) if start in result.prompt_ends[s]]
        assert len(observed) == len(sequences[s])
        got = [result.token_probs[s, n, "HT".index(o)] for n, o in enumerate(sequences[s])]
        assert got == pytest.approx(observed, rel=1e-3)
    # after five heads the model expects heads more than after five tails
    assert result.model[0, 5, 0] > 0.5 > result.model[1, 5, 0]
    assert 0 < result.alpha < dirichlet.ALPHA_HIGH
