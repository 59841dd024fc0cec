"""The nnsight traces behind TracedModel: what each reads, in the order the model computes it (nnsight
refuses a value the model has already run past), and what it saves (only saved values come back).

Each trace keeps the hidden states of the requested rows only, and reduces them after the model's own
logits are read: the lens of layer l is head(final_norm(h_l)) through the model's own modules, called
inside the trace, so it runs where the model runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ...core.stats import RowStats
from ...errors import MissingDependencyError
from .reduce import reduce_rows, row_stats_of

if TYPE_CHECKING:
    from .model import TracedModel


def _nnsight():
    try:
        import nnsight
    except ImportError as error:
        raise MissingDependencyError("reading an nnsight model needs nnsight: pip install nnsight") from error
    return nnsight


def _state(output) -> torch.Tensor:
    """A block's output hidden state (transformers 5 returns a tensor; older versions a tuple)."""
    return output[0] if isinstance(output, tuple) else output


def score_pass(lm: TracedModel, ids, slots, rows, targets, k: int) -> RowStats:
    """The statistics (with entropy) of the model's own next-token distributions at (slots, rows)."""
    nnsight = _nnsight()
    with lm.traced.trace(ids, remote=lm.remote):
        logits = lm.traced.output.logits[slots, rows]
        saved = nnsight.save(reduce_rows(logits, targets, k, entropy=True))
    return row_stats_of(saved)


def layer_pass(lm: TracedModel, ids, slots, rows, targets, k: int, against_final: bool) -> list[RowStats]:
    """Per lens layer 0..L the statistics at (slots, rows); layer L is the model's own logits."""
    nnsight = _nnsight()
    parts = lm.parts
    kept = []
    with lm.traced.trace(ids, remote=lm.remote):
        blocks = parts.block_envoys(lm.traced)
        kept.append(blocks[0].input[slots, rows])  # the embedding output, as the first block receives it
        for block in blocks[:-1]:
            kept.append(_state(block.output)[slots, rows])
        final = reduce_rows(lm.traced.output.logits[slots, rows], targets, k)
        also = final[2][:, 0] if against_final else None
        if also is not None:
            final[5] = final[3][:, 0]
        reduced = []  # loops, not comprehensions: nnsight runs this block's source on its own
        for h in kept:
            reduced.append(reduce_rows(parts.logits(lm.traced, h), targets, k, also=also))
        reduced.append(final)
        saved = nnsight.save(reduced)
    return [row_stats_of(layer) for layer in saved]


def feature_pass(lm: TracedModel, ids) -> list[torch.Tensor]:
    """The layer law's features of one sequence: per layer 1..L the states of positions 0..T-2, layers below L
    through a gain-free norm of the final norm's kind (same eps), layer L the final norm's own output."""
    nnsight = _nnsight()
    parts = lm.parts
    features = []
    with lm.traced.trace(ids, remote=lm.remote):
        blocks = parts.block_envoys(lm.traced)
        for block in blocks[:-1]:
            features.append(_plain_norm(_state(block.output)[0, :-1], parts.eps, parts.centred))
        features.append(parts.norm_envoy(lm.traced).output[0, :-1])
        saved = nnsight.save(features)
    return [f if f.dtype == torch.float64 else f.float() for f in (t.detach().cpu() for t in saved)]


def _plain_norm(x: torch.Tensor, eps: float, centred: bool) -> torch.Tensor:
    x = x if x.dtype == torch.float64 else x.float()
    if centred:
        return torch.nn.functional.layer_norm(x, x.shape[-1:], eps=eps)
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
