"""Prompt analysis: one forward pass, then every token's probability, rank, entropy and top-k."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from ..checks import check_count, renamed_argument
from ..models import LanguageModel
from ..text_table import candidate_list, prob_cell, render, token_label
from .distributions import candidates, position_stats
from .encoding import Encoded, encode
from .results import Candidate, TokenInfo


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
    next_entropy: float
    perplexity: float | None
    context_ids: list[int] = field(default_factory=list)

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
        return [None if t.logprob is None else -t.logprob / math.log(2) for t in self.tokens]

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "model_name": self.model_name,
            "alternatives": self.alternatives,
            "tokens": [t.to_dict() for t in self.tokens],
            "next": [c.to_dict() for c in self.next],
            "next_entropy": self.next_entropy,
            "perplexity": self.perplexity,
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


def token_infos(lm: LanguageModel, ids: list[int], logits: torch.Tensor, start: int, alternatives: int,
                texts: list[str] | None = None) -> list[TokenInfo]:
    """TokenInfos for ids, where logits[j] is the distribution that predicted ids[j] (j >= start).

    Tokens before `start` have no prediction. logits: [len(ids) - start, V].
    """
    vocabulary = lm.vocabulary
    texts = texts if texts is not None else vocabulary.texts(ids)
    infos = [
        TokenInfo(index=i, token_id=ids[i], text=texts[i], bytes=vocabulary.bytes_of(ids[i]), prob=None,
                  logprob=None, rank=None, entropy=None)
        for i in range(start)
    ]
    if start < len(ids):
        targets = torch.tensor(ids[start:], device=logits.device)
        stats = position_stats(logits, targets, alternatives)
        logprobs = stats.logprob.tolist()
        ranks = stats.rank.tolist()
        entropies = stats.entropy.tolist()
        top_ids = stats.top_ids.tolist()
        top_probs = stats.top_probs.tolist()
        for j, i in enumerate(range(start, len(ids))):
            infos.append(TokenInfo(
                index=i, token_id=ids[i], text=texts[i], bytes=vocabulary.bytes_of(ids[i]),
                prob=math.exp(logprobs[j]), logprob=logprobs[j], rank=ranks[j], entropy=entropies[j],
                top=candidates(vocabulary, top_ids[j], top_probs[j]),
            ))
    return infos


def prompt_analysis(lm: LanguageModel, text: str, encoded: Encoded, logits: torch.Tensor | None, *,
                    next_candidates: list[Candidate], next_entropy: float, alternatives: int) -> PromptAnalysis:
    """The PromptAnalysis of an encoded text from its logits, where logits[p] predicts position p + 1
    (rows for positions up to the second-to-last token are needed; later rows are ignored)."""
    # Token i of the text sits at position len(context) + i; without a BOS, token 0 has no prediction.
    offset = len(encoded.context)
    start = 0 if offset else 1
    predicting = None if logits is None else logits[offset + start - 1 : offset + len(encoded.ids) - 1]
    tokens = token_infos(lm, encoded.ids, predicting, start, alternatives)
    scored = [t.logprob for t in tokens if t.logprob is not None]
    perplexity = math.exp(-sum(scored) / len(scored)) if scored else None
    return PromptAnalysis(
        text=text, model_name=lm.name, alternatives=alternatives, tokens=tokens, next=next_candidates,
        next_entropy=next_entropy, perplexity=perplexity, context_ids=encoded.context,
    )


@torch.inference_mode()
def analyze(lm: LanguageModel, text: str, *, alternatives: int = 10, top_k: int | None = None) -> PromptAnalysis:
    """Run one forward pass over text and report every token's probability and the `alternatives` most
    probable tokens at each position (top_k: the old name of alternatives, deprecated)."""
    alternatives = renamed_argument(top_k, alternatives, "analyze")
    check_count(alternatives, "alternatives", lm.vocab_size)
    encoded = encode(lm, text)
    logits = lm.model(encoded.tensor(lm.device)).logits[0]
    next_stats = position_stats(logits[-1:], torch.zeros(1, dtype=torch.long, device=logits.device), alternatives)
    next_candidates = candidates(lm.vocabulary, next_stats.top_ids[0].tolist(), next_stats.top_probs[0].tolist())
    return prompt_analysis(lm, text, encoded, logits, next_candidates=next_candidates,
                           next_entropy=float(next_stats.entropy[0]), alternatives=alternatives)
