"""The one statistics kernel: everything tokviz reports about a next-token distribution, from its logits.

For each row of logits and its target token: log-probability of the target, its rank, the entropy, the
`alternatives` most probable tokens and (optionally) the probability of one more token per row. Rows are
handled in small blocks, so no temporary larger than BLOCK_ROWS x vocabulary floats is ever made.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .token_info import Candidate
from .tokens import Vocabulary

# Rows per block: a block's temporaries (rows x vocabulary floats) then stay in the CPU's cache, which
# made the statistics of a 1,000 x 49,152 logits matrix about 5x faster than one pass over all rows.
BLOCK_ROWS = 64


@dataclass
class RowStats:
    """Statistics of N next-token distributions (all tensors, first dimension N)."""

    logprob: torch.Tensor  # float64: log P(target)
    rank: torch.Tensor  # int64, 1-based rank of the target in the full vocabulary (ties share the better rank)
    entropy: torch.Tensor | None  # float32, nats (None when not asked for)
    top_ids: torch.Tensor  # [N, k] most probable tokens, best first
    top_probs: torch.Tensor  # [N, k] float32
    also_prob: torch.Tensor | None = None  # float32, probability of the `also` token of each row

    def __getitem__(self, rows) -> RowStats:
        """The statistics of some rows (a slice or an index tensor)."""
        return RowStats(*(None if v is None else v[rows] for v in self._values()))

    def _values(self):
        return (self.logprob, self.rank, self.entropy, self.top_ids, self.top_probs, self.also_prob)

    @staticmethod
    def empty(rows: int, alternatives: int, device, *, entropy: bool, also: bool) -> RowStats:
        """Room for the statistics of `rows` rows, filled block by block (no concatenation afterwards)."""
        def room(*shape, dtype=torch.float32):
            return torch.empty(*shape, dtype=dtype, device=device)

        return RowStats(logprob=room(rows, dtype=torch.float64), rank=room(rows, dtype=torch.long),
                        entropy=room(rows) if entropy else None, top_ids=room(rows, alternatives, dtype=torch.long),
                        top_probs=room(rows, alternatives), also_prob=room(rows) if also else None)


def row_stats(logits: torch.Tensor, targets: torch.Tensor, alternatives: int, *,
              also: torch.Tensor | None = None, entropy: bool = True, owned: bool = False,
              out: RowStats | None = None, at: int = 0) -> RowStats:
    """Statistics of softmax(logits[i]) and of targets[i] under it, for every row i.

    logits [N, V] in any float dtype (computed in float32, or float64 for float64 logits); targets [N] token
    ids; also [N] optional ids whose probability is wanted too. owned: the logits may be overwritten (saves
    one temporary).
    out / at: write into rows at.. of an existing RowStats instead of a new one.
    """
    n = logits.shape[0]
    if out is None:
        out = RowStats.empty(n, alternatives, logits.device, entropy=entropy, also=also is not None)
    for i in range(0, n, BLOCK_ROWS):
        block = slice(i, i + BLOCK_ROWS)
        _block(logits[block], targets[block], alternatives, None if also is None else also[block], owned,
               out[at + i : at + min(n, i + BLOCK_ROWS)])
    return out


def _block(logits, targets, k, also, owned, out: RowStats) -> None:
    x = logits if logits.dtype == torch.float64 else logits.float()  # a float64 model keeps its precision
    owned = owned or x is not logits  # a converted copy is ours to overwrite
    top_logits, top_ids = x.topk(k, dim=-1)
    target = x.gather(-1, targets[:, None]).squeeze(-1)
    extra = None if also is None else x.gather(-1, also[:, None]).squeeze(-1)
    # Rank = 1 + how many tokens score strictly higher, compared on the logits themselves so that rounding
    # can neither split nor merge ties (counted in int32: twice as fast).
    out.rank.copy_((x > target[:, None]).sum(-1, dtype=torch.int32) + 1)
    peak = top_logits[:, :1]
    shifted = x.sub_(peak) if owned else x - peak  # <= 0, so exp cannot overflow
    weights = shifted.exp()
    # The normaliser is summed in float64: that keeps a summed log-probability exact to ~1e-8 per token,
    # where a float32 sum (or log-softmax) is off by up to ~2e-7.
    total = weights.sum(-1, dtype=torch.float64)
    log_total = total.log()
    if out.entropy is not None:
        out.entropy.copy_(_entropy(weights, shifted, total, log_total))
    peak = peak.squeeze(-1)
    out.logprob.copy_((target - peak).double() - log_total)
    out.top_ids.copy_(top_ids)
    out.top_probs.copy_(((top_logits - peak[:, None]).double() - log_total[:, None]).exp())
    if out.also_prob is not None:
        out.also_prob.copy_(((extra - peak).double() - log_total).exp())


def _entropy(weights, shifted, total, log_total) -> torch.Tensor:
    """H = log Z - E[logit - peak], with the expectation as one dot product per row (no V-sized temporary)."""
    dot = torch.linalg.vecdot(weights, shifted)
    masked = torch.isnan(dot)  # a removed token (logit -inf) gives 0 * -inf
    if masked.any():
        w, s = weights[masked], shifted[masked]
        dot[masked] = torch.where(w > 0, w * s, torch.zeros((), device=w.device)).sum(-1)
    return (log_total - dot.double() / total).float().clamp_min(0.0)


def candidates(vocabulary: Vocabulary, ids: list[int], probs: list[float],
               sampled: list[float] | None = None) -> list[Candidate]:
    """Candidates of the given ids, best first; id -1 pads a served model's shorter top-k and is left out.
    sampled: each one's probability under the distribution sampled from (default: unknown)."""
    sampled = sampled if sampled is not None else [None] * len(ids)
    return [
        Candidate(token_id=i, text=vocabulary.piece_text(i), prob=p, bytes=vocabulary.bytes_of(i), sampled_prob=s)
        for i, p, s in zip(ids, probs, sampled) if i != -1
    ]
