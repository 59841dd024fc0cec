"""Per-position statistics of next-token distributions, vectorised on the logits' device."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..tokens import Vocabulary
from .results import Candidate


@dataclass
class PositionStats:
    """For T positions: the observed token's logprob and rank, entropy, and the top-k (all tensors)."""

    logprob: torch.Tensor  # [T] float32
    rank: torch.Tensor  # [T] int64, 1-based
    entropy: torch.Tensor  # [T] float32, nats
    top_ids: torch.Tensor  # [T, k]
    top_probs: torch.Tensor  # [T, k]


def position_stats(logits: torch.Tensor, targets: torch.Tensor, k: int) -> PositionStats:
    """Statistics of softmax(logits) at each row, and of targets[i] under row i.

    logits [T, V] (any float dtype; computed in float32), targets [T] token ids. Nothing of size V
    leaves this function, and no Python loop runs over the vocabulary.
    """
    logits = logits.float()
    log_norm = torch.logsumexp(logits, dim=-1, keepdim=True)
    target_logits = logits.gather(-1, targets[:, None])
    logprob = (target_logits - log_norm).squeeze(-1)
    # Rank = 1 + how many tokens score strictly higher (ties share the better rank).
    rank = (logits > target_logits).sum(-1) + 1
    probs = torch.exp(logits - log_norm)
    # H = log Z - E[logit]; masked logits (-inf) have prob 0 and must not turn 0 * -inf into NaN.
    expected_logit = torch.where(probs > 0, probs * logits, torch.zeros((), device=logits.device)).sum(-1)
    entropy = log_norm.squeeze(-1) - expected_logit
    top_logits, top_ids = logits.topk(k, dim=-1)
    top_probs = torch.exp(top_logits - log_norm)
    return PositionStats(logprob, rank, entropy.clamp_min(0.0), top_ids, top_probs)


def candidates(vocabulary: Vocabulary, ids: list[int], probs: list[float]) -> list[Candidate]:
    return [
        Candidate(token_id=i, text=vocabulary.piece_text(i), prob=p, bytes=vocabulary.bytes_of(i))
        for i, p in zip(ids, probs)
    ]


def check_top_k(top_k: int, vocab_size: int, name: str = "top_k") -> int:
    from ..errors import InvalidInputError

    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise InvalidInputError(f"{name} must be an integer, got {top_k!r}")
    if not 1 <= top_k <= vocab_size:
        raise InvalidInputError(f"{name} must be between 1 and the vocabulary size ({vocab_size}); got {top_k}")
    return top_k
