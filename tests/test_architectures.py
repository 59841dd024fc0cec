"""The architecture matrix: every analysis on tiny random models of 22 architectures (tests/tiny_architectures.py),
in float64, against references computed here with plain torch and transformers (no tokviz code).

The lens reference reads each layer with forward hooks on the model's own blocks (not output_hidden_states,
whose layout differs between architectures) and applies each architecture's final transform, spelled out
below per architecture.
"""

from __future__ import annotations

import copy
import functools
import math
import warnings

import numpy as np
import pytest
import torch

import tokviz
from tokviz.backends.local.model import LanguageModel
from tokviz.data import corpus_paragraphs
from tokviz.errors import TokvizWarning

from .test_layers import numpy_pr
from .tiny_architectures import SPECS, build

NAMES = sorted(SPECS)
PROMPT = "The old lighthouse keeper looked at the sea and said"
TEXT = "Hello world, this is a small test of token probabilities across many models."


@functools.cache
def _model(name: str, vocab_size: int):
    return build(name, vocab_size)


@pytest.fixture(params=NAMES)
def arch(request, tokenizer):
    name = request.param
    vocab = 151_936 if name == "qwen2" else len(tokenizer)  # Qwen2: logits wider than its tokenizer
    return LanguageModel(model=_model(name, vocab), tokenizer=tokenizer, name=f"tiny-{name}")


def ids_of(lm, text):
    return lm.tokenizer(text, add_special_tokens=False)["input_ids"]


def forced_logprobs(model, ids: list[int]) -> torch.Tensor:
    """[T-1, V] float64 log-probabilities, row i predicting token i + 1, from one plain forward pass.

    Mamba's forward rounds its logits to float32; there the head is applied here to its (float64) final state.
    """
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True)
        logits = out.logits
        if logits.dtype != torch.float64:
            logits = model.get_output_embeddings()(out.hidden_states[-1])
    return logits[0, :-1].double().log_softmax(-1)


# --- prompt, perplexity, labels ---------------------------------------------------------------------------

def test_prompt_probabilities(arch):
    result = tokviz.analyze(arch, TEXT, alternatives=3)
    ids = ids_of(arch, TEXT)
    assert result.token_ids == ids
    reference = forced_logprobs(arch.model, ids)
    for i, token in enumerate(result.tokens[1:]):
        assert token.prob == pytest.approx(reference[i, ids[i + 1]].exp().item(), abs=1e-9)
        assert token.rank == int((reference[i] > reference[i, ids[i + 1]]).sum()) + 1
        assert [c.token_id for c in token.top] == reference[i].topk(3).indices.tolist()


def test_perplexity(arch):
    ids = ids_of(arch, TEXT)
    reference = forced_logprobs(arch.model, ids)
    nll = -sum(reference[i, ids[i + 1]].item() for i in range(len(ids) - 1))
    assert tokviz.perplexity(arch, TEXT).perplexity == pytest.approx(math.exp(nll / (len(ids) - 1)), rel=1e-9)


def test_label_scores_of_unequal_lengths_in_one_batch(arch):
    # one padded pass (padding under a quarter of the tokens) whose pads outrun the 8-token sliding windows
    template = "Review: {x}\nSentiment: {y}. Done."
    x = "The plot was thin but the actors were great, and the music carried every scene to its end. " * 3
    labels = ["positive", "negative, and very sad because of the many long words in this label"]
    result = tokviz.score_labels(arch, template, x, labels, batch_size=2)
    for label, score in zip(labels, result.scores, strict=True):
        ids = ids_of(arch, template.replace("{x}", x).replace("{y}", label))
        reference = forced_logprobs(arch.model, ids)
        assert [t.token_id for t in score.tokens] == ids
        expected = sum(reference[i, ids[i + 1]].item() for i in range(len(ids) - 1))
        assert score.logprob == pytest.approx(expected, abs=1e-9)


# --- generation --------------------------------------------------------------------------------------------

def hf_generate(lm, **kwargs):
    prompt = torch.tensor([ids_of(lm, PROMPT)])
    with torch.no_grad():
        out = lm.model.generate(prompt, attention_mask=torch.ones_like(prompt), pad_token_id=2, **kwargs)
    sequences = out.sequences if hasattr(out, "sequences") else out
    return out, sequences[:, prompt.shape[1]:].tolist()


def test_greedy_tokens_and_numbers(arch):
    result = tokviz.generate(arch, PROMPT, max_new_tokens=5)
    _, (expected,) = hf_generate(arch, max_new_tokens=5, do_sample=False)
    assert result.token_ids == expected[: len(result.token_ids)]
    # every number from one teacher-forced pass: a prompt counted twice would change them
    prompt = ids_of(arch, PROMPT)
    reference = forced_logprobs(arch.model, prompt + result.token_ids)
    # Generated tokens' numbers are the model's own step logits: Mamba rounds them to float32 and RWKV keeps
    # its recurrent state in float32, so there they agree to float32 rounding (a doubled prompt is off by ~0.3).
    step_tolerance = 1e-6 if arch.name in ("tiny-mamba", "tiny-rwkv") else 1e-9
    for j, token in enumerate(result.tokens):
        expected = reference[len(prompt) - 1 + j, token.token_id].exp().item()
        assert token.prob == pytest.approx(expected, abs=step_tolerance)
    for i, token in enumerate(result.prompt.tokens[1:]):
        assert token.prob == pytest.approx(reference[i, prompt[i + 1]].exp().item(), abs=1e-9)


def test_seeded_sampling_draws_what_transformers_draws(arch):
    settings = dict(max_new_tokens=5, do_sample=True, temperature=1.5, top_k=50)
    result = tokviz.generate(arch, PROMPT, seed=3, **settings)
    torch.manual_seed(3)
    _, (expected,) = hf_generate(arch, **settings)
    assert result.token_ids == expected[: len(result.token_ids)]


def test_beam_search_matches_transformers(arch):
    result = tokviz.generate(arch, PROMPT, max_new_tokens=4, num_beams=3)
    # transformers refuses beams over RWKV's state (it cannot reorder it) and beams without a cache work
    no_cache = {"use_cache": False} if arch.name == "tiny-rwkv" else {}
    out, expected = hf_generate(arch, max_new_tokens=4, num_beams=3, num_return_sequences=3, output_scores=True,
                                return_dict_in_generate=True, **no_cache)
    assert [b.token_ids for b in result.beams] == expected
    assert [b.score for b in result.beams] == pytest.approx(out.sequences_scores.tolist(), abs=1e-9)


# --- logit lens ---------------------------------------------------------------------------------------------

def _path(model, dotted):
    for part in dotted.split("."):
        model = getattr(model, part)
    return model


# name -> (decoder blocks, final norm (None: none), projection before the head (None: none))
LAYOUT = {
    **{n: ("model.layers", "model.norm", None)
       for n in ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3", "phi3", "stablelm", "olmo2",
                 "cohere", "granite")},
    "phi": ("model.layers", "model.final_layernorm", None),
    "gpt2": ("transformer.h", "transformer.ln_f", None),
    "gpt_neox": ("gpt_neox.layers", "gpt_neox.final_layer_norm", None),
    "falcon": ("transformer.h", "transformer.ln_f", None),
    "opt": ("model.decoder.layers", "model.decoder.final_layer_norm", None),
    "opt_350m": ("model.decoder.layers", None, "model.decoder.project_out"),
    "bloom": ("transformer.h", "transformer.ln_f", None),
    "gptj": ("transformer.h", "transformer.ln_f", None),
    "mamba": ("backbone.layers", "backbone.norm_f", None),
    "rwkv": ("rwkv.blocks", "rwkv.ln_out", None),
}


def _logit_transform(name, config, logits):
    if name in ("gemma2", "gemma3"):
        return torch.tanh(logits / config.final_logit_softcapping) * config.final_logit_softcapping
    if name == "cohere":
        return logits * config.logit_scale
    if name == "granite":
        return logits / config.logits_scaling
    return logits


def reference_lens(name, model, ids) -> list[torch.Tensor]:
    """Per lens layer 0..L, [T, V] float64 probabilities: the first block's input, then each block's output
    (read by hooks) through the final norm, projection and head; layer L is the model's own logits."""
    blocks_path, norm_path, project_path = LAYOUT[name]
    blocks = _path(model, blocks_path)
    first_input, outputs, logits = read_blocks(model, blocks, ids)
    layers = []
    with torch.no_grad():
        for h in [first_input, *outputs[:-1]]:
            h = _path(model, norm_path)(h) if norm_path else h
            h = _path(model, project_path)(h) if project_path else h
            lens_logits = _logit_transform(name, model.config, model.get_output_embeddings()(h))
            layers.append(lens_logits[0].double().softmax(-1))
    return [*layers, logits[0].double().softmax(-1)]


def read_blocks(model, blocks, ids):
    """One plain forward pass: the first block's input, every block's output (forward hooks), the logits."""
    first_input, outputs = [], []

    def before(module, args, kwargs):
        first_input.append(args[0] if args else kwargs["hidden_states"])

    def after(module, args, out):
        outputs.append(out if torch.is_tensor(out) else out[0])

    hooks = [blocks[0].register_forward_pre_hook(before, with_kwargs=True)]
    hooks += [block.register_forward_hook(after) for block in blocks]
    try:
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits
    finally:
        for hook in hooks:
            hook.remove()
    return first_input[0], outputs, logits


def test_logit_lens_every_layer(arch):
    name = arch.name.removeprefix("tiny-")
    text = "The old lighthouse keeper looked at"
    result = tokviz.logit_lens(arch, text, alternatives=2)
    ids = ids_of(arch, text)
    reference = reference_lens(name, arch.model, ids)
    assert result.layers == len(reference) == arch.num_layers + 1
    for layer, probs in enumerate(reference):
        expected = [probs[i, ids[i + 1]].item() for i in range(len(ids) - 1)]
        assert result.target_probs[layer][:-1] == pytest.approx(expected, abs=3e-7), f"layer {layer}"
        assert [cell[0] for cell in result.top_ids[layer]] == probs.argmax(-1).tolist(), f"layer {layer}"


# --- the layer law on recurrent models ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mamba", "rwkv"])
def test_layer_law_residuals_on_recurrent_models(name, tokenizer):
    lm = LanguageModel(model=_model(name, len(tokenizer)), tokenizer=tokenizer, name=f"tiny-{name}")
    texts = [p for p in corpus_paragraphs() if len(tokenizer(p)["input_ids"]) <= 120][:8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TokvizWarning)  # fewer than 10 x hidden_size examples
        result = tokviz.layer_law(lm, texts)
    blocks_path, norm_path, _ = LAYOUT[name]
    blocks, norm = _path(lm.model, blocks_path), _path(lm.model, norm_path)
    centred = isinstance(norm, torch.nn.LayerNorm)
    per_layer = [[] for _ in blocks]
    ys = []
    for text in texts:
        ids = ids_of(lm, text)
        _, outputs, _ = read_blocks(lm.model, blocks, ids)
        for layer, h in enumerate(outputs):
            h = h[0, :-1].double()
            if layer == len(blocks) - 1:
                with torch.no_grad():
                    x = norm(h)  # the model's own final norm, gain included
            else:  # the final norm's kind without its gain
                h = h - h.mean(-1, keepdim=True) if centred else h
                x = h / torch.sqrt(h.pow(2).mean(-1, keepdim=True) + norm_eps(norm))
            per_layer[layer].append(x.numpy())
        ys.append(np.array(ids[1:], dtype=np.float64))
    y = np.concatenate(ys)
    expected = [numpy_pr(np.concatenate(xs), y) for xs in per_layer]
    assert result.layers == [1, 2, 3] and result.num_examples == len(y)
    assert result.pr == pytest.approx(expected, rel=1e-5)


def norm_eps(norm) -> float:
    return norm.eps if hasattr(norm, "eps") else norm.variance_epsilon


# --- what tokviz cannot handle, and what a model does not say ---------------------------------------------

def test_hidden_states_in_an_unknown_order_are_refused(tokenizer):
    lm = LanguageModel(model=build("llama", len(tokenizer)), tokenizer=tokenizer, name="tiny-shuffled")

    def reverse_layers(module, args, kwargs, output):
        output.hidden_states = tuple(reversed(output.hidden_states))
        return output

    lm.model.model.register_forward_hook(reverse_layers, with_kwargs=True)
    with pytest.raises(tokviz.UnsupportedModelError, match="which layer each of LlamaForCausalLM's hidden states"):
        tokviz.logit_lens(lm, "The old lighthouse keeper")


def test_recurrent_states_cannot_be_continued_by_generate(tokenizer):
    from tokviz.backends.local.compat import cache_holds, output_cache

    ids = torch.tensor([ids_of_text(tokenizer, PROMPT)])
    lengths = {}
    for name in ("llama", "mamba", "rwkv"):
        with torch.no_grad():
            cache = output_cache(_model(name, len(tokenizer))(ids, use_cache=True))
        assert cache is not None
        lengths[name] = cache_holds(cache, ids.shape[1])
    assert lengths == {"llama": True, "mamba": False, "rwkv": False}


def test_context_length_unknown_rather_than_1e30(tokenizer):
    huge, stated = copy.copy(tokenizer), copy.copy(tokenizer)
    huge.model_max_length = int(1e30)  # what transformers writes when a tokenizer does not know
    stated.model_max_length = 4096
    for name in ("mamba", "bloom"):  # no position limit in the config
        assert LanguageModel(model=_model(name, len(tokenizer)), tokenizer=huge, name=name).context_length is None
        assert LanguageModel(model=_model(name, len(tokenizer)), tokenizer=stated, name=name).context_length == 4096


def ids_of_text(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]
