"""Which layers the answer needs: how much the answer's log-probability drops when one decoder layer is
skipped, on the same prompts as refinement (qa_prompts.py).

Layer numbering is the logit lens's (lens.py): skipping layer l (1..L) removes block l's residual update:
the block's output is its input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from ..backends.local.forward import score
from ..backends.local.model import LanguageModel
from ..backends.local.model_parts import decoder_layers
from ..backends.protocol import HIDDEN_STATES, MODULES, as_backend, require
from ..checks import check_int
from ..core.progress import progress_bar
from ..errors import InvalidInputError
from .qa_prompts import answer_request, prompts_and_answers


@contextmanager
def skipped_layer(model: torch.nn.Module, layer: int) -> Iterator[None]:
    """Inside the block, decoder block `layer` (1-based, as the lens counts) passes its input through
    unchanged: its residual update (attention and MLP) is removed. A forward hook replaces the block's
    output with its input; it is removed on leaving, whatever happened inside."""
    blocks = decoder_layers(model)
    check_int(layer, "layer", low=1, high=len(blocks))

    def identity(module, args, kwargs, output):
        hidden = args[0] if args else kwargs["hidden_states"]
        if isinstance(output, tuple):
            return (hidden, *output[1:])
        if isinstance(output, torch.Tensor):
            return hidden
        raise TypeError(f"cannot skip {type(module).__name__}: it returns {type(output).__name__}")

    handle = blocks[layer - 1].register_forward_hook(identity, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()


@dataclass
class LayerImportance:
    """The answer's log-probability at its first token, with each decoder layer skipped in turn.

    layers: the skipped layers (1-based). baseline_logprobs[j]: prompt j with nothing skipped.
    skipped_logprobs[i][j]: prompt j with layers[i] skipped. drops[i] = mean over prompts of
    baseline - skipped (nats; positive = the layer helps the answer). baseline_accuracy / accuracy[i]:
    the share of prompts whose top-1 is the answer, without / with layers[i] skipped.
    """

    model_name: str
    layers: list[int]
    baseline_logprobs: list[float]
    skipped_logprobs: list[list[float]]
    drops: list[float]
    baseline_accuracy: float
    accuracy: list[float]

    def __repr__(self) -> str:
        top = sorted(zip(self.drops, self.layers), reverse=True)[:3]
        named = ", ".join(f"{l}: {d:.2f}" for d, l in top)
        return (f"LayerImportance({len(self.layers)} layers, largest drops (layer: nats) {named}, "
                f"model={self.model_name!r})")

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def essential(self, threshold: float = 1.0) -> list[int]:
        """The layers whose removal lowers the answer's log-probability by at least `threshold` nats on
        average (1 nat: the answer's probability falls to about a third), largest drop first."""
        found = [(d, l) for d, l in zip(self.drops, self.layers) if d >= threshold]
        return [l for _, l in sorted(found, reverse=True)]

    def plot(self, ax=None, *, threshold: float = 1.0):
        """One bar per skipped layer (drop in nats), essential layers highlighted; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3))
        essential = set(self.essential(threshold))
        colours = ["#b2182b" if l in essential else "#7f7f7f" for l in self.layers]
        ax.bar(self.layers, self.drops, color=colours)
        ax.axhline(threshold, color="#b2182b", linewidth=0.8, linestyle="--")
        ax.set_xlabel("skipped layer")
        ax.set_ylabel("drop in log P(answer), nats")
        return ax


@torch.inference_mode()
def layer_importance(lm: LanguageModel, prompts, answers: Sequence[str | int] | None = None, *,
                     layers: Sequence[int] | None = None, batch_size: int | None = None,
                     progress: bool = True) -> LayerImportance:
    """The drop in the answer's log-probability when each decoder layer is skipped (skipped_layer),
    averaged over prompts. The answer's first token is scored after each prompt (answer_request) by the
    scoring core (batched, one head row per prompt). layers: which layers to skip (default: all, 1..L);
    one batched pass over the prompts per layer, plus one with nothing skipped. progress: show a progress
    bar over the layers.
    """
    lm = as_backend(lm)
    require(lm, HIDDEN_STATES, "layer importance")
    require(lm, MODULES, "layer importance")
    texts, answer_texts, _ = prompts_and_answers(prompts, answers)
    blocks = decoder_layers(lm.model)
    chosen = list(range(1, len(blocks) + 1)) if layers is None else list(layers)
    if not chosen:
        raise InvalidInputError("layers must name at least one layer")
    chosen = [check_int(l, "layer", low=1, high=len(blocks)) for l in chosen]
    requests = [answer_request(lm, t, a, what=f"prompts[{i}]") for i, (t, a) in enumerate(zip(texts, answer_texts))]

    def run():
        stats, _ = score(lm, requests, 1, batch_size=batch_size)
        return ([float(s.logprob[0]) for s in stats],
                [int(s.top_ids[0, 0]) == r.targets[0] for s, r in zip(stats, requests)])

    base, base_ok = run()
    skipped, accuracy = [], []
    for layer in progress_bar(chosen, "layer importance: skipping layers", enabled=progress):
        with skipped_layer(lm.model, layer):
            logprobs, ok = run()
        skipped.append(logprobs)
        accuracy.append(sum(ok) / len(ok))
    drops = [float(np.mean([b - s for b, s in zip(base, row)])) for row in skipped]
    return LayerImportance(model_name=lm.name, layers=chosen, baseline_logprobs=base, skipped_logprobs=skipped,
                           drops=drops, baseline_accuracy=sum(base_ok) / len(base_ok), accuracy=accuracy)
