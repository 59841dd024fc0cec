"""Per-architecture lookups in one place: final norm, unembedding, decoder layers, logit post-processing,
and where each layer's hidden state is in `output_hidden_states`.

Hugging Face causal LMs name these parts differently (Llama `model.norm`, GPT-2 `transformer.ln_f`,
GPT-NeoX `gpt_neox.final_layer_norm`, OPT `model.decoder.final_layer_norm`, Phi `model.final_layernorm`,
Mamba `backbone.norm_f`, RWKV `rwkv.ln_out`; OPT-350m has none and a `project_out` instead).
Everything here uses the model's own modules (so quantized, tied or biased heads and Gemma's (1 + w)
RMSNorm behave exactly as in the model's forward pass) and raises UnsupportedModelError, naming the model
class, when a part cannot be found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ...errors import UnsupportedModelError

_NORM_NAMES = ("norm", "ln_f", "final_layernorm", "final_layer_norm", "norm_f", "final_norm", "ln_out")
# A projection between the final norm and the unembedding (OPT-350m: hidden size -> embedding size).
_PROJECTION_NAMES = ("project_out",)
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
    norm = _optional_final_norm(model)
    if norm is not None:
        return norm
    raise _no_final_norm(model)


def _no_final_norm(model: nn.Module) -> UnsupportedModelError:
    return UnsupportedModelError(
        f"Cannot find the final norm of {_describe(model)} (looked for {', '.join(_NORM_NAMES)} on the base "
        f"model). The logit lens and layer law need it: applying the unembedding without the final norm "
        f"gives wrong probabilities."
    )


def _optional_final_norm(model: nn.Module) -> nn.Module | None:
    """The final norm, or None when the model declares it has none (a norm attribute set to None, as
    post-LN OPT does); raises when no norm is found and none is declared absent."""
    declared_absent = False
    for base in _bases(model):
        for name in _NORM_NAMES:
            module = getattr(base, name, None)
            if isinstance(module, nn.Module):
                return module
            declared = name in vars(base) or name in base._modules
            declared_absent = declared_absent or (declared and module is None)
    if declared_absent:
        return None
    raise _no_final_norm(model)


def final_projection(model: nn.Module) -> nn.Module | None:
    """A projection the model applies after its final norm and before the unembedding (OPT's project_out)."""
    for base in _bases(model):
        for name in _PROJECTION_NAMES:
            module = getattr(base, name, None)
            if isinstance(module, nn.Module):
                return module
    return None


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
    scale. Computed in float32, or float64 for float64 input.
    """
    eps = norm_epsilon(norm)
    centred = isinstance(norm, nn.LayerNorm) or isinstance(getattr(norm, "bias", None), torch.Tensor)
    if centred:
        return lambda x: nn.functional.layer_norm(_at_least_float32(x), x.shape[-1:], eps=eps)
    return lambda x: _at_least_float32(x) * torch.rsqrt(_at_least_float32(x).pow(2).mean(-1, keepdim=True) + eps)


def _at_least_float32(x: torch.Tensor) -> torch.Tensor:
    return x if x.dtype == torch.float64 else x.float()


@dataclass(frozen=True)
class ModelParts:
    """The pieces that turn a hidden state into logits: logits = transform(unembed(project(norm(h)))),
    norm and project skipped where the model has none."""

    norm: nn.Module | None
    unembed: nn.Module
    transform: Callable[[torch.Tensor], torch.Tensor] | None
    project: nn.Module | None = None

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Logits of an intermediate hidden state (not the last one: transformers has already normed it)."""
        if self.norm is not None:
            hidden = self.norm(hidden)
        if self.project is not None:
            hidden = self.project(hidden)
        logits = self.unembed(hidden)
        return self.transform(logits) if self.transform is not None else logits


def model_parts(model: nn.Module) -> ModelParts:
    return ModelParts(norm=_optional_final_norm(model), unembed=unembedding(model), transform=logit_transform(model),
                      project=final_projection(model))


class FirstBlockTap:
    """Hooks on the first decoder block, for one pass: its input (the embedding output every lens starts
    from) and its output (which shows where `output_hidden_states` starts)."""

    def __init__(self, model: nn.Module):
        self.block = decoder_layers(model)[0]
        self.model = model
        self.input: torch.Tensor | None = None
        self.output: torch.Tensor | None = None

    def __enter__(self) -> FirstBlockTap:
        self._handles = [self.block.register_forward_pre_hook(self._before, with_kwargs=True),
                         self.block.register_forward_hook(self._after)]
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()

    def _before(self, module, args, kwargs):
        self.input = args[0] if args else kwargs.get("hidden_states")

    def _after(self, module, args, output):
        self.output = output if isinstance(output, torch.Tensor) else output[0]

    def layer_states(self, hidden_states: tuple) -> tuple:
        """hidden_states as the lens reads them: [embedding output, block 1 .. block L-1 outputs, final state].

        Most models record the embedding output first. Recurrent ones (Mamba, RWKV) record each block's
        output and then the normed final state, with no embedding output: there, the first block's input is
        put in front and the last block's un-normed output dropped, or every layer would show the next one.
        """
        blocks = len(hidden_states) - 1
        if self.output is not None and blocks >= 1 and _same(hidden_states[1], self.output):
            return tuple(hidden_states)
        if self.output is not None and self.input is not None and _same(hidden_states[0], self.output):
            return (self.input, *hidden_states[: blocks - 1], hidden_states[blocks])
        raise UnsupportedModelError(
            f"Cannot tell which layer each of {_describe(self.model)}'s hidden states belongs to: neither the "
            "first nor the second entry of output_hidden_states is the first decoder block's output, so a "
            "per-layer study would read the wrong layer"
        )


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and bool(torch.equal(a, b))
