"""logit_lens(): every layer checked against lm_head(final_norm(h_l)) computed here with plain torch."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

import tokviz
from tokviz import InvalidInputError, UnsupportedModelError
from tokviz.backends.local import forward
from tokviz.backends.local.model import LanguageModel
from tokviz.backends.local.model_parts import decoder_layers, final_norm, unembedding
from tokviz.studies.lens import first_correct_and_settled

from .conftest import BERLIN_PROMPT, make_tiny_llama

TEXT = "The quick brown fox jumps over the lazy dog, and then it runs home."


def reference(model, norm, head, ids, softcap=None):
    """Per layer [T, V] float64 probabilities: layers < L through norm + head, layer L = model logits."""
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True)
        layers = []
        for h in out.hidden_states[:-1]:
            logits = head(norm(h[0])).double()
            if softcap is not None:
                logits = softcap * torch.tanh(logits / softcap)
            layers.append(logits.softmax(-1))
        layers.append(out.logits[0].double().softmax(-1))
    return layers


def check_against_reference(result, probs, ids, k):
    """Top-k, target prob/rank and final-top-1 prob of every cell against the reference probabilities."""
    assert result.layers == len(probs)
    assert result.token_ids == ids
    final_top1 = probs[-1].argmax(-1)
    for layer, p in enumerate(probs):
        top = p.topk(k)
        assert [row[0] for row in result.top_ids[layer]] == top.indices[:, 0].tolist(), f"top-1 at layer {layer}"
        assert torch.allclose(torch.tensor(result.top_probs[layer], dtype=torch.float64), top.values, atol=1e-4)
        for i in range(len(ids) - 1):
            target = p[i, ids[i + 1]]
            assert result.target_probs[layer][i] == pytest.approx(target.item(), abs=1e-4)
            assert result.target_ranks[layer][i] == int((p[i] > target).sum()) + 1
        assert result.target_probs[layer][-1] is None and result.target_ranks[layer][-1] is None
        expected_final = p[torch.arange(len(ids)), final_top1]
        assert result.final_top1_probs[layer] == pytest.approx(expected_final.tolist(), abs=1e-4)


def independent_first_and_settled(grid, ids):
    layers = len(grid)
    first, settled = [], []
    for i in range(len(ids)):
        hits = [layer for layer in range(layers) if i + 1 < len(ids) and grid[layer][i] == ids[i + 1]]
        first.append(min(hits) if hits else None)
        settled.append(min(layer for layer in range(layers)
                           if all(grid[m][i] == grid[-1][i] for m in range(layer, layers))))
    return first, settled


@pytest.fixture(scope="module")
def llama_lm(tokenizer):
    """Tiny Llama with a non-trivial final-norm gain, so a skipped or doubled norm shows."""
    model = make_tiny_llama(len(tokenizer), layers=3, seed=1)
    with torch.no_grad():
        model.model.norm.weight.uniform_(0.3, 3.0)
    return LanguageModel(model=model, tokenizer=tokenizer, name="tiny-llama-lens")


@pytest.fixture(scope="module")
def gpt2_lm(tokenizer):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=len(tokenizer),
                                       n_positions=128)).eval()
    with torch.no_grad():  # tied embeddings: sharpen them, and give ln_f a visible gain and bias
        model.transformer.wte.weight.mul_(30.0)
        model.transformer.ln_f.weight.uniform_(0.3, 3.0)
        model.transformer.ln_f.bias.normal_(0.0, 0.5)
    return LanguageModel(model=model, tokenizer=tokenizer, name="tiny-gpt2")


def test_llama_every_layer_matches_independent_lens(llama_lm):
    model = llama_lm.model
    result = tokviz.logit_lens(llama_lm, TEXT, alternatives=4)
    ids = llama_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    check_against_reference(result, reference(model, model.model.norm, model.lm_head, ids), ids, 4)


def test_gpt2_tied_layernorm_every_layer_matches(gpt2_lm):
    model = gpt2_lm.model
    assert model.lm_head.weight is model.transformer.wte.weight
    result = tokviz.logit_lens(gpt2_lm, TEXT, alternatives=3)
    ids = gpt2_lm.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    check_against_reference(result, reference(model, model.transformer.ln_f, model.lm_head, ids), ids, 3)


def test_gemma2_softcap_and_one_plus_w_norm(tokenizer):
    from transformers import Gemma2Config, Gemma2ForCausalLM

    torch.manual_seed(0)
    config = Gemma2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=2, num_key_value_heads=1, head_dim=16, max_position_embeddings=128,
                          final_logit_softcapping=5.0, bos_token_id=None, pad_token_id=None, eos_token_id=2)
    model = Gemma2ForCausalLM(config).eval()
    with torch.no_grad():
        model.model.norm.weight.uniform_(-0.5, 2.0)  # Gemma's norm multiplies by (1 + w)
        model.lm_head.weight.mul_(30.0)
    lm = LanguageModel(model=model, tokenizer=tokenizer, name="tiny-gemma2")
    result = tokviz.logit_lens(lm, TEXT, alternatives=3)
    ids = tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    probs = reference(model, model.model.norm, model.lm_head, ids, softcap=5.0)
    check_against_reference(result, probs, ids, 3)
    assert max(max(row[0] for row in layer) for layer in result.top_probs) < 0.5, "softcap should flatten"


def test_first_correct_and_settled_follow_their_definitions(llama_lm):
    result = tokviz.logit_lens(llama_lm, TEXT)
    ids = result.token_ids
    grid = result.top1_ids()
    probs = reference(llama_lm.model, llama_lm.model.model.norm, llama_lm.model.lm_head, ids)
    assert grid == [p.argmax(-1).tolist() for p in probs]
    first, settled = independent_first_and_settled(grid, ids)
    assert result.first_correct_layer == first
    assert result.settled_layer == settled


def test_first_correct_and_settled_on_a_hand_made_grid():
    # columns: position 0 = [1, 3, 3], position 1 = [3, 1, 3], position 2 = [2, 2, 5]
    grid = [[1, 3, 2], [3, 1, 2], [3, 3, 5]]
    first, settled = first_correct_and_settled(grid, [3, 3])
    assert first == [1, 0, None]
    assert settled == [1, 2, 2]


def test_chunked_vocabulary_pass_gives_the_same_result(llama_lm, monkeypatch):
    whole = tokviz.logit_lens(llama_lm, TEXT, alternatives=3)
    monkeypatch.setattr(forward, "HEAD_CHUNK_ELEMENTS", llama_lm.vocab_size * 2)  # two rows at a time
    chunked = tokviz.logit_lens(llama_lm, TEXT, alternatives=3)
    assert chunked.top_ids == whole.top_ids
    assert chunked.target_ranks == whole.target_ranks
    assert torch.allclose(torch.tensor(chunked.top_probs), torch.tensor(whole.top_probs), atol=1e-6)


def test_to_dict_is_json_ready_and_shapes_are_checked(llama_lm):
    result = tokviz.logit_lens(llama_lm, "Some text here", alternatives=2)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["layers"] == 4 and len(data["top_ids"][0]) == len(result.token_ids)
    assert set(data["id_texts"]) == {str(i) for row in result.top_ids for cell in row for i in cell}
    assert "positions x 4 layers" in repr(result)
    fields = result.to_dict() | {"context_ids": []}
    fields["top_probs"] = fields["top_probs"][:-1]
    fields["id_texts"] = {}
    with pytest.raises(ValueError, match="top_probs"):
        type(result)(**fields)


def test_single_token_text_has_no_targets(llama_lm):
    result = tokviz.logit_lens(llama_lm, "Hi", alternatives=2)
    assert len(result.token_ids) == 1
    assert result.first_correct_layer == [None]
    assert all(row == [None] for row in result.target_probs)


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("fine", {"alternatives": 0}, "alternatives must be between 1"),
        ("fine", {"alternatives": "5"}, "alternatives must be an integer"),
        ("word " * 400, {}, "accepts at most 128 tokens"),
    ],
)
def test_bad_input_is_rejected(llama_lm, text, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.logit_lens(llama_lm, text, **kwargs)


class Wrapped(nn.Module):
    """A model behind a custom wrapper: its final norm is not where any architecture keeps it."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.config = inner.config

    def get_input_embeddings(self):
        return self.inner.get_input_embeddings()

    def get_output_embeddings(self):
        return self.inner.get_output_embeddings()

    def forward(self, input_ids, **kwargs):
        return self.inner(input_ids, **kwargs)


def test_unrecognised_model_raises_unsupported(llama_lm):
    lm = LanguageModel(model=Wrapped(llama_lm.model), tokenizer=llama_lm.tokenizer, name="wrapped")
    with pytest.raises(UnsupportedModelError, match="final norm of Wrapped"):
        tokviz.logit_lens(lm, TEXT)


def test_model_parts_find_each_architecture(llama_lm, gpt2_lm):
    from transformers import OPTConfig, OPTForCausalLM

    opt = OPTForCausalLM(OPTConfig(vocab_size=100, hidden_size=16, num_hidden_layers=2, ffn_dim=32,
                                   num_attention_heads=2, word_embed_proj_dim=16, max_position_embeddings=32))
    assert final_norm(opt) is opt.model.decoder.final_layer_norm
    assert decoder_layers(opt) is opt.model.decoder.layers
    assert final_norm(llama_lm.model) is llama_lm.model.model.norm
    assert decoder_layers(llama_lm.model) is llama_lm.model.model.layers
    assert final_norm(gpt2_lm.model) is gpt2_lm.model.transformer.ln_f
    assert decoder_layers(gpt2_lm.model) is gpt2_lm.model.transformer.h
    assert unembedding(gpt2_lm.model) is gpt2_lm.model.lm_head


@pytest.mark.slow
def test_default_model_lens_matches_and_berlin_layers(default_lm):
    text = BERLIN_PROMPT + " Berlin"
    result = tokviz.logit_lens(default_lm, text, alternatives=5)
    model = default_lm.model
    ids = result.token_ids
    check_against_reference(result, reference(model, model.model.norm, model.lm_head, ids), ids, 5)
    assert result.layers == 31
    berlin = len(ids) - 2  # the position whose next token is " Berlin"
    assert result.token_texts[-1] == " Berlin"
    first, settled = result.first_correct_layer[berlin], result.settled_layer[berlin]
    print(f"' Berlin': first_correct_layer={first}, settled_layer={settled}, "
          f"top-1 by layer={[result.id_texts[row[berlin]] for row in result.top1_ids()]}")
    assert first is not None and settled >= first
    assert result.top1_ids()[-1][berlin] == ids[-1]


@pytest.mark.slow
def test_four_bit_model_lens_predicts_berlin():
    pytest.importorskip("bitsandbytes")
    lm = tokviz.load_model(quantization="4bit")
    result = tokviz.logit_lens(lm, BERLIN_PROMPT, alternatives=3)
    assert result.id_texts[result.top1_ids()[-1][-1]] == " Berlin"
    assert result.layers == lm.num_layers + 1
    assert all(0.0 <= p <= 1.0 for layer in result.top_probs for cell in layer for p in cell)


def test_the_designs_name_top_k_still_sets_the_lens_alternatives_with_a_warning(tiny_lm):
    with pytest.warns(FutureWarning, match=r"logit_lens\(top_k=...\) is now logit_lens\(alternatives=...\)"):
        old = tokviz.logit_lens(tiny_lm, "Some text here", top_k=3)
    assert old == tokviz.logit_lens(tiny_lm, "Some text here", alternatives=3)
