"""Where an nnsight model's parts are: the module paths tokviz's per-architecture lookups find in the model
it wraps (real or, for a remote model, on the meta device), turned into the nnsight envoys a trace reads.

Only module names and a few numbers (a norm's eps, the head's logit transform) come from the wrapped
module; the computation runs inside the trace, on the model wherever it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

import torch
from torch import nn

from ...errors import UnsupportedModelError
from ..local.model_parts import (
    _optional_final_norm,
    decoder_layers,
    final_projection,
    logit_transform,
    norm_epsilon,
    unembedding,
)


@dataclass(frozen=True)
class TracedParts:
    """Dotted paths of the decoder blocks, final norm, projection and unembedding inside the wrapped
    module, the head's logit transform, and what the layer law's gain-free norm needs (eps, centred)."""

    blocks: str
    norm: str | None
    project: str | None
    unembed: str
    transform: Callable[[torch.Tensor], torch.Tensor] | None
    eps: float
    centred: bool

    def envoy(self, traced, path: str):
        return reduce(getattr, path.split("."), traced)

    def block_envoys(self, traced) -> list:
        return list(self.envoy(traced, self.blocks))

    def norm_envoy(self, traced):
        if self.norm is None:
            raise UnsupportedModelError("this model has no final norm, so the layer law has no normed final state")
        return self.envoy(traced, self.norm)

    def logits(self, traced, hidden: torch.Tensor) -> torch.Tensor:
        """Inside a trace: logits of an intermediate hidden state through the model's own modules."""
        if self.norm is not None:
            hidden = self.envoy(traced, self.norm)(hidden)
        if self.project is not None:
            hidden = self.envoy(traced, self.project)(hidden)
        logits = self.envoy(traced, self.unembed)(hidden)
        return self.transform(logits) if self.transform is not None else logits


def traced_parts(module: nn.Module) -> TracedParts:
    """The parts of the module an nnsight model wraps (UnsupportedModelError, naming it, when one is missing)."""
    names = {id(m): name for name, m in module.named_modules()}

    def path(part: nn.Module | None) -> str | None:
        if part is None:
            return None
        if id(part) not in names:
            raise UnsupportedModelError(f"a part of {type(module).__name__} is not one of its submodules")
        return names[id(part)]

    norm = _optional_final_norm(module)
    centred = isinstance(norm, nn.LayerNorm) or isinstance(getattr(norm, "bias", None), torch.Tensor)
    return TracedParts(blocks=path(decoder_layers(module)), norm=path(norm), project=path(final_projection(module)),
                       unembed=path(unembedding(module)), transform=logit_transform(module),
                       eps=norm_epsilon(norm) if norm is not None else 1e-5, centred=centred)
