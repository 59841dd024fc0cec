"""The tuned lens: its objective and its decoded numbers against float64 plain torch, training reproducible
from a seed, the cache and save/load. Tiny random models only (seconds)."""

from __future__ import annotations

import copy

import pytest
import torch

import tokviz
from tokviz import InvalidInputError, TunedLens
from tokviz.backends.local.model import LanguageModel
from tokviz.studies.tuned_lens import model_fingerprint
from tokviz.studies.tuned_lens_training import translator_kl

from .conftest import make_tiny_llama

TEXT = "A small cat sat on the warm mat and looked at the rain outside."


@pytest.fixture(scope="module")
def lm(tokenizer):
    model = make_tiny_llama(len(tokenizer), layers=2, seed=5)
    with torch.no_grad():
        model.model.norm.weight.uniform_(0.3, 3.0)
    return LanguageModel(model=model, tokenizer=tokenizer, name="tiny-llama-tuned")


def random_lens(lm, seed=0, scale=0.2) -> TunedLens:
    g = torch.Generator().manual_seed(seed)
    L, d = len(lm.model.model.layers), lm.model.config.hidden_size
    return TunedLens(model_name=lm.name, fingerprint=model_fingerprint(lm.model),
                     weights=torch.randn(L, d, d, generator=g) * scale / d ** 0.5,
                     biases=torch.randn(L, d, generator=g) * scale)


def float64_tuned(model, ids, lens):
    """Per lens layer [T, V] float64 log-probs: (h + W h + b) -> final norm -> lm_head, model logits at L."""
    double = copy.deepcopy(model).double()
    with torch.no_grad():
        out = double(torch.tensor([ids]), output_hidden_states=True)
        layers = []
        for layer, h in enumerate(out.hidden_states[:-1]):
            w, b = lens.weights[layer].double(), lens.biases[layer].double()
            layers.append(torch.log_softmax(double.lm_head(double.model.norm(h[0] + h[0] @ w.T + b)), -1))
        layers.append(torch.log_softmax(out.logits[0], -1))
    return layers


def test_objective_is_kl_of_final_to_translated_layer(lm):
    lens = random_lens(lm, seed=1)
    ids = lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    expected = float64_tuned(lm.model, ids, lens)
    final = expected[-1]
    with torch.no_grad():
        hidden = lm.model(torch.tensor([ids]), output_hidden_states=True).hidden_states
    head = lambda h: lm.model.lm_head(lm.model.model.norm(h))  # noqa: E731
    for layer in range(lens.layers):
        with torch.no_grad():
            got = translator_kl(head, lens.weights, lens.biases, layer, hidden[layer][0], final.float())
        want = (final.exp() * (final - expected[layer])).sum(-1).mean()
        assert float(got) == pytest.approx(float(want), abs=1e-4, rel=1e-5)


def test_lens_numbers_with_a_tuned_lens_match_float64(lm):
    lens = random_lens(lm, seed=2)
    ids = lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    expected = float64_tuned(lm.model, ids, lens)
    result = tokviz.logit_lens(lm, TEXT, alternatives=3, lens=lens)
    plain = tokviz.logit_lens(lm, TEXT, alternatives=3)
    assert result.lens_name.startswith("tuned lens") and plain.lens_name == "logit lens"
    for layer, logp in enumerate(expected):
        p = logp.exp()
        top = p.topk(3)
        assert [cell[0] for cell in result.top_ids[layer]] == top.indices[:, 0].tolist()
        assert torch.allclose(torch.tensor(result.top_probs[layer], dtype=torch.float64), top.values, atol=1e-4)
        kl = (expected[-1].exp() * (expected[-1] - logp)).sum(-1)
        # float32 against float64: 1e-4 nats, or 1e-5 of KLs of tens of nats (a sharp random model)
        assert result.kl_to_final[layer] == pytest.approx(kl.tolist(), abs=1e-4, rel=1e-5)
        for i in range(len(ids) - 1):
            assert result.target_probs[layer][i] == pytest.approx(float(p[i, ids[i + 1]]), abs=1e-4)
    assert result.kl_to_final[0] != pytest.approx(plain.kl_to_final[0], abs=1e-3), "the translators must act"


def test_training_is_reproducible_from_a_seed_and_lowers_kl(lm):
    settings = dict(sequences=3, length=12, steps=3, batch=16, cache=False, progress=False)
    first = tokviz.tuned_lens(lm, seed=7, **settings)
    again = tokviz.tuned_lens(lm, seed=7, **settings)
    other = tokviz.tuned_lens(lm, seed=8, **settings)
    assert torch.equal(first.weights, again.weights) and torch.equal(first.biases, again.biases)
    assert not torch.equal(first.weights, other.weights)
    assert first.settings["tokens"] == 36 and first.layers == 2
    for tuned, logit in zip(first.train_kl, first.logit_kl):
        assert tuned < logit, (first.train_kl, first.logit_kl)


def test_cache_save_load_and_refusing_another_model(lm, tokenizer, tmp_path, monkeypatch):
    monkeypatch.setenv("TOKVIZ_CACHE", str(tmp_path))
    settings = dict(sequences=2, length=8, steps=1, batch=8, seed=3, progress=False)
    trained = tokviz.tuned_lens(lm, **settings)
    cached = list((tmp_path / "tuned-lens").glob("*.pt"))
    assert len(cached) == 1
    with torch.no_grad():
        trained_again = tokviz.tuned_lens(lm, **settings)  # from the cache: the same tensors
    assert torch.equal(trained.weights, trained_again.weights)
    path = trained.save(tmp_path / "mine")
    loaded = TunedLens.load(path)
    assert torch.equal(loaded.biases, trained.biases) and loaded.settings == trained.settings
    assert loaded.train_kl == trained.train_kl
    stranger = LanguageModel(model=make_tiny_llama(len(tokenizer), layers=2, seed=6), tokenizer=tokenizer,
                             name=lm.name)
    with pytest.raises(InvalidInputError, match="trained on"):
        tokviz.logit_lens(stranger, TEXT, lens=loaded)
    with pytest.raises(InvalidInputError, match="no tuned lens"):
        TunedLens.load(tmp_path / "absent")
    with pytest.raises(InvalidInputError, match="steps"):
        tokviz.tuned_lens(lm, steps=-1)


def test_refinement_under_a_tuned_lens_matches_float64(lm):
    """The answer's rank and probability at every layer of the tuned lens, after each prompt's last token."""
    lens = random_lens(lm, seed=4, scale=0.5)
    prompts = ["The cat sat on the", "Rain fell over the quiet old town and"]
    answers, expected = [], []
    for text in prompts:
        ids = lm.tokenizer(text)["input_ids"]
        logps = [logp[-1] for logp in float64_tuned(lm.model, ids, lens)]
        answer = int(logps[1].argmax())  # what a middle layer ranks first
        answers.append(answer)
        expected.append([(int((lp > lp[answer]).sum()) + 1, float(lp[answer].exp())) for lp in logps])
    result = tokviz.refinement(lm, prompts, answers, lens=lens, progress=False)
    plain = tokviz.refinement(lm, prompts, answers, progress=False)
    assert result.lens_name.startswith("tuned lens") and plain.lens_name == "logit lens"
    for record, rows in zip(result.records, expected):
        assert record.answer_ranks == [rank for rank, _ in rows]
        assert record.answer_probs == pytest.approx([p for _, p in rows], abs=1e-5)
        assert record.answer_ranks[1] == 1
    assert [r.answer_ranks for r in result.records] != [r.answer_ranks for r in plain.records]
