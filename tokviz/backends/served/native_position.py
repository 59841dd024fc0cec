"""One next-token distribution as an engine that names tokens by id reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class NativePosition:
    """One next-token distribution as an id engine gives it: its top-k [(id, logprob)] best first, and the
    log-probability and whole-vocabulary rank of the token that followed (None where not given)."""

    top: list[tuple[int, float]]
    logprob: float | None = None
    rank: int | None = None
