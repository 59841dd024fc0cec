"""Reshape: one position's distribution under temperature / top-k / top-p, from kept logits.

The reshaped probabilities are checked against an independent float64 computation written here with
numpy (scale, sort, cut, renormalise), against closed forms, and against what tokviz.generate actually
sampled from (`sampled_prob`) on seeded sampling runs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import traitlets

import tokviz
from tokviz.errors import InvalidInputError
from tokviz.studies.position_logits import next_logits, position_logits, result_prefix
from tokviz.studies.reshape import SHOW_KEPT_UP_TO, curve_temperatures, entropy_curve, reshape
from tokviz.widgets import payload, reshape_view

TEXT = "The capital of France is Paris. The capital of Germany is"


# ----- the independent reference ---------------------------------------------------------------------
def reference(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> np.ndarray:
    return reference_kept(logits, temperature, top_k, top_p)[0]


def reference_kept(logits: torch.Tensor, temperature: float, top_k: int, top_p: float):
    """The reshaped distribution in float64 numpy, from the rule as documented, not from tokviz's code:
    divide by T; keep the k largest (and everything tied with the k-th); of those, keep the most probable
    tokens while the probability of the tokens before them (most probable first) is below p; renormalise.
    T = 0: all probability on the first argmax. Returns (probabilities, which tokens are kept): at a tiny
    temperature a kept token's probability can underflow to 0."""
    x = logits.double().numpy()
    out = np.zeros_like(x)
    if temperature == 0:
        out[int(np.argmax(x))] = 1.0
        return out, out > 0
    z = x / temperature
    keep = np.ones_like(z, dtype=bool)
    if top_k:
        keep &= z >= np.sort(z)[::-1][min(top_k, len(z)) - 1]
    if top_p < 1.0:
        q = np.where(keep, np.exp(z - z[keep].max()), 0.0)
        q /= q.sum()
        order = np.argsort(-q, kind="stable")
        before = np.cumsum(q[order]) - q[order]  # mass of the more probable tokens
        keep_p = np.zeros_like(keep)
        keep_p[order[before < top_p]] = True
        keep &= keep_p
    e = np.where(keep, np.exp(z - z[keep].max()), 0.0)
    return e / e.sum(), keep


def entropy_of(p: np.ndarray) -> float:
    nz = p[p > 0]
    return float(-(nz * np.log(nz)).sum())


def softmax64(x: torch.Tensor) -> np.ndarray:
    z = x.double().numpy()
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.fixture(scope="module")
def logits(tiny_lm):
    return position_logits(tiny_lm, TEXT)


# ----- position_logits -------------------------------------------------------------------------------
def test_position_logits_equal_the_models_own_rows(tiny_lm):
    ids = tiny_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        whole = tiny_lm.model(torch.tensor([ids])).logits[0].float()
    for position in (1, 4, len(ids) - 1):
        got = position_logits(tiny_lm, TEXT, position)
        assert got.shape == (len(tiny_lm.tokenizer),) and got.dtype == torch.float32
        torch.testing.assert_close(got, whole[position - 1], atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(position_logits(tiny_lm, TEXT), whole[-1], atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(next_logits(tiny_lm, ids[:3]), whole[2], atol=1e-4, rtol=1e-5)


def test_position_logits_refuses_positions_without_a_prediction(tiny_lm):
    n = len(tiny_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"])
    with pytest.raises(InvalidInputError, match="token 0 has no prediction"):
        position_logits(tiny_lm, TEXT, 0)
    for bad in (n, -1, 100):
        with pytest.raises(InvalidInputError, match="out of range"):
            position_logits(tiny_lm, TEXT, bad)
    with pytest.raises(InvalidInputError, match="position must be an integer"):
        position_logits(tiny_lm, TEXT, 1.5)
    with pytest.raises(InvalidInputError, match="empty"):
        position_logits(tiny_lm, "")
    with pytest.raises(InvalidInputError, match="at most 128 tokens"):
        position_logits(tiny_lm, " the" * 200)
    for ids in ([], [1, 10**7], [-1], "abc"):
        with pytest.raises(InvalidInputError, match=r"ids must be|token ids must be between 0 and"):
            next_logits(tiny_lm, ids)


def test_result_prefix_names_what_the_model_saw(tiny_lm):
    generation = tokviz.generate(tiny_lm, TEXT, max_new_tokens=3)
    prompt_ids = generation.prompt.token_ids
    assert result_prefix(generation.prompt, "prompt", 3) == (prompt_ids[:3], prompt_ids[3])
    assert result_prefix(generation, "prompt", None) == (prompt_ids, None)
    gen = generation.token_ids
    assert result_prefix(generation, "generated", 2) == (prompt_ids + gen[:2], gen[2])
    assert result_prefix(generation, "generated") == (prompt_ids + gen, None)
    with pytest.raises(InvalidInputError, match="needs a Generation"):
        result_prefix(generation.prompt, "generated", 0)
    with pytest.raises(InvalidInputError, match="index must be"):
        result_prefix(generation, "generated", 3)
    with pytest.raises(InvalidInputError, match="no prediction"):
        result_prefix(generation, "prompt", 0)


# ----- reshape against the independent computation ---------------------------------------------------
SETTINGS = [
    (1.0, 0, 1.0),  # nothing changes
    (0.7, 0, 1.0),
    (2.0, 0, 1.0),
    (1e-3, 0, 1.0),  # nearly greedy
    (1.3, 5, 1.0),
    (1.0, 1, 1.0),  # top-k 1: greedy by another road
    (1.5, 0, 0.9),
    (2.0, 50, 0.95),
    (3.0, 1000, 0.5),
    (1.0, 0, 1e-6),  # top-p keeps the top token only
    (1.0, 49152, 1.0),  # k = vocabulary: nothing cut
    (1.0, 100_000, 1.0),  # k above the vocabulary is allowed
    (0.0, 0, 1.0),  # greedy
    (0.0, 5, 0.5),  # greedy ignores the filters
]


@pytest.mark.parametrize(("temperature", "top_k", "top_p"), SETTINGS)
def test_reshaped_probabilities_equal_an_independent_float64_computation(logits, temperature, top_k, top_p):
    expected, kept = reference_kept(logits, temperature, top_k, top_p)
    raw = softmax64(logits)
    extra = [int(i) for i in np.argsort(-raw)[[60, 300, 5000, 40000]]]  # listed beyond `show`
    r = reshape(logits, temperature=temperature, top_k=top_k, top_p=top_p, show=30, include=extra)
    listed = [t.token_id for t in r.tokens]
    assert [raw[i] for i in listed[:30]] == pytest.approx(np.sort(raw)[::-1][:30], rel=1e-12)
    assert set(extra) <= set(listed)
    for tok in r.tokens:
        assert tok.prob == pytest.approx(expected[tok.token_id], rel=1e-9, abs=1e-15)
        assert tok.raw_prob == pytest.approx(raw[tok.token_id], rel=1e-9, abs=1e-15)
        assert (tok.cut is None) == kept[tok.token_id]
    assert r.kept == int(kept.sum())
    assert r.entropy == pytest.approx(entropy_of(expected), abs=1e-9)
    assert r.raw_entropy == pytest.approx(entropy_of(raw), abs=1e-9)
    if temperature > 0:
        tempered = reference(logits, temperature, 0, 1.0)
        assert r.tempered_entropy == pytest.approx(entropy_of(tempered), abs=1e-9)
        assert r.kept_mass == pytest.approx(tempered[kept].sum(), rel=1e-9)
    else:
        assert (r.tempered_entropy, r.entropy, r.kept_mass) == (0.0, 0.0, 1.0)
    not_listed = np.ones_like(kept)
    not_listed[listed] = False
    assert r.rest_raw == pytest.approx(raw[not_listed].sum(), abs=1e-12)
    assert r.rest_prob == pytest.approx(expected[not_listed].sum(), abs=1e-12)
    assert r.rest_kept == int((kept & not_listed).sum())
    assert r.cut_by_top_k + r.cut_by_top_p == (0 if temperature == 0 else len(kept) - r.kept)


def test_the_cut_names_the_filter_that_cut(logits):
    r = reshape(logits, temperature=1.5, top_k=8, top_p=0.6, show=12)
    after_k = reference(logits, 1.5, 8, 1.0) > 0
    after_p = reference(logits, 1.5, 8, 0.6) > 0
    for tok in r.tokens:
        want = None if after_p[tok.token_id] else "top-p" if after_k[tok.token_id] else "top-k"
        assert tok.cut == want, tok
    assert r.cut_by_top_k == int((~after_k).sum()) and r.cut_by_top_p == int((after_k & ~after_p).sum())
    assert {t.cut for t in r.tokens} == {None, "top-k", "top-p"}  # the case tests all three
    greedy = reshape(logits, temperature=0, top_k=8, show=5)
    assert [t.cut for t in greedy.tokens] == [None, "greedy", "greedy", "greedy", "greedy"]
    assert greedy.tokens[0].prob == 1.0


def test_small_kept_sets_are_listed_whole_large_ones_summarised(logits):
    r = reshape(logits, top_k=SHOW_KEPT_UP_TO, show=5)
    assert r.kept == SHOW_KEPT_UP_TO and len(r.tokens) == SHOW_KEPT_UP_TO and r.rest_kept == 0
    assert r.rest_prob == 0.0
    r = reshape(logits, top_k=SHOW_KEPT_UP_TO + 1, show=5)
    assert len(r.tokens) == 5 and r.rest_kept == SHOW_KEPT_UP_TO + 1 - 5
    assert sum(t.prob for t in r.tokens) + r.rest_prob == pytest.approx(1.0, abs=1e-12)
    assert sum(t.raw_prob for t in r.tokens) + r.rest_raw == pytest.approx(1.0, abs=1e-12)


# ----- closed forms ----------------------------------------------------------------------------------
def two_level(vocab=1000, top=8, a=5.0, b=0.0) -> torch.Tensor:
    """`top` tokens (ids 100..) with logit a, every other token b."""
    x = torch.full((vocab,), b)
    x[100 : 100 + top] = a
    return x


def test_entropies_equal_closed_forms():
    vocab, top, a, b = 1000, 8, 5.0, 0.0
    x = two_level(vocab, top, a, b)
    for t in (0.5, 1.0, 2.0):
        za, zb = math.exp(a / t), math.exp(b / t)
        z = top * za + (vocab - top) * zb
        pa, pb = za / z, zb / z
        r = reshape(x, temperature=t)
        assert r.tempered_entropy == pytest.approx(-top * pa * math.log(pa) - (vocab - top) * pb * math.log(pb))
        # top-k 8 keeps the tied top group only (ties at the k-th value stay, so top-k 3 keeps all 8 too)
        for k in (8, 3):
            kept = reshape(x, temperature=t, top_k=k)
            assert kept.kept == top and kept.entropy == pytest.approx(math.log(top), abs=1e-12)
            assert kept.kept_mass == pytest.approx(top * pa, rel=1e-12)
        # top-p 2.5 x one top token's share (renormalised to the group after top-k): exactly 3 tokens
        kept = reshape(x, temperature=t, top_k=8, top_p=2.5 / top)
        assert kept.kept == 3 and kept.entropy == pytest.approx(math.log(3), abs=1e-12)
        assert kept.kept_mass == pytest.approx(3 * pa, rel=1e-12)
    raw = reshape(x)
    assert raw.entropy == raw.raw_entropy == raw.tempered_entropy


def test_greedy_takes_the_first_of_tied_best_tokens():
    x = two_level()
    r = reshape(x, temperature=0, show=3)
    assert r.kept == 1 and r.token(100).prob == 1.0 and r.token(100).cut is None
    assert [t.cut for t in r.tokens if t.token_id != 100] == ["greedy", "greedy"]
    assert r.entropy == 0.0 and r.raw_entropy > 0


def test_entropy_curve_equals_reshape_at_every_temperature(logits):
    grid = curve_temperatures(1.0)
    assert grid[0] == 0 and grid[-1] == 2.0 and len(grid) == 41
    assert curve_temperatures(3.2)[-1] == 3.5
    some = [*grid[::8], grid[1], grid[-2]]  # 0, 0.4, ..., 2.0, 0.05, 1.95 (each reshape sorts the vocabulary)
    for k, p in ((0, 1.0), (20, 0.8), (0, 0.9), (1, 1.0)):
        curve = entropy_curve(logits, grid, top_k=k, top_p=p)
        at = dict(zip(grid, curve.entropies))
        expected = [reshape(logits, temperature=t, top_k=k, top_p=p).entropy for t in some]
        assert [at[t] for t in some] == pytest.approx(expected, abs=1e-9)
        assert [at[t] for t in some] == pytest.approx([entropy_of(reference(logits, t, k, p)) for t in some], abs=1e-9)
    ties = two_level()  # the sort-once shortcut on tied values
    curve = entropy_curve(ties, grid, top_k=3, top_p=2.5 / 8)
    assert curve.entropies[1:] == pytest.approx([math.log(3)] * 40, abs=1e-12)
    r = reshape(logits, temperature=0.8, top_p=0.9, curve=True)
    assert r.curve.temperatures == grid and r.curve.entropies[16] == pytest.approx(r.entropy, abs=1e-12)


# ----- what generate actually sampled from -----------------------------------------------------------
@pytest.mark.parametrize(("temperature", "top_k", "top_p", "seed"),
                         [(1.0, None, None, 1), (1.8, 40, None, 2), (2.5, None, 0.8, 3), (3.0, 30, 0.95, 4)])
def test_reshape_gives_each_sampled_tokens_sampled_prob(tiny_lm, temperature, top_k, top_p, seed):
    generation = tokviz.generate(tiny_lm, TEXT, max_new_tokens=8, do_sample=True, temperature=temperature,
                                 top_k=top_k, top_p=top_p, seed=seed)
    assert generation.tokens
    below_one = 0
    for j, token in enumerate(generation.tokens):
        ids, actual = result_prefix(generation, "generated", j)
        assert actual == token.token_id
        r = reshape(next_logits(tiny_lm, ids), temperature=temperature, top_k=top_k or 0, top_p=top_p or 1.0,
                    include=[actual])
        row = r.token(actual)
        assert row.cut is None  # a sampled token was never cut
        assert row.prob == pytest.approx(token.sampled_prob, rel=2e-5, abs=1e-7)
        assert row.raw_prob == pytest.approx(token.prob, rel=2e-5, abs=1e-7)
        below_one += row.prob < 0.99
    assert below_one >= 2  # the check is not all certain tokens


def test_a_branched_generation_reshapes_after_its_cut_prompt_and_forced_tokens(tiny_lm):
    """A branch (generate's prompt_tokens and prefix_ids): the model saw the cut prompt and the forced tokens,
    and result_prefix gives exactly that, so the sampled tokens after them still match."""
    forced = tiny_lm.tokenizer(" Rome", add_special_tokens=False)["input_ids"]
    generation = tokviz.generate(tiny_lm, TEXT, max_new_tokens=5, do_sample=True, temperature=2.0, top_k=30, seed=6,
                                 prompt_tokens=6, prefix_ids=forced)
    assert len(generation.prompt.token_ids) == 6 and generation.token_ids[: len(forced)] == forced
    for j, token in enumerate(generation.tokens):
        ids, actual = result_prefix(generation, "generated", j)
        assert ids == generation.prompt.token_ids + generation.token_ids[:j] and actual == token.token_id
        if token.forced:
            continue  # not sampled: no sampled probability
        row = reshape(next_logits(tiny_lm, ids), temperature=2.0, top_k=30, include=[actual]).token(actual)
        assert row.prob == pytest.approx(token.sampled_prob, rel=2e-5, abs=1e-7)


# ----- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"temperature": -0.5}, r"temperature must be a finite number >= 0 \(0 = greedy\); got -0.5"),
    ({"temperature": float("nan")}, "temperature must be"),
    ({"temperature": "hot"}, "temperature must be"),
    ({"top_p": 0}, r"top_p must be in \(0, 1\] \(1.0 = off\); got 0"),
    ({"top_p": 1.5}, "top_p must be in"),
    ({"top_k": -1}, r"top_k must be a positive integer \(0 = off\); got -1"),
    ({"top_k": 2.5}, "top_k must be a positive integer"),
    ({"show": 0}, "show must be between 1 and"),
    ({"include": [10**9]}, "include must be between 0 and"),
])
def test_bad_settings_are_refused_clearly(logits, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        reshape(logits, **kwargs)


def test_bad_logits_are_refused(logits):
    for bad in (logits[None], torch.tensor([]), torch.tensor([1, 2, 3]), torch.tensor([0.0, math.nan]),
                torch.tensor([0.0, math.inf]), torch.full((4,), -math.inf), [0.1, 0.2]):
        with pytest.raises(InvalidInputError, match="logits must"):
            reshape(bad)
    with pytest.raises(KeyError, match="include"):
        reshape(logits, show=2).token(int(logits.argmin()))


def test_minus_infinity_logits_hold_nothing_and_are_not_cut():
    x = torch.tensor([2.0, 1.0, -math.inf, 0.5, -math.inf])
    r = reshape(x, top_k=2, show=5)
    by_id = {t.token_id: t for t in r.tokens}
    assert by_id[2].raw_prob == 0 and by_id[2].cut is None and by_id[3].cut == "top-k"
    assert r.cut_by_top_k == 1 and r.kept == 2
    assert r.entropy == pytest.approx(entropy_of(reference(x, 1.0, 2, 1.0)))


# ----- the widget ------------------------------------------------------------------------------------
class ForwardCounter:
    """Counts forward passes through the model's input embeddings (every pass goes through them)."""

    def __init__(self, lm):
        self.calls = 0
        self.handle = lm.model.get_input_embeddings().register_forward_pre_hook(self._hook)

    def _hook(self, *args):
        self.calls += 1

    def close(self):
        self.handle.remove()


def test_reshape_view_runs_the_model_once_and_reshapes_on_every_change(tiny_lm):
    counter = ForwardCounter(tiny_lm)
    try:
        w = tokviz.ReshapeView(tiny_lm, TEXT, 5, temperature=0.8, top_k=20)
        assert counter.calls == 1
        logits = position_logits(tiny_lm, TEXT, 5)
        counter.calls = 0
        sent = []
        w.observe(lambda change: sent.append(change["new"]), names="data")
        for name, value in (("temperature", 1.7), ("top_k", 0), ("top_p", 0.7), ("temperature", 0.0),
                            ("show", 3), ("temperature", 2.6)):
            setattr(w, name, value)
            expected = reshape(logits, temperature=w.temperature, top_k=w.top_k, top_p=w.top_p, show=w.show,
                               include=[w.actual], lm=tiny_lm)
            assert w.data["settings"] == {"temperature": w.temperature, "top_k": w.top_k, "top_p": w.top_p}
            rows = w.data["rows"]
            assert [r["id"] for r in rows] == [t.token_id for t in expected.tokens]
            assert [r["p"] for r in rows] == [payload.rounded_prob(t.prob) for t in expected.tokens]
            assert [r["raw"] for r in rows] == [payload.rounded_prob(t.raw_prob) for t in expected.tokens]
            assert [r["cut"] for r in rows] == [t.cut for t in expected.tokens]
            assert w.data["h"] == payload.rounded(expected.entropy, 3)
        assert counter.calls == 0  # no forward pass after construction
        assert len(sent) == 6
        assert w.data["curve"]["t"][-1] == 3.0  # the grid reaches the temperature shown
    finally:
        counter.close()


def test_reshape_view_payload(tiny_lm):
    ids = tiny_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    w = tokviz.ReshapeView(tiny_lm, TEXT, 5, top_p=0.9, temperature=1.5, show=4)
    data = w.data
    r = w.reshaped
    assert data["actual"] == ids[5] and ids[5] in [row["id"] for row in data["rows"]]
    assert data["context"] == tiny_lm.tokenizer.decode(ids[:5])
    assert data["context_cut"] is False
    assert all(str(row["id"]) in data["pieces"] for row in data["rows"])
    assert data["kept"] == r.kept and data["kept_mass"] == payload.rounded_prob(r.kept_mass)
    assert data["rest"] == {"raw": payload.rounded_prob(r.rest_raw), "p": payload.rounded_prob(r.rest_prob),
                            "count": r.vocab_size - len(r.tokens), "kept": r.rest_kept}
    assert (data["h_raw"], data["h_tempered"]) == (payload.rounded(r.raw_entropy, 3),
                                                  payload.rounded(r.tempered_entropy, 3))
    assert (data["cut_k"], data["cut_p"], data["vocab"]) == (0, r.cut_by_top_p, len(tiny_lm.tokenizer))
    curve = entropy_curve(w.logits, curve_temperatures(1.5), top_p=0.9)
    assert data["curve"] == {"t": curve.temperatures, "h": [payload.rounded(h, 3) for h in curve.entropies]}
    assert w.limits["temperature"] == {"low": 0, "high": None, "integer": False, "low_open": False, "step": 0.1,
                                       "off": None}
    assert set(w.limits) == {"temperature", "top_k", "top_p"}
    long = tokviz.ReshapeView(tiny_lm, " the" * 40)
    assert long.data["context_cut"] is True and long.data["context"] == " the" * 24
    assert long.data["actual"] is None


def test_reshape_view_refuses_bad_settings_and_keeps_the_old_ones(tiny_lm):
    w = tokviz.ReshapeView(tiny_lm, TEXT)
    before = w.data
    for name, value, message in (("temperature", -1.0, "temperature must be"), ("top_p", 0.0, "top_p must be"),
                                 ("top_k", -3, "top_k must be"), ("show", 0, "show must be")):
        with pytest.raises(traitlets.TraitError, match=f"ReshapeView.{name}: {message}"):
            setattr(w, name, value)
    assert (w.temperature, w.top_p, w.top_k, w.show) == (1.0, 1.0, 0, 10) and w.data == before
    with pytest.raises(traitlets.TraitError):
        tokviz.ReshapeView(tiny_lm, TEXT, temperature=-2.0)
    with pytest.raises(InvalidInputError, match="no prediction"):
        tokviz.ReshapeView(tiny_lm, TEXT, 0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        tokviz.ReshapeView(tiny_lm, TEXT, colour="red")
    with pytest.raises(TypeError, match="needs a text"):
        tokviz.ReshapeView(tiny_lm)


def test_from_token_opens_the_distribution_of_a_prompt_or_generated_token(tiny_lm):
    generation = tokviz.generate(tiny_lm, TEXT, max_new_tokens=4, do_sample=True, temperature=1.5, seed=5)
    token = generation.tokens[2]
    w = tokviz.ReshapeView.from_token(tiny_lm, generation, "generated", 2, temperature=1.5)
    ids, _ = result_prefix(generation, "generated", 2)
    torch.testing.assert_close(w.logits, next_logits(tiny_lm, ids))
    assert w.actual == token.token_id
    assert w.reshaped.token(token.token_id).prob == pytest.approx(token.sampled_prob, rel=2e-5)
    row = next(r for r in w.data["rows"] if r["id"] == token.token_id)
    assert row["p"] == payload.rounded_prob(w.reshaped.token(token.token_id).prob)
    assert w.data["context"] == reshape_view.context_tail(tiny_lm.vocabulary, ids)["context"]
    assert w.data["context"].endswith("".join(t.text for t in generation.tokens[:2]))
    prompt = tokviz.ReshapeView.from_token(tiny_lm, generation.prompt, "prompt", 4)
    torch.testing.assert_close(prompt.logits, position_logits(tiny_lm, TEXT, 4))
    after = tokviz.ReshapeView(tiny_lm, generation, None, source="generated")
    assert after.actual is None


def test_reshape_view_has_a_static_snapshot(tiny_lm):
    w = tokviz.ReshapeView(tiny_lm, TEXT, top_k=3)
    html = w.to_html()
    assert '"_kind":"reshape"' in html and '"interactive":false' in html
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "tvz" in data["text/html"]
    assert repr(w).startswith("<ReshapeView tiny-random-llama: Reshaped(temperature=1.0, top_k=3")


def test_every_public_synced_trait_of_the_view_is_documented():
    for name, trait in tokviz.ReshapeView.class_traits(sync=True).items():
        if not name.startswith("_") and name not in ("layout", "tabbable", "tooltip"):
            assert trait.help, f"ReshapeView.{name} has no help"


# ----- the real default model ------------------------------------------------------------------------
@pytest.mark.slow
def test_default_model_reshape_and_sampling_agree(default_lm):
    lm = default_lm
    logits = position_logits(lm, TEXT)
    for temperature, top_k, top_p in ((0.7, 0, 1.0), (1.5, 0, 0.9), (2.0, 40, 0.95), (0.0, 0, 1.0)):
        expected = reference(logits, temperature, top_k, top_p)
        r = reshape(logits, temperature=temperature, top_k=top_k, top_p=top_p, show=20, lm=lm)
        assert r.kept == int((expected > 0).sum())
        assert r.entropy == pytest.approx(entropy_of(expected), abs=1e-9)
        for tok in r.tokens:
            assert tok.prob == pytest.approx(expected[tok.token_id], rel=1e-9, abs=1e-15)
    assert reshape(logits, lm=lm).tokens[0].text == " Berlin"
    generation = tokviz.generate(lm, TEXT, max_new_tokens=6, do_sample=True, temperature=1.6, top_k=50, top_p=0.95,
                                 seed=7)
    for j, token in enumerate(generation.tokens):
        ids, actual = result_prefix(generation, "generated", j)
        row = reshape(next_logits(lm, ids), temperature=1.6, top_k=50, top_p=0.95, include=[actual]).token(actual)
        assert row.cut is None
        assert row.prob == pytest.approx(token.sampled_prob, rel=2e-5, abs=1e-7)


# ----- a tokenizer that adds a BOS token ----------------------------------------------------------------
@pytest.fixture(scope="module")
def bos_lm(tokenizer):
    """As tests/test_bos.py: the default tokenizer with "<|endoftext|>" (id 0) put in front as BOS."""
    import copy

    from tokenizers.processors import TemplateProcessing

    from tests.conftest import make_tiny_llama
    from tokviz.backends.local.model import LanguageModel

    with_bos = copy.deepcopy(tokenizer)
    with_bos._tokenizer.post_processor = TemplateProcessing(
        single="<|endoftext|> $A", pair="<|endoftext|> $A $B", special_tokens=[("<|endoftext|>", 0)])
    return LanguageModel(model=make_tiny_llama(len(tokenizer), seed=5), tokenizer=with_bos, name="tiny-bos-llama")


def test_after_a_bos_token_the_first_token_has_a_distribution(bos_lm):
    ids = bos_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        whole = bos_lm.model(torch.tensor([[0, *ids]])).logits[0].float()
    for position in (0, 3):  # text token i is predicted by row i (the BOS row predicts token 0)
        torch.testing.assert_close(position_logits(bos_lm, TEXT, position), whole[position], atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(position_logits(bos_lm, TEXT), whole[-1], atol=1e-4, rtol=1e-5)
    analysis = tokviz.analyze(bos_lm, TEXT)
    assert result_prefix(analysis, "prompt", 0) == ([0], ids[0])
    w = tokviz.ReshapeView.from_token(bos_lm, analysis, "prompt", 0)
    torch.testing.assert_close(w.logits, whole[0], atol=1e-4, rtol=1e-5)
    assert w.data["context"] == "" and w.actual == ids[0]  # the BOS is context, never shown
    assert w.reshaped.token(ids[0]).raw_prob == pytest.approx(analysis.tokens[0].prob, rel=1e-4)
    generation = tokviz.generate(bos_lm, TEXT, max_new_tokens=2)
    assert result_prefix(generation, "generated", 1)[0] == [0, *ids, generation.token_ids[0]]
