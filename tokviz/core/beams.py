"""Beam search results: the finished beams and the tree of every live beam at every step."""

from __future__ import annotations

from dataclasses import dataclass

Ids = tuple[int, ...]  # the generated token ids of one beam (prompt excluded)


@dataclass(frozen=True)
class Beam:
    """One finished beam: its completion text, generated token ids and score as transformers reports it
    (`sequences_scores`: sum of the token log-probabilities / length ** length_penalty). length: the
    generated tokens transformers counted (end-of-text included); length_penalty: the run's."""

    text: str
    token_ids: list[int]
    score: float
    length: int = 0
    length_penalty: float = 1.0

    @property
    def logprob_sum(self) -> float:
        """The sum of the beam's token log-probabilities (nats): the score before the length penalty."""
        return self.score * max(1, self.length) ** self.length_penalty

    def to_dict(self) -> dict:
        return {"text": self.text, "token_ids": list(self.token_ids), "score": self.score}


@dataclass(frozen=True)
class BeamNode:
    """One live beam after one step. parent: index into the previous step's list (-1 = the prompt).
    score: cumulative log-probability of the beam so far (as beam search ranks it). kept: the node lies
    on the path of a returned beam (False = pruned). text: the token's own text. logprob: this step's
    part of the score, the token's log-probability given its parent beam. best: the node lies on the
    path of the best returned beam (the one returned first)."""

    parent: int
    token_id: int
    score: float
    kept: bool
    text: str = ""
    logprob: float = 0.0
    best: bool = False

    def to_dict(self) -> dict:
        return {"parent": self.parent, "token_id": self.token_id, "score": self.score, "kept": self.kept,
                "text": self.text, "logprob": self.logprob}
