"""Result types shared by the analysis functions: one token and its candidates."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Candidate:
    """One token the model considered at a position: its id, text on its own and probability.

    sampled_prob: for a sampled generated token's candidates, the candidate's probability under the
    processed distribution the token was drawn from (0.0: removed by top-k / top-p; None: not sampled,
    or not known)."""

    token_id: int
    text: str
    prob: float
    bytes: bytes = b""
    sampled_prob: float | None = None

    def to_dict(self) -> dict:
        return {"token_id": self.token_id, "text": self.text, "prob": self.prob, "bytes": self.bytes.hex(),
                "sampled_prob": self.sampled_prob}


@dataclass
class TokenInfo:
    """One token of a prompt or a generation, with what the model predicted at its position.

    prob / logprob: P(token | everything before it) under the unprocessed model (None for a first token
    with no context). rank: 1-based rank of the token in the full vocabulary. entropy: of the predicted
    distribution, in nats. top: the most probable tokens at this position, best first.
    sampled_prob: generated tokens only, the probability under the processed distribution that was
    actually sampled from (temperature, top-k, top-p).
    forced: put in the completion by the caller (generate's prefix_ids, a branch), not chosen by decoding.
    """

    index: int
    token_id: int
    text: str
    bytes: bytes
    prob: float | None
    logprob: float | None
    rank: int | None
    entropy: float | None
    top: list[Candidate] = field(default_factory=list)
    sampled_prob: float | None = None
    generated: bool = False
    forced: bool = False

    def __post_init__(self):
        if self.prob is not None and not 0.0 <= self.prob <= 1.0 + 1e-6:
            raise ValueError(f"prob must be in [0, 1], got {self.prob}")
        if self.rank is not None and self.rank < 1:
            raise ValueError(f"rank is 1-based, got {self.rank}")

    @property
    def surprisal_bits(self) -> float | None:
        """-log2 P(token | everything before it), in bits (None where there is no prediction)."""
        return None if self.logprob is None else -self.logprob / math.log(2)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["bytes"] = self.bytes.hex()
        data["top"] = [c.to_dict() for c in self.top]
        return data

    def __repr__(self) -> str:
        prob = "None" if self.prob is None else f"{self.prob:.4f}"
        return f"TokenInfo({self.index}, {self.text!r}, prob={prob}, rank={self.rank})"


# Rank bands of the GLTR-style summary: top 1, top 10, top 100, top 1000, beyond.
RANK_EDGES = (1, 10, 100, 1000)


def rank_counts(tokens, edges=RANK_EDGES) -> list[int]:
    """How many tokens the model ranked within each band: counts[i] = ranks in (edges[i-1], edges[i]],
    the last count = ranks above edges[-1]. Tokens without a prediction (the first token) are not counted."""
    counts = [0] * (len(edges) + 1)
    for token in tokens:
        if token.rank is not None:
            counts[next((i for i, edge in enumerate(edges) if token.rank <= edge), len(edges))] += 1
    return counts
