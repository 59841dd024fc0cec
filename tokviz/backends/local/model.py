"""The in-process backend: a Hugging Face causal LM and its tokenizer, run by torch in this process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

import torch

from ...core.encoding import encode
from ...core.prompt_result import TextScores, encoded_scores
from ...core.tokens import Vocabulary

NOTHING_UNSUPPORTED = MappingProxyType({})
UNKNOWN_LENGTH = 10**29


@dataclass
class LanguageModel:
    """A causal LM and its tokenizer (tokviz.load_model): implements tokviz.Backend with every capability."""

    model: torch.nn.Module
    tokenizer: object
    name: str
    quantization: str | None = None

    @property
    def device(self) -> torch.device:
        return self.model.get_input_embeddings().weight.device

    @property
    def num_layers(self) -> int:
        return int(self.model.config.num_hidden_layers)

    @property
    def vocab_size(self) -> int:
        """Size of the logits' last dimension (may exceed the tokenizer's vocabulary)."""
        return int(self.model.get_output_embeddings().weight.shape[0])

    @property
    def context_length(self) -> int | None:
        """Tokens the model accepts: its config's position limit, else its tokenizer's, else None (it does not
        say: recurrent models such as Mamba have no window, ALiBi models such as Bloom no position table)."""
        config = self.model.config
        for attribute in ("max_position_embeddings", "n_positions", "n_ctx", "seq_length"):
            value = getattr(config, attribute, None)
            if isinstance(value, int) and value > 0:
                return value
        value = getattr(self.tokenizer, "model_max_length", None)
        # transformers writes int(1e30) when a tokenizer does not know its model's limit
        return int(value) if isinstance(value, int) and 0 < value < UNKNOWN_LENGTH else None

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.tokenizer, self.vocab_size)

    # -- the backend protocol ------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.name

    @property
    def max_alternatives(self) -> int:
        return self.vocab_size

    @property
    def unsupported(self):
        return NOTHING_UNSUPPORTED

    def score(self, requests, alternatives: int = 1, *, batch_size: int | None = None):
        from .forward import score

        return score(self, requests, alternatives, batch_size=batch_size)

    def score_text(self, text: str, alternatives: int) -> TextScores:
        encoded = encode(self, text)
        (stats,), _ = self.score([encoded.request(with_next=True)], alternatives)
        return encoded_scores(self.vocabulary, encoded, stats)

    def generate(self, prompt: str, decoding, **run):
        from .generation import generate_local

        return generate_local(self, prompt, decoding, **run)

    def missing_numbers(self, what: str, count: int) -> str:
        return (f"{what} needs the log-probability of {count} token(s) that {self.name} computed as NaN, a numerical "
                f"failure of the model itself in {self.model.dtype} (for example an overflow in its attention or "
                "norms), not a number tokviz left out; load the model in another dtype")

    def __repr__(self) -> str:
        quant = f", quantization={self.quantization!r}" if self.quantization else ""
        return f"LanguageModel({self.name!r}, device={str(self.device)!r}{quant})"
