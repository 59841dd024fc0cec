"""Every analysis on a model whose tokenizer adds a BOS token (as Llama's and Gemma's do).

The BOS token is context: fed to the model, never displayed. So the text's first token does have a
prediction (from the BOS position), and every later position is shifted by one. The default model's
tokenizer adds no BOS, so without these tests that branch would never run. References are computed here
with plain torch in float64 on [BOS] + ids.
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
from tokenizers.processors import TemplateProcessing

import tokviz
from tokviz.backends.local.model import LanguageModel

from .conftest import make_tiny_llama

BOS = 0  # "<|endoftext|>" in the default model's vocabulary
TEXT = "The quick brown fox jumps over the lazy dog."


@pytest.fixture(scope="module")
def bos_lm(tokenizer):
    with_bos = copy.deepcopy(tokenizer)
    with_bos._tokenizer.post_processor = TemplateProcessing(
        single="<|endoftext|> $A", pair="<|endoftext|> $A $B", special_tokens=[("<|endoftext|>", BOS)])
    assert with_bos("Hi")["input_ids"][0] == BOS and with_bos("Hi", add_special_tokens=False)["input_ids"][0] != BOS
    return LanguageModel(model=make_tiny_llama(len(tokenizer), seed=5), tokenizer=with_bos, name="tiny-bos-llama")


def text_ids(lm, text):
    return lm.tokenizer(text, add_special_tokens=False)["input_ids"]


def reference_logprobs(lm, ids: list[int]) -> torch.Tensor:
    """log-softmax rows for [BOS] + ids: row j predicts ids[j]."""
    with torch.no_grad():
        logits = lm.model(torch.tensor([[BOS, *ids]])).logits[0].double()
    return logits.log_softmax(-1)


def test_analyze_predicts_the_first_token_from_bos(bos_lm):
    ids = text_ids(bos_lm, TEXT)
    ref = reference_logprobs(bos_lm, ids)
    result = tokviz.analyze(bos_lm, TEXT, alternatives=4)
    assert result.token_ids == ids and BOS not in result.token_ids
    for j, token in enumerate(result.tokens):
        assert token.index == j
        assert token.logprob == pytest.approx(ref[j, ids[j]].item(), abs=1e-4)
        assert token.rank == int((ref[j] > ref[j, ids[j]]).sum()) + 1
        assert [c.token_id for c in token.top] == ref[j].topk(4).indices.tolist()
    assert [c.token_id for c in result.next] == ref[len(ids)].topk(4).indices.tolist()
    mean = sum(ref[j, ids[j]].item() for j in range(len(ids))) / len(ids)
    assert result.perplexity == pytest.approx(math.exp(-mean), rel=1e-5)


def test_generate_continues_after_bos_and_prompt(bos_lm):
    ids = text_ids(bos_lm, TEXT)
    result = tokviz.generate(bos_lm, TEXT, max_new_tokens=6, alternatives=3)
    with torch.no_grad():
        inputs = torch.tensor([[BOS, *ids]])
        expected = bos_lm.model.generate(inputs, attention_mask=torch.ones_like(inputs), max_new_tokens=6,
                                         do_sample=False, pad_token_id=2)[0, len(ids) + 1:].tolist()
    assert result.token_ids == expected
    ref = reference_logprobs(bos_lm, ids + expected)
    assert result.prompt.tokens[0].logprob == pytest.approx(ref[0, ids[0]].item(), abs=1e-4)
    for n, token in enumerate(result.tokens):
        row = len(ids) + n
        assert token.index == row
        assert token.logprob == pytest.approx(ref[row, expected[n]].item(), abs=1e-3)
        assert [c.token_id for c in token.top] == ref[row].topk(3).indices.tolist()


def hf_after_bos(lm, ids: list[int], **settings):
    inputs = torch.tensor([[BOS, *ids]])
    with torch.no_grad():
        return lm.model.generate(inputs, attention_mask=torch.ones_like(inputs), pad_token_id=2, **settings)


def test_seeded_sampling_after_bos_draws_what_transformers_draws(bos_lm):
    ids = text_ids(bos_lm, TEXT)
    settings = dict(max_new_tokens=5, do_sample=True, temperature=1.5, top_k=50)
    result = tokviz.generate(bos_lm, TEXT, seed=11, **settings)
    torch.manual_seed(11)
    assert result.token_ids == hf_after_bos(bos_lm, ids, **settings)[0, len(ids) + 1:].tolist()


def test_beams_after_bos_equal_transformers_beams(bos_lm):
    ids = text_ids(bos_lm, TEXT)
    result = tokviz.generate(bos_lm, TEXT, max_new_tokens=4, num_beams=3)
    out = hf_after_bos(bos_lm, ids, max_new_tokens=4, num_beams=3, num_return_sequences=3, output_scores=True,
                       return_dict_in_generate=True, do_sample=False)
    assert [b.token_ids for b in result.beams] == out.sequences[:, len(ids) + 1:].tolist()
    assert [b.score for b in result.beams] == pytest.approx(out.sequences_scores.tolist(), abs=1e-5)


def test_perplexity_scores_every_token_from_bos(bos_lm):
    ids = text_ids(bos_lm, TEXT)
    ref = reference_logprobs(bos_lm, ids)
    total = sum(ref[j, ids[j]].item() for j in range(len(ids)))
    result = tokviz.perplexity(bos_lm, TEXT)
    assert result.scored_tokens == len(ids)
    assert result.total_logprob == pytest.approx(total, abs=1e-3)
    assert result.perplexity == pytest.approx(tokviz.analyze(bos_lm, TEXT).perplexity, rel=1e-5)


def test_label_scores_include_the_first_token(bos_lm):
    template, x, labels = "Review: {x} Sentiment: {y}", "great film", ["positive", "negative"]
    result = tokviz.score_labels(bos_lm, template, x, labels)
    for score in result.scores:
        ids = text_ids(bos_lm, score.text)
        ref = reference_logprobs(bos_lm, ids)
        assert score.logprob == pytest.approx(sum(ref[j, ids[j]].item() for j in range(len(ids))), abs=1e-3)


def test_icl_curve_zero_shots_is_the_answer_probability_after_bos(bos_lm):
    examples = [("cat", "CAT"), ("dog", "DOG")]
    curve = tokviz.icl_curve(bos_lm, examples, "sun", "SUN", orders=1)
    text = "sun -> SUN\n"
    encoded = bos_lm.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = encoded["input_ids"]
    first, last = text.index("SUN"), text.index("SUN") + 3  # the answer's characters
    answer = [j for j, (a, b) in enumerate(encoded["offset_mapping"]) if a < last and b > first]
    assert answer
    ref = reference_logprobs(bos_lm, ids)
    expected = math.exp(sum(ref[j, ids[j]].item() for j in answer))
    assert curve.answer_probs[0] == pytest.approx(expected, rel=1e-3)


def test_logit_lens_positions_are_the_texts_tokens(bos_lm):
    ids = text_ids(bos_lm, TEXT)
    ref = reference_logprobs(bos_lm, ids)  # the last layer of the lens is the model's own output
    lens = tokviz.logit_lens(bos_lm, TEXT, alternatives=3)
    assert lens.token_ids == ids and lens.layers == bos_lm.num_layers + 1
    last = lens.layers - 1
    for i in range(len(ids)):  # position i (token i) predicts token i + 1: reference row i + 1
        assert lens.top_ids[last][i] == ref[i + 1].topk(3).indices.tolist()
        if i + 1 < len(ids):
            assert lens.target_probs[last][i] == pytest.approx(ref[i + 1, ids[i + 1]].exp().item(), abs=1e-5)
