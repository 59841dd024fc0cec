"""The reduction that runs inside an nnsight trace: rows of logits to the few numbers that come back.

Only values saved in a trace return from where the model runs (a remote cluster sends back nothing else),
so each layer's [rows, vocabulary] logits become, there, the target's log-probability and rank, the top-k
and optionally the entropy and one more token's probability. Plain torch only, the same formulas as the
statistics kernel (tokviz.core.stats): float32 logits (float64 kept), a float64 normaliser, ranks compared
on the logits themselves.
"""

from __future__ import annotations

import torch

from ...core.stats import RowStats


def reduce_rows(logits: torch.Tensor, targets: torch.Tensor, k: int, *, also: torch.Tensor | None = None,
                entropy: bool = False) -> list[torch.Tensor]:
    """[logprob, rank, top_ids, top_probs, entropy or empty, also_prob or empty] of softmax(logits[i])."""
    x = logits if logits.dtype == torch.float64 else logits.float()
    targets = targets.to(x.device)
    top_logits, top_ids = x.topk(k, dim=-1)
    target = x.gather(-1, targets[:, None]).squeeze(-1)
    rank = (x > target[:, None]).sum(-1) + 1
    peak = top_logits[:, :1]
    shifted = x - peak
    weights = shifted.exp()
    total = weights.sum(-1, dtype=torch.float64)
    log_total = total.log()
    logprob = (target - peak.squeeze(-1)).double() - log_total
    top_probs = ((top_logits - peak).double() - log_total[:, None]).exp().float()
    empty = x.new_zeros(0)
    spread = empty
    if entropy:
        spread = (log_total - (weights.double() * shifted.double()).nansum(-1) / total).float().clamp_min(0.0)
    also_prob = empty
    if also is not None:
        extra = x.gather(-1, also.to(x.device)[:, None]).squeeze(-1)
        also_prob = ((extra - peak.squeeze(-1)).double() - log_total).exp().float()
    return [logprob, rank, top_ids, top_probs, spread, also_prob]


def row_stats_of(reduced: list[torch.Tensor]) -> RowStats:
    """The RowStats of reduce_rows' saved values (on the CPU)."""
    logprob, rank, top_ids, top_probs, spread, also_prob = (t.detach().cpu() for t in reduced)
    return RowStats(logprob=logprob.double(), rank=rank.long(), entropy=spread if spread.numel() else None,
                    top_ids=top_ids.long(), top_probs=top_probs.float(),
                    also_prob=also_prob if also_prob.numel() else None)
