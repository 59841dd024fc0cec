"""The scoring core: row alignment, the head split and its fallback, and chunking that changes nothing.

References are plain torch in float64 on the model's own logits.
"""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaForCausalLM

import tokviz
from tokviz.backends.local import forward
from tokviz.backends.local.model import LanguageModel
from tokviz.core import stats
from tokviz.core.encoding import Encoded

from .conftest import make_tiny_llama

TEXT = "Scoring a text should never hold its whole logits matrix at once."


def test_a_bare_text_is_predicted_from_its_second_token():
    request = Encoded(context=[], ids=[5, 6, 7]).request()
    assert (request.ids, request.rows, request.targets) == ([5, 6, 7], [0, 1], [6, 7])


def test_after_a_bos_every_token_is_predicted_and_rows_shift_by_one():
    request = Encoded(context=[1], ids=[5, 6, 7]).request(with_next=True)
    assert request.ids == [1, 5, 6, 7]
    assert request.rows == [0, 1, 2, 3] and request.targets[:3] == [5, 6, 7]  # row 3: after the last token


def test_a_request_for_some_tokens_ends_the_sequence_at_the_last_one():
    request = Encoded(context=[], ids=[5, 6, 7, 8, 9]).request([2, 3])
    assert (request.ids, request.rows, request.targets) == ([5, 6, 7, 8], [1, 2], [7, 8])


def test_the_first_token_of_a_bare_text_cannot_be_requested():
    with pytest.raises(ValueError, match="no prediction"):
        Encoded(context=[], ids=[5, 6]).request([0, 1])


class DoubledLogits(LlamaForCausalLM):
    """A head that does something model_parts does not know of: the split must notice and run it whole."""

    def forward(self, *args, **kwargs):
        out = super().forward(*args, **kwargs)
        out.logits = out.logits * 2.0
        return out


@pytest.fixture(scope="module")
def doubled_lm(tokenizer):
    model = make_tiny_llama(len(tokenizer), seed=3)
    model.__class__ = DoubledLogits
    return LanguageModel(model=model, tokenizer=tokenizer, name="tiny-doubled-logits")


def reference(lm, text):
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logp = lm.model(torch.tensor([ids])).logits[0].double().log_softmax(-1)
    return ids, logp


def test_the_body_and_head_split_is_used_when_it_equals_the_model(tiny_lm):
    assert forward._head(tiny_lm.model) is not None


@pytest.mark.parametrize("lm_name", ["tiny_lm", "doubled_lm"])
def test_analyze_matches_the_models_own_logits_split_or_whole(request, lm_name):
    lm = request.getfixturevalue(lm_name)
    if lm_name == "doubled_lm":
        assert forward._head(lm.model) is None  # the probe saw the head differ from the split
    ids, logp = reference(lm, TEXT)
    result = tokviz.analyze(lm, TEXT, alternatives=3)
    for i, token in enumerate(result.tokens[1:], start=1):
        assert token.logprob == pytest.approx(float(logp[i - 1, ids[i]]), abs=2e-6)
        assert token.rank == int((logp[i - 1] > logp[i - 1, ids[i]]).sum()) + 1
        entropy = float(-(logp[i - 1].exp() * logp[i - 1]).sum())
        assert token.entropy == pytest.approx(entropy, abs=1e-4)
    assert [c.token_id for c in result.next] == logp[-1].topk(3).indices.tolist()


def test_chunks_and_blocks_of_any_size_give_the_same_numbers(tiny_lm, monkeypatch):
    whole = tokviz.analyze(tiny_lm, TEXT, alternatives=4)
    monkeypatch.setattr(forward, "HEAD_CHUNK_ELEMENTS", tiny_lm.vocab_size * 3)  # 3 rows through the head
    monkeypatch.setattr(stats, "BLOCK_ROWS", 2)
    small = tokviz.analyze(tiny_lm, TEXT, alternatives=4)
    for a, b in zip(whole.tokens[1:], small.tokens[1:], strict=True):
        assert (a.rank, [c.token_id for c in a.top]) == (b.rank, [c.token_id for c in b.top])
        # The head's matmul may round differently for another number of rows (logits of ~50: ulp 4e-6).
        assert a.logprob == pytest.approx(b.logprob, abs=1e-5)
        assert a.entropy == pytest.approx(b.entropy, abs=1e-5)


def test_removed_tokens_give_a_finite_entropy_and_zero_probability():
    logits = torch.tensor([[0.0, float("-inf"), 1.0, float("-inf")]])
    result = stats.row_stats(logits, torch.tensor([2]), 2, also=torch.tensor([1]))
    p = torch.tensor([0.0, 1.0], dtype=torch.float64).softmax(-1)
    assert float(result.entropy[0]) == pytest.approx(float(-(p * p.log()).sum()), abs=1e-6)
    assert float(result.logprob[0]) == pytest.approx(float(p[1].log()), abs=1e-7)
    assert float(result.also_prob[0]) == 0.0 and int(result.rank[0]) == 1
