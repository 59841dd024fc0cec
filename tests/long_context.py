"""A tiny random long-context Llama and texts of an exact token length, for the long-strip tests and the
benchmarks: small enough (1 layer, width 16) that a 131,072-token forward pass takes seconds on a CPU."""

from __future__ import annotations

import random

import torch

from tokviz.backends.local.model import LanguageModel

WORDS = ("the", "model", "reads", "a", "long", "text", "and", "predicts", "each", "next", "token", "from",
         "all", "the", "tokens", "before", "it", ";", "numbers", "1", "2", "3", ",", "names", "Paris", "Berlin",
         ",", "and", "a", "new", "line\n")


def tiny_long_llama(tokenizer, context: int) -> LanguageModel:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=context,
        tie_word_embeddings=False, bos_token_id=None, eos_token_id=2, pad_token_id=None,
    )
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # sharper logits than random init: ranks and candidates that differ
        model.lm_head.weight.mul_(40.0)
    return LanguageModel(model=model, tokenizer=tokenizer, name=f"tiny-random-llama-{context // 1024}k")


def text_of_tokens(tokenizer, n: int, seed: int = 0) -> str:
    """A text of random words that the tokenizer reads as exactly n tokens."""
    rng = random.Random(seed)
    words = " ".join(rng.choice(WORDS) for _ in range(n))
    ids = tokenizer(words)["input_ids"][:n]
    while True:
        text = tokenizer.decode(ids)
        again = tokenizer(text)["input_ids"]
        if len(again) == n:
            return text
        ids = again[:n]
