"""LogitLens.kl_to_final, .entropy and .trajectory() against a float64 logit lens computed here."""

from __future__ import annotations

import copy

import pytest
import torch

import tokviz
from tokviz import InvalidInputError
from tokviz.backends.local.model import LanguageModel

from .conftest import make_tiny_llama

TEXT = "The quick brown fox jumps over the lazy dog, and then it runs home."


@pytest.fixture(scope="module")
def lens_lm(tokenizer):
    model = make_tiny_llama(len(tokenizer), layers=3, seed=3)
    with torch.no_grad():
        model.model.norm.weight.uniform_(0.3, 3.0)
    return LanguageModel(model=model, tokenizer=tokenizer, name="tiny-llama-measures")


def float64_lens(model, ids, translate=None):
    """Per lens layer [T, V] float64 log-probabilities: norm + head on hidden states 0..L-1 (translated
    first if translate(layer, h) is given), the model's own logits at L; everything in float64."""
    double = copy.deepcopy(model).double()
    with torch.no_grad():
        out = double(torch.tensor([ids]), output_hidden_states=True)
        layers = []
        for layer, h in enumerate(out.hidden_states[:-1]):
            h = h[0] if translate is None else translate(layer, h[0])
            layers.append(torch.log_softmax(double.lm_head(double.model.norm(h)), -1))
        layers.append(torch.log_softmax(out.logits[0], -1))
    return layers


def test_kl_to_final_and_entropy_match_float64(lens_lm):
    ids = lens_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    result = tokviz.logit_lens(lens_lm, TEXT)
    logps = float64_lens(lens_lm.model, ids)
    final = logps[-1]
    assert len(result.kl_to_final) == len(logps) and len(result.kl_to_final[0]) == len(ids)
    for layer, logp in enumerate(logps):
        kl = (final.exp() * (final - logp)).sum(-1)
        entropy = -(logp.exp() * logp).sum(-1)
        assert result.kl_to_final[layer] == pytest.approx(kl.tolist(), abs=1e-4), f"KL at layer {layer}"
        assert result.entropy[layer] == pytest.approx(entropy.tolist(), abs=1e-4), f"entropy at layer {layer}"
    assert max(result.kl_to_final[0]) > 0.1, "layer 0 should disagree with the output on a random model"
    assert result.lens_name == "logit lens"


def test_trajectory_of_candidates_next_token_and_tracked_token(lens_lm):
    ids = lens_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    logps = float64_lens(lens_lm.model, ids)
    position = 4
    # a token no layer ranks in the top 2 there: only `track` keeps it
    low = int(logps[-1][position].argsort()[len(logps[-1][position]) // 2])
    result = tokviz.logit_lens(lens_lm, TEXT, alternatives=2, track=[low])
    candidates = [result.top_ids[0][position][1], ids[position + 1], low]
    for token in candidates:
        trajectory = result.trajectory(position, token)
        assert len(trajectory.probs) == len(logps) == len(trajectory.ranks)
        for layer, logp in enumerate(logps):
            p = logp[position].exp()
            assert trajectory.probs[layer] == pytest.approx(float(p[token]), abs=1e-4)
            assert trajectory.ranks[layer] == int((p > p[token]).sum()) + 1
    next_probs = [row[position] for row in result.target_probs]
    assert result.trajectory(position, ids[position + 1]).probs == pytest.approx(next_probs, abs=1e-6)


def test_trajectory_refuses_untracked_tokens_and_bad_input(lens_lm):
    result = tokviz.logit_lens(lens_lm, "one two three", alternatives=1)
    kept = result.tracked[0]
    missing = next(t for t in range(lens_lm.vocab_size) if t not in kept)
    with pytest.raises(InvalidInputError, match="track="):
        result.trajectory(0, missing)
    with pytest.raises(InvalidInputError, match="position"):
        result.trajectory(99, missing)
    with pytest.raises(InvalidInputError, match="one-token"):
        tokviz.logit_lens(lens_lm, "one two", track=[" antidisestablishmentarianism"])
    with pytest.raises(InvalidInputError, match="list"):
        tokviz.logit_lens(lens_lm, "one two", track=5)
    with pytest.raises(InvalidInputError, match="token id"):
        tokviz.logit_lens(lens_lm, "one two", track=[lens_lm.vocab_size])
