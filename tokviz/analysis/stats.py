"""The one statistics kernel: everything tokviz reports about a next-token distribution, from its logits.

For each row of logits and its target token: log-probability of the target, its rank, the entropy, the
`alternatives` most probable tokens and (optionally) the probability of one more token per row. Rows are
handled in small blocks, so no temporary larger than BLOCK_ROWS x vocabulary floats is ever made.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..tokens import Vocabulary
from .token_info import Candidate

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
    def cat(parts: list[RowStats]) -> RowStats:
        columns = zip(*(p._values() for p in parts))
        return RowStats(*(None if c[0] is None else torch.cat(c) for c in columns))


def row_stats(logits: torch.Tensor, targets: torch.Tensor, alternatives: int, *,
              also: torch.Tensor | None = None, entropy: bool = True, owned: bool = False) -> RowStats:
    """Statistics of softmax(logits[i]) and of targets[i] under it, for every row i.

    logits [N, V] in any float dtype (computed in float32); targets [N] token ids; also [N] optional ids
    whose probability is wanted too. owned: the logits may be overwritten (saves one temporary).
    """
    blocks = [
        _block(logits[i : i + BLOCK_ROWS], targets[i : i + BLOCK_ROWS], alternatives,
               None if also is None else also[i : i + BLOCK_ROWS], entropy, owned)
        for i in range(0, logits.shape[0], BLOCK_ROWS)
    ]
    return RowStats.cat(blocks)


def _block(logits, targets, k, also, with_entropy, owned) -> RowStats:
    x = logits.float()
    owned = owned or x is not logits  # a converted copy is ours to overwrite
    top_logits, top_ids = x.topk(k, dim=-1)
    target = x.gather(-1, targets[:, None]).squeeze(-1)
    extra = None if also is None else x.gather(-1, also[:, None]).squeeze(-1)
    # Rank = 1 + how many tokens score strictly higher, compared on the logits themselves so that rounding
    # can neither split nor merge ties.
    rank = (x > target[:, None]).sum(-1, dtype=torch.int32).long() + 1  # int32 counting: twice as fast
    peak = top_logits[:, :1]
    shifted = x.sub_(peak) if owned else x - peak  # <= 0, so exp cannot overflow
    weights = shifted.exp()
    # The normaliser is summed in float64: that keeps a summed log-probability exact to ~1e-6 per token,
    # where a float32 log-softmax is off by a rounded constant per row.
    total = weights.sum(-1, dtype=torch.float64)
    log_total = total.log()
    entropy = _entropy(weights, shifted, total, log_total) if with_entropy else None

    def log_p(value):  # log-probability from a logit, in float64
        return (value - peak.squeeze(-1)).double() - log_total

    return RowStats(
        logprob=log_p(target), rank=rank, entropy=entropy, top_ids=top_ids,
        top_probs=((top_logits - peak).double() - log_total[:, None]).exp().float(),
        also_prob=None if extra is None else log_p(extra).exp().float(),
    )


def _entropy(weights, shifted, total, log_total) -> torch.Tensor:
    """H = log Z - E[logit - peak], with the expectation as one dot product per row (no V-sized temporary)."""
    dot = torch.linalg.vecdot(weights, shifted)
    masked = torch.isnan(dot)  # a removed token (logit -inf) gives 0 * -inf
    if masked.any():
        w, s = weights[masked], shifted[masked]
        dot[masked] = torch.where(w > 0, w * s, torch.zeros((), device=w.device)).sum(-1)
    return (log_total - dot.double() / total).float().clamp_min(0.0)


def candidates(vocabulary: Vocabulary, ids: list[int], probs: list[float]) -> list[Candidate]:
    return [
        Candidate(token_id=i, text=vocabulary.piece_text(i), prob=p, bytes=vocabulary.bytes_of(i))
        for i, p in zip(ids, probs)
    ]
