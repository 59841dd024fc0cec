"""Per-architecture lookups in one place: final norm, unembedding, decoder layers, logit post-processing.

Hugging Face causal LMs name these parts differently (Llama `model.norm`, GPT-2 `transformer.ln_f`,
GPT-NeoX `gpt_neox.final_layer_norm`, OPT `model.decoder.final_layer_norm`, Phi `model.final_layernorm`,
Mamba `backbone.norm_f`). Everything here uses the model's own modules (so quantized, tied or biased
heads and Gemma's (1 + w) RMSNorm behave exactly as in the model's forward pass) and raises
UnsupportedModelError, naming the model class, when a part cannot be found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ...errors import UnsupportedModelError

_NORM_NAMES = ("norm", "ln_f", "final_layernorm", "final_layer_norm", "norm_f", "final_norm")
_LAYER_NAMES = ("layers", "h", "blocks", "layer")
# Containers one level below the base model that hold the decoder stack (OPT, multimodal wrappers).
_INNER_NAMES = ("decoder", "language_model", "text_model")


def _bases(model: nn.Module) -> list[nn.Module]:
    """Modules that may hold the final norm / layers, most specific first."""
    found: list[nn.Module] = []
    base = getattr(model, "base_model", None)
    for candidate in (base, model):
        if isinstance(candidate, nn.Module) and all(candidate is not f for f in found):
            found.append(candidate)
    for outer in list(found):
        for name in _INNER_NAMES:
            inner = getattr(outer, name, None)
            if isinstance(inner, nn.Module) and all(inner is not f for f in found):
                found.insert(0, inner)
    return found


def _describe(model: nn.Module) -> str:
    return type(model).__name__


def final_norm(model: nn.Module) -> nn.Module:
    """The norm the model applies to the last hidden state before the unembedding."""
    for base in _bases(model):
        for name in _NORM_NAMES:
            module = getattr(base, name, None)
            if isinstance(module, nn.Module):
                return module
    raise UnsupportedModelError(
        f"Cannot find the final norm of {_describe(model)} (looked for {', '.join(_NORM_NAMES)} on the base "
        f"model). The logit lens and layer law need it: applying the unembedding without the final norm "
        f"gives wrong probabilities."
    )


def unembedding(model: nn.Module) -> nn.Module:
    """The output embedding (lm_head), including any bias; tied weights are handled by the module itself."""
    getter = getattr(model, "get_output_embeddings", None)
    head = getter() if callable(getter) else None
    if not isinstance(head, nn.Module):
        raise UnsupportedModelError(f"{_describe(model)} has no output embedding (get_output_embeddings())")
    return head


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    """The stack of decoder blocks (hidden_states[l] is the output of block l - 1)."""
    for base in _bases(model):
        for name in _LAYER_NAMES:
            module = getattr(base, name, None)
            if isinstance(module, nn.ModuleList) and len(module) > 0:
                return module
    raise UnsupportedModelError(f"Cannot find the decoder layers of {_describe(model)}")


def backbone(model: nn.Module) -> nn.Module:
    """The model without its head (hidden states only, no [T, vocab] logits computed), or the model."""
    base = getattr(model, "base_model", None)
    return base if isinstance(base, nn.Module) and base is not model else model


def logit_transform(model: nn.Module) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """What the model's head does to lm_head's output, if anything (None = nothing).

    Gemma 2/3: final_logit_softcapping (cap * tanh(x / cap)); Cohere: multiply by logit_scale; Granite:
    divide by logits_scaling. The lens must apply the same, or its layers disagree with the model's logits.
    """
    config = getattr(model, "config", None)
    steps: list[Callable[[torch.Tensor], torch.Tensor]] = []
    scale = getattr(model, "logit_scale", None)  # Cohere keeps it on the module
    if isinstance(scale, (int, float)) and scale != 1:
        steps.append(lambda x: x * scale)
    divisor = getattr(config, "logits_scaling", None)
    if isinstance(divisor, (int, float)) and divisor != 1:
        steps.append(lambda x: x / divisor)
    cap = getattr(config, "final_logit_softcapping", None)
    if isinstance(cap, (int, float)) and cap > 0:
        steps.append(lambda x: torch.tanh(x / cap) * cap)
    if not steps:
        return None

    def transform(logits: torch.Tensor) -> torch.Tensor:
        for step in steps:
            logits = step(logits)
        return logits

    return transform


def norm_epsilon(norm: nn.Module) -> float:
    for name in ("variance_epsilon", "eps", "epsilon"):
        value = getattr(norm, name, None)
        if isinstance(value, (int, float)):
            return float(value)
    return 1e-5


def plain_norm(norm: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """A fresh copy of the final norm's kind, with no learned gain or bias and the same eps.

    LayerNorm-like modules (nn.LayerNorm, or any norm with a bias) centre and scale; RMSNorm-like ones only
    scale. Computed in float32 whatever the input dtype.
    """
    eps = norm_epsilon(norm)
    centred = isinstance(norm, nn.LayerNorm) or isinstance(getattr(norm, "bias", None), torch.Tensor)
    if centred:
        return lambda x: nn.functional.layer_norm(x.float(), x.shape[-1:], eps=eps)
    return lambda x: x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps)


@dataclass(frozen=True)
class ModelParts:
    """The pieces that turn a hidden state into logits: logits = transform(unembed(norm(h)))."""

    norm: nn.Module
    unembed: nn.Module
    transform: Callable[[torch.Tensor], torch.Tensor] | None

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Logits of an intermediate hidden state (not the last one: transformers has already normed it)."""
        logits = self.unembed(self.norm(hidden))
        return self.transform(logits) if self.transform is not None else logits


def model_parts(model: nn.Module) -> ModelParts:
    return ModelParts(norm=final_norm(model), unembed=unembedding(model), transform=logit_transform(model))
