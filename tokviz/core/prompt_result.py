"""Prompt analysis: one forward pass, then every token's probability, rank, entropy and top-k."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..checks import check_int
from .completion import step_stats
from .encoding import Encoded
from .stats import RowStats, candidates
from .text_table import candidate_list, prob_cell, render, token_label
from .token_info import Candidate, TokenInfo

UNAVAILABLE_PERPLEXITY = "some tokens' log-probabilities are unavailable (see 'logprob'), so the mean is unknown"


def mean_perplexity(logprobs: list[float | None]) -> float | None:
    """exp(-mean log-probability) of the predicted tokens' log-probabilities; None when there is none, or
    when one is unknown (the mean is then unknown too)."""
    if not logprobs or any(lp is None for lp in logprobs):
        return None
    return math.exp(-math.fsum(logprobs) / len(logprobs))


def predicted_logprobs(tokens: list[TokenInfo]) -> list[float | None]:
    """The log-probabilities of the tokens that have a prediction (None where a backend could not give the
    number): the tokens a perplexity is over."""
    return [t.logprob for t in tokens if t.top or t.logprob is not None]


@dataclass
class PromptAnalysis:
    """What the model predicted at every token of a text.

    tokens: one TokenInfo per displayed token (a tokenizer-added BOS is context, not a token).
    next: the top alternatives after the last token. perplexity: exp(-mean logprob) over tokens with a prediction
    (None if none has one).
    """

    text: str
    model_name: str
    alternatives: int
    tokens: list[TokenInfo]
    next: list[Candidate]
    next_entropy: float | None
    perplexity: float | None
    context_ids: list[int] = field(default_factory=list)
    # numbers this analysis cannot give (None on the tokens), each with the reason
    unavailable: dict[str, str] = field(default_factory=dict)
    # how token ids turn into text (the view's payload needs it); not part of the result's value
    vocabulary: object = field(default=None, repr=False, compare=False)

    @property
    def token_ids(self) -> list[int]:
        return [t.token_id for t in self.tokens]

    @property
    def total_logprob(self) -> float:
        """Sum of log P(t_i | t_<i) over the tokens that have a prediction (natural log)."""
        return float(sum(t.logprob for t in self.tokens if t.logprob is not None))

    @property
    def surprisal_bits(self) -> list[float | None]:
        """Per-token surprisal -log2 P, None where there is no prediction."""
        return [t.surprisal_bits for t in self.tokens]

    def cut(self, n: int) -> PromptAnalysis:
        """The analysis of this text's first n tokens (1 <= n < len(tokens)), without running the model: a
        causal model's numbers for those tokens do not depend on what follows, and what it expects after
        token n-1 is what it predicted for token n."""
        check_int(n, "n", low=1, high=len(self.tokens) - 1, hint=" (fewer than the analysis' tokens)")
        tokens = self.tokens[:n]
        return PromptAnalysis(
            text="".join(t.text for t in tokens), model_name=self.model_name, alternatives=self.alternatives,
            tokens=tokens, next=self.tokens[n].top, next_entropy=self.tokens[n].entropy,
            perplexity=mean_perplexity(predicted_logprobs(tokens)), context_ids=self.context_ids,
            unavailable=dict(self.unavailable), vocabulary=self.vocabulary,
        )

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "model_name": self.model_name,
            "alternatives": self.alternatives,
            "tokens": [t.to_dict() for t in self.tokens],
            "next": [c.to_dict() for c in self.next],
            "next_entropy": self.next_entropy,
            "perplexity": self.perplexity,
            **({"unavailable": dict(self.unavailable)} if self.unavailable else {}),
        }

    def __repr__(self) -> str:
        ppl = "None" if self.perplexity is None else f"{self.perplexity:.2f}"
        return f"PromptAnalysis({len(self.tokens)} tokens, perplexity={ppl}, model={self.model_name!r})"

    def table(self, top: int = 3) -> str:
        """A plain-text table of the tokens, their probabilities and `top` candidates each."""
        columns = [("#", 4, ">"), ("token", 12, "<"), ("prob", 8, ">"), ("rank", 6, ">"), ("top candidates", 0, "<")]
        rows = [[str(t.index), token_label(t.text, t.bytes), prob_cell(t.prob),
                 "" if t.rank is None else str(t.rank), candidate_list(t.top, top)] for t in self.tokens]
        lines = render(columns, rows)
        lines.append("next: " + candidate_list(self.next, max(top, 5)))
        if self.perplexity is not None:
            lines.append(f"perplexity: {self.perplexity:.2f}")
        return "\n".join(lines)


@dataclass
class TextScores:
    """What a backend's score_text gives: the text's tokens with their numbers (a token without a prediction
    has none and no candidates), the distribution after the last token, the special tokens fed before the
    text, and the numbers it cannot give, each with the reason."""

    tokens: list[TokenInfo]
    next: list[Candidate]
    next_entropy: float | None
    context_ids: list[int] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)


def token_infos(vocabulary, ids: list[int], stats: RowStats | None, start: int,
                texts: list[str] | None = None) -> list[TokenInfo]:
    """TokenInfos for ids, where stats row j is the distribution that predicted ids[start + j] (tokens
    before `start`, or all of them when stats is None, have no prediction). Unknown numbers in the stats
    (NaN log-probability, rank 0, no entropy: see backends.protocol) are None here."""
    texts = texts if texts is not None else vocabulary.texts(ids)
    infos = [
        TokenInfo(index=i, token_id=ids[i], text=texts[i], bytes=vocabulary.bytes_of(ids[i]), prob=None,
                  logprob=None, rank=None, entropy=None)
        for i in range(len(ids) if stats is None else start)
    ]
    if stats is not None:
        for i, step in zip(range(start, len(ids)), step_stats(vocabulary, stats)):
            infos.append(TokenInfo(
                index=i, token_id=ids[i], text=texts[i], bytes=vocabulary.bytes_of(ids[i]),
                prob=None if step.logprob is None else math.exp(step.logprob), logprob=step.logprob, rank=step.rank,
                entropy=step.entropy, top=step.top))
    return infos


def encoded_scores(vocabulary, encoded: Encoded, stats: RowStats) -> TextScores:
    """TextScores of an encoded text from the statistics of encoded.request(with_next=True)."""
    after = stats[-1:]  # the distribution after the last token
    predicted = stats[:-1] if len(encoded.ids) > encoded.first_predicted else None
    return TextScores(
        tokens=token_infos(vocabulary, encoded.ids, predicted, encoded.first_predicted),
        next=candidates(vocabulary, after.top_ids[0].tolist(), after.top_probs[0].tolist()),
        next_entropy=None if after.entropy is None else float(after.entropy[0]), context_ids=list(encoded.context))


def prompt_analysis(lm, text: str, scores: TextScores, alternatives: int) -> PromptAnalysis:
    """The PromptAnalysis of a text from its scores: perplexity over the tokens with a prediction."""
    unavailable = dict(scores.unavailable)
    predicted = predicted_logprobs(scores.tokens)
    perplexity = mean_perplexity(predicted)
    if perplexity is None and predicted:
        unavailable["perplexity"] = UNAVAILABLE_PERPLEXITY
    return PromptAnalysis(
        text=text, model_name=lm.name, alternatives=alternatives, tokens=scores.tokens, next=scores.next,
        next_entropy=scores.next_entropy, perplexity=perplexity, context_ids=list(scores.context_ids),
        unavailable=unavailable, vocabulary=lm.vocabulary,
    )
