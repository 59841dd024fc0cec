"""Prompt analysis: one forward pass, then every token's probability, rank, entropy and top-k."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..checks import check_count, check_int, renamed_argument
from ..models import LanguageModel
from ..served import ServedModel
from ..text_table import candidate_list, prob_cell, render, token_label
from .encoding import Encoded, encode
from .forward import score
from .stats import RowStats, candidates
from .token_info import Candidate, TokenInfo


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
    # numbers this analysis cannot give (None on the tokens), each with the reason (served models)
    unavailable: dict[str, str] = field(default_factory=dict)

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
        scored = [t.logprob for t in tokens if t.logprob is not None]
        return PromptAnalysis(
            text="".join(t.text for t in tokens), model_name=self.model_name, alternatives=self.alternatives,
            tokens=tokens, next=self.tokens[n].top, next_entropy=self.tokens[n].entropy,
            perplexity=math.exp(-sum(scored) / len(scored)) if scored else None, context_ids=self.context_ids,
            unavailable=dict(self.unavailable),
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


def token_infos(lm: LanguageModel, ids: list[int], stats: RowStats | None, start: int,
                texts: list[str] | None = None) -> list[TokenInfo]:
    """TokenInfos for ids, where stats row j is the distribution that predicted ids[start + j] (tokens
    before `start`, or all of them when stats is None, have no prediction)."""
    vocabulary = lm.vocabulary
    texts = texts if texts is not None else vocabulary.texts(ids)
    infos = [
        TokenInfo(index=i, token_id=ids[i], text=texts[i], bytes=vocabulary.bytes_of(ids[i]), prob=None,
                  logprob=None, rank=None, entropy=None)
        for i in range(len(ids) if stats is None else start)
    ]
    if stats is not None:
        logprobs, ranks, top_ids, top_probs = (
            v.tolist() for v in (stats.logprob, stats.rank, stats.top_ids, stats.top_probs))
        # A served model's statistics have no entropy, rank 0 where the token is outside its top-k and a NaN
        # log-probability where its answer holds none (served_scores.py): those are None here.
        entropies = stats.entropy.tolist() if stats.entropy is not None else [None] * len(logprobs)
        for j, i in enumerate(range(start, len(ids))):
            infos.append(TokenInfo(
                index=i, token_id=ids[i], text=texts[i], bytes=vocabulary.bytes_of(ids[i]),
                prob=None if math.isnan(logprobs[j]) else math.exp(logprobs[j]),
                logprob=None if math.isnan(logprobs[j]) else logprobs[j], rank=ranks[j] or None, entropy=entropies[j],
                top=candidates(vocabulary, top_ids[j], top_probs[j]),
            ))
    return infos


def prompt_analysis(lm: LanguageModel, text: str, encoded: Encoded, stats: RowStats | None, *,
                    next_candidates: list[Candidate], next_entropy: float | None,
                    alternatives: int) -> PromptAnalysis:
    """The PromptAnalysis of an encoded text from the statistics of encoded.request() (every predicted
    token, in order; None when no token has a prediction)."""
    tokens = token_infos(lm, encoded.ids, stats, encoded.first_predicted)
    scored = [t.logprob for t in tokens if t.logprob is not None]
    predicted = len(tokens) - encoded.first_predicted if stats is not None else 0
    # None also when a served model's answer lacks some token's log-probability: the mean is unknown.
    perplexity = math.exp(-sum(scored) / len(scored)) if scored and len(scored) == predicted else None
    return PromptAnalysis(
        text=text, model_name=lm.name, alternatives=alternatives, tokens=tokens, next=next_candidates,
        next_entropy=next_entropy, perplexity=perplexity, context_ids=encoded.context,
    )


def analyze(lm: LanguageModel, text: str, *, alternatives: int = 10, top_k: int | None = None) -> PromptAnalysis:
    """Run one forward pass over text and report every token's probability and the `alternatives` most
    probable tokens at each position (top_k: the old name of alternatives, deprecated)."""
    alternatives = renamed_argument(top_k, alternatives, "analyze")
    if isinstance(lm, ServedModel):
        from .served_prompt import analyze_served

        return analyze_served(lm, text, alternatives=alternatives)
    check_count(alternatives, "alternatives", lm.vocab_size)
    encoded = encode(lm, text)
    (stats,), _ = score(lm, [encoded.request(with_next=True)], alternatives)
    after = stats[-1:]  # the distribution after the last token
    next_candidates = candidates(lm.vocabulary, after.top_ids[0].tolist(), after.top_probs[0].tolist())
    predicted = stats[:-1] if len(encoded.ids) > encoded.first_predicted else None
    return prompt_analysis(lm, text, encoded, predicted, next_candidates=next_candidates,
                           next_entropy=float(after.entropy[0]), alternatives=alternatives)
