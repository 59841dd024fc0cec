"""The small hooks generate() hangs on transformers' `model.generate`, and its sampling set-up.

- RawLogitsTap: a forward hook keeping the unprocessed logits of the latest step;
- ProcessedTap: a pass-through LogitsProcessor, last in the list, seeing the scores the token is chosen
  from and the running sequences;
- sampling_warpers: temperature / top-k / top-p as transformers' own warpers, in transformers' order;
- seeded: reproducible sampling without disturbing the global RNG.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import torch
from transformers import LogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper


class RawLogitsTap:
    """Forward hook keeping the unprocessed last-position logits of the model's latest forward pass."""

    def __init__(self, model: torch.nn.Module):
        self.model = model
        self.last: torch.Tensor | None = None
        self._thread = threading.get_ident()  # a widget may run other analyses on the model meanwhile

    def __enter__(self) -> RawLogitsTap:
        self._handle = self.model.register_forward_hook(self._hook)
        return self

    def __exit__(self, *exc):
        self._handle.remove()

    def _hook(self, module, args, output):
        if threading.get_ident() == self._thread:
            logits = getattr(output, "logits", None)
            self.last = (logits if logits is not None else output[0])[:, -1]


class ProcessedTap(LogitsProcessor):
    """Pass-through processor: the running sequences and the scores the next token is chosen from."""

    input_ids: torch.Tensor | None = None
    scores: torch.Tensor | None = None

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        self.input_ids = input_ids
        self.scores = scores
        return scores


def sampling_warpers(temperature: float, top_k: int | None, top_p: float | None, num_beams: int,
             eos_ids: list[int]) -> list[LogitsProcessor]:
    """transformers' sampling warpers, in transformers' order and with its min_tokens_to_keep."""
    keep = (len(eos_ids) + 1 if eos_ids else 2) if num_beams > 1 else 1
    warpers: list[LogitsProcessor] = []
    if temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(float(temperature)))
    if top_k is not None:
        warpers.append(TopKLogitsWarper(top_k=top_k, min_tokens_to_keep=keep))
    if top_p is not None and top_p < 1.0:
        warpers.append(TopPLogitsWarper(top_p=float(top_p), min_tokens_to_keep=keep))
    return warpers


@contextmanager
def seeded(seed: int | None, device: torch.device):
    """Seed the RNGs for the call and restore their previous state afterwards."""
    if seed is None:
        yield
        return
    if device.type == "cpu":
        fork = torch.random.fork_rng(devices=[])
    else:
        fork = torch.random.fork_rng(devices=[device.index or 0], device_type=device.type)
    with fork:
        torch.manual_seed(seed)
        yield
