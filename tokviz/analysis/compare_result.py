"""The result of compare: two results' tokens lined up in units, each unit's two sides and their
log-probabilities, and the summary numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..core.text_table import render, token_label
from ..core.token_info import TokenInfo


@dataclass(frozen=True)
class UnitSide:
    """One side of a compared unit: its tokens, where they lie in that side's text, and their log-probability.

    start / end: character offsets in the side's text ("".join of its token texts).
    logprob: the sum of the tokens' log-probabilities (natural log) = log P(these tokens | everything
    before them); None when one of them has no prediction (the side's first token).
    """

    tokens: tuple[TokenInfo, ...]
    start: int
    end: int

    @property
    def logprob(self) -> float | None:
        values = [t.logprob for t in self.tokens]
        return None if not values or any(v is None for v in values) else float(math.fsum(values))

    @property
    def prob(self) -> float | None:
        lp = self.logprob
        return None if lp is None else math.exp(lp)

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)

    @property
    def token_ids(self) -> list[int]:
        return [t.token_id for t in self.tokens]

    @property
    def generated(self) -> bool:
        """Whether these tokens were generated (not part of the prompt)."""
        return any(t.generated for t in self.tokens)

    def to_dict(self) -> dict:
        return {"tokens": [t.to_dict() for t in self.tokens], "start": self.start, "end": self.end,
                "logprob": self.logprob, "prob": self.prob}


@dataclass(frozen=True)
class ComparedUnit:
    """One column of a comparison: side `a` over side `b`. A side is None where the unit is the other
    side's only (an unmatched token when the texts differ)."""

    index: int
    a: UnitSide | None
    b: UnitSide | None

    @property
    def matched(self) -> bool:
        return self.a is not None and self.b is not None

    @property
    def difference(self) -> float | None:
        """b's log-probability minus a's (nats); None unless both sides have one."""
        la = None if self.a is None else self.a.logprob
        lb = None if self.b is None else self.b.logprob
        return None if la is None or lb is None else lb - la

    def side(self, which: int) -> UnitSide | None:
        return self.a if which == 0 else self.b

    def to_dict(self) -> dict:
        return {"index": self.index, "a": None if self.a is None else self.a.to_dict(),
                "b": None if self.b is None else self.b.to_dict(), "difference": self.difference}


@dataclass
class Comparison:
    """Two results lined up unit by unit (see compare.py for the alignment rule).

    names: what each side is called (A, B). alignment: "characters" (one text, aligned by character
    spans) or "tokens" (two texts, aligned by matching token text). units: the aligned units, in order.
    texts: each side's text (its tokens' texts joined: prompt plus generated tokens for a Generation).
    models: each side's model name. results: the two results compared.
    generated_from: for each side, the index in its token list where the generated part starts (the
    number of prompt tokens); None for a PromptAnalysis.
    perplexities: each side's exp(-mean log-prob) over its tokens with a prediction (a PromptAnalysis:
    its own `perplexity`; a Generation: over prompt and generated tokens together).
    mean_difference: mean of b - a (nats) over the units where both sides have a log-probability.
    aligned: how many units have both values. divergence: index of the first unit where the texts differ
    (alignment "tokens"; None when one text equals the other), divergence_char: its character offset,
    the same on both sides (everything before it is shared).
    """

    names: tuple[str, str]
    alignment: str
    units: list[ComparedUnit]
    texts: tuple[str, str]
    models: tuple[str, str]
    results: tuple[object, object] = field(repr=False)
    generated_from: tuple[int | None, int | None]
    perplexities: tuple[float | None, float | None]
    mean_difference: float | None
    aligned: int
    divergence: int | None
    divergence_char: int | None
    # Each side's Vocabulary when its result carries one: lets the view
    # show special tokens as tags. Display only; no number depends on it.
    vocabularies: tuple[object, object] = field(default=(None, None), repr=False, compare=False)

    @property
    def differences(self) -> list[float | None]:
        """b - a per unit (nats), None where a side has no value."""
        return [u.difference for u in self.units]

    def to_dict(self) -> dict:
        return {
            "names": list(self.names), "alignment": self.alignment, "texts": list(self.texts),
            "models": list(self.models), "generated_from": list(self.generated_from),
            "perplexities": list(self.perplexities), "mean_difference": self.mean_difference,
            "aligned": self.aligned, "divergence": self.divergence, "divergence_char": self.divergence_char,
            "units": [u.to_dict() for u in self.units],
        }

    def __repr__(self) -> str:
        mean = "None" if self.mean_difference is None else f"{self.mean_difference:+.3f}"
        where = "" if self.divergence is None else f", divergence=unit {self.divergence}"
        return (f"Comparison({self.names[0]!r} vs {self.names[1]!r}, {len(self.units)} units by {self.alignment}, "
                f"mean difference={mean} nats{where})")

    def table(self) -> str:
        """A plain-text table: one line per unit with both sides' tokens, log-probs and the difference."""
        a, b = self.names

        def cells(side: UnitSide | None) -> list[str]:
            if side is None:
                return ["", ""]
            label = " ".join(token_label(t.text, t.bytes) for t in side.tokens)
            return [label, "" if side.logprob is None else f"{side.logprob:.3f}"]

        columns = [("#", 4, ">"), (a, 12, "<"), (f"log p {a}", 8, ">"), (b, 12, "<"), (f"log p {b}", 8, ">"),
                   ("b - a", 0, "<")]
        rows = []
        for u in self.units:
            d = u.difference
            mark = "  <- first difference" if u.index == self.divergence else ""
            rows.append([str(u.index), *cells(u.a), *cells(u.b), ("" if d is None else f"{d:+.3f}") + mark])
        lines = render(columns, rows)
        ppl = ", ".join(f"{n} {'-' if p is None else f'{p:.2f}'}" for n, p in zip(self.names, self.perplexities))
        mean = "-" if self.mean_difference is None else f"{self.mean_difference:+.3f}"
        lines.append(f"mean difference ({b} - {a}): {mean} nats over {self.aligned} units; perplexity: {ppl}")
        return "\n".join(lines)
