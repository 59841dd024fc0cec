"""The results of reshape: each listed token before and after, the reshaped distribution's summary, and the
entropy over temperatures."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.text_table import prob_cell, render, token_label


@dataclass(frozen=True)
class ReshapedToken:
    """One token of a reshaped distribution.

    raw_prob: its probability under the raw distribution (softmax of the logits, temperature 1).
    prob: under the reshaped distribution (0 when cut). tempered_prob: at the temperature alone, before
    any filter. cut: why it has probability 0 ("top-k", "top-p", "greedy" at temperature 0), else None.
    rank: its 1-based rank under the raw distribution (1 + the number of tokens with a larger logit).
    text: its text on its own ("" for a partial UTF-8 piece, see bytes); None when reshape had no model.
    """

    token_id: int
    raw_prob: float
    prob: float
    tempered_prob: float
    cut: str | None
    rank: int
    text: str | None = None
    bytes: bytes = b""

    def to_dict(self) -> dict:
        return {"token_id": self.token_id, "text": self.text, "bytes": self.bytes.hex(), "raw_prob": self.raw_prob,
                "prob": self.prob, "tempered_prob": self.tempered_prob, "cut": self.cut, "rank": self.rank}


@dataclass
class EntropyCurve:
    """Entropy (nats) of the reshaped distribution at each temperature, at fixed top-k / top-p."""

    temperatures: list[float]
    entropies: list[float]

    def to_dict(self) -> dict:
        return {"temperatures": list(self.temperatures), "entropies": list(self.entropies)}


@dataclass
class Reshaped:
    """A next-token distribution before and after temperature, top-k and top-p.

    tokens: the `show` most probable tokens of the raw distribution, every token reshape kept when there
    are at most SHOW_KEPT_UP_TO (reshape.py) of them, and the `include`d tokens; most probable first.
    raw_entropy / tempered_entropy / entropy: in nats, of the raw distribution, after the temperature alone,
    and after the filters too (the distribution sampled from).
    kept: how many tokens can still be drawn. kept_mass: the probability those tokens had at the temperature,
    before the filters renormalised it (1.0 when nothing is cut). cut_by_top_k / cut_by_top_p: how many
    tokens each filter removed (top-p counts only tokens top-k had kept). vocab_size: the logits' length.
    rest_raw / rest_prob: raw and reshaped probability of every token not in `tokens`, together;
    rest_kept: how many of those are kept. curve: the entropy at other temperatures (reshape(curve=True)).
    """

    temperature: float
    top_k: int
    top_p: float
    tokens: list[ReshapedToken]
    raw_entropy: float
    tempered_entropy: float
    entropy: float
    kept: int
    kept_mass: float
    cut_by_top_k: int
    cut_by_top_p: int
    vocab_size: int
    rest_raw: float
    rest_prob: float
    rest_kept: int
    curve: EntropyCurve | None = None
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._by_id = {t.token_id: t for t in self.tokens}

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def token(self, token_id: int) -> ReshapedToken:
        """The row of one token id (it must be among `tokens`: pass it to reshape's `include`)."""
        if token_id not in self._by_id:
            raise KeyError(f"token {token_id} is not among the tokens shown; pass include=[{token_id}] to reshape")
        return self._by_id[token_id]

    def to_dict(self) -> dict:
        return {
            "temperature": self.temperature, "top_k": self.top_k, "top_p": self.top_p,
            "tokens": [t.to_dict() for t in self.tokens], "raw_entropy": self.raw_entropy,
            "tempered_entropy": self.tempered_entropy, "entropy": self.entropy, "kept": self.kept,
            "kept_mass": self.kept_mass, "cut_by_top_k": self.cut_by_top_k, "cut_by_top_p": self.cut_by_top_p,
            "vocab_size": self.vocab_size, "rest_raw": self.rest_raw, "rest_prob": self.rest_prob,
            "rest_kept": self.rest_kept, "curve": None if self.curve is None else self.curve.to_dict(),
        }

    def __repr__(self) -> str:
        return (f"Reshaped(temperature={self.temperature}, top_k={self.top_k}, top_p={self.top_p}: "
                f"{self.kept} of {self.vocab_size} tokens kept, entropy {self.raw_entropy:.3f} -> "
                f"{self.entropy:.3f} nats)")

    def table(self) -> str:
        """A plain-text table: each shown token's probability before and after, and why it was cut."""
        columns = [("rank", 4, ">"), ("token", 12, "<"), ("before", 8, ">"), ("after", 8, ">"), ("cut by", 0, "<")]
        rows = [[str(t.rank), token_label(t.text or "", t.bytes) if t.text is not None else f"#{t.token_id}",
                 prob_cell(t.raw_prob), prob_cell(t.prob), t.cut or ""] for t in self.tokens]
        lines = render(columns, rows)
        lines.append(f"all others: before {prob_cell(self.rest_raw)}, after {prob_cell(self.rest_prob)}")
        lines.append(f"entropy: {self.raw_entropy:.3f} -> {self.entropy:.3f} nats; kept {self.kept} tokens "
                     f"holding {self.kept_mass:.4f} of the tempered probability")
        return "\n".join(lines)
