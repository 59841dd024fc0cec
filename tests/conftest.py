"""Shared fixtures: a tiny random Llama (fast unit tests) and the real default model (slow tests).

Both use the default model's real tokenizer, so token handling is tested on real byte-level BPE.
"""

from __future__ import annotations

import pytest
import torch

import tokviz
from tokviz.backends.local.loading import default_model_dir
from tokviz.backends.local.model import LanguageModel

BERLIN_PROMPT = "The capital of France is Paris. The capital of Germany is"


@pytest.fixture(scope="session")
def default_dir():
    return default_model_dir()


@pytest.fixture(scope="session")
def tokenizer(default_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(default_dir)


def make_tiny_llama(vocab_size: int, *, layers: int = 2, context: int = 128, seed: int = 0):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=context,
        tie_word_embeddings=False, bos_token_id=None, eos_token_id=2, pad_token_id=None,
    )
    model = LlamaForCausalLM(config).eval()
    # Random init gives near-uniform predictions; sharper logits make ranks and top-k meaningful.
    with torch.no_grad():
        model.lm_head.weight.mul_(40.0)
    return model


@pytest.fixture(scope="session")
def tiny_lm(tokenizer):
    """A 2-layer random Llama with the default model's tokenizer and a 128-token context."""
    return LanguageModel(model=make_tiny_llama(len(tokenizer)), tokenizer=tokenizer, name="tiny-random-llama")


@pytest.fixture(scope="session")
def default_lm():
    return tokviz.load_model()


# -- the served-model tests' real server (tests/served_server.py): one per session, stopped at its end ----
@pytest.fixture(scope="session")
def server_url():
    from .served_server import MISSING, start_server, stop_server

    if MISSING:
        pytest.skip(f"llama-cpp-python's server is not installed (missing: {', '.join(MISSING)})")
    process, url = start_server()
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def served(server_url):
    """The default model's GGUF served by llama-cpp-python, connected (and probed) once."""
    return tokviz.connect(server_url, timeout=120)


@pytest.fixture()
def proxy(server_url):
    from .served_server import Proxy

    p = Proxy(server_url)
    yield p
    p.close()
