"""A backend written outside tokviz, as a third party would: it implements tokviz.Backend's members and
nothing else (it is no LanguageModel and no ServedModel). Its scoring core runs the wrapped transformers
model whole with plain torch, one request at a time; generation is delegated to the wrapped local model.
Every call is recorded, so the tests see that analyses went through the protocol."""

from __future__ import annotations

from types import MappingProxyType

import torch

from tokviz.core.encoding import encode
from tokviz.core.prompt_result import encoded_scores
from tokviz.core.stats import row_stats

NO_BEAMS = "this test backend never learnt beam search (it records calls, nothing more)"
NO_LAYERS = "this test backend does not expose hidden states"


class RecordingBackend:
    def __init__(self, lm):
        self._lm = lm
        self.name = f"recorded {lm.name}"
        self.tokenizer = lm.tokenizer
        self.context_length = lm.context_length
        self.calls: list[str] = []

    @property
    def label(self) -> str:
        return f"{self.name} (a test backend)"

    @property
    def vocabulary(self):
        return self._lm.vocabulary

    @property
    def vocab_size(self) -> int:
        return self._lm.vocab_size

    @property
    def max_alternatives(self) -> int:
        return 50

    @property
    def unsupported(self):
        return MappingProxyType({"beams": NO_BEAMS, "hidden_states": NO_LAYERS})

    @torch.inference_mode()
    def score(self, requests, alternatives: int = 1, *, batch_size=None):
        self.calls.append("score")
        results = []
        for request in requests:
            logits = self._lm.model(torch.tensor([request.ids])).logits[0, request.rows].float()
            results.append(row_stats(logits, torch.tensor(request.targets), alternatives))
        return results, len(requests)

    def score_text(self, text: str, alternatives: int):
        self.calls.append("score_text")
        encoded = encode(self, text)
        (stats,), _ = self.score([encoded.request(with_next=True)], alternatives)
        return encoded_scores(self.vocabulary, encoded, stats)

    def generate(self, prompt, decoding, **run):
        self.calls.append("generate")
        return self._lm.generate(prompt, decoding, **run)

    def missing_numbers(self, what: str, count: int) -> str:
        return f"{what}: {count} number(s) missing from the test backend"
