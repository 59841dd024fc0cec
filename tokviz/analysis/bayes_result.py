"""BayesICL: the result of bayes_icl, the model's predictions beside the Bayesian references."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidInputError
from .dirichlet import ALPHA_HIGH, ALPHA_LOW, kl_divergence, total_variation

REFERENCES = ("bayes", "laplace", "frequency")


@dataclass
class BayesICL:
    """The model's predictions along outcome sequences beside the Bayesian references (see bayes.py).

    Per sequence s and n = 0 .. length - 1 (the prediction of observation n from the n before it), arrays
    padded with NaN beyond a sequence's length (`valid` marks the real entries), K = len(outcomes):
    - token_probs [S, N, K]: the model's probability of each outcome's token (full-vocabulary softmax);
    - outside [S, N]: 1 - their sum, the probability of every other token;
    - model [S, N, K]: token_probs normalised over the outcomes;
    - counts [S, N, K]: how often each outcome occurred before n;
    - bayes / laplace / frequency [S, N, K]: the references (frequency NaN at n = 0).
    Per n (over the sequences long enough; `count[n]` of them): tv[ref][n], the mean total variation
    1/2 sum_k |model_k - ref_k| (two outcomes: the mean |model - ref| of the first outcome's probability);
    kl[ref][n], the mean KL(model || ref) in nats (inf when a reference gives 0 to an outcome, as the
    frequency does before it has seen it); mean_outside[n]. frequency's entries at n = 0 are NaN.
    alpha: the fitted prior strength per outcome (strength = K alpha pseudo-observations in all; Laplace:
    alpha = 1); alpha_at_bound: it lies at the search range's edge. Stability: alpha_by_n[n] fitted on the
    predictions at n alone (NaN at n = 0), alpha_by_window[i] on windows[i] = (first n, last n);
    kl_one_alpha / kl_window_alpha: the mean KL(model || Dirichlet) over every prediction with n >= 1 under
    the one alpha and under each window's own alpha (close values: one alpha describes every n).
    texts[s]: the text of sequence s; prompt_ends[s][n]: where the prompt predicting observation n ends
    (a character offset into texts[s]; the outcome's token may carry the separator's space).
    outcome_tokens: each outcome's token as it appears in the texts; forward_passes: model calls used.
    """

    model_name: str
    template: str
    separator: str
    outcomes: tuple[str, ...]
    outcome_tokens: list[str]
    outcome_ids: list[int]
    sequences: list[list[str]]
    labels: list[str]
    hidden: list[list[float] | None]
    texts: list[str]
    prompt_ends: list[list[int]]
    valid: np.ndarray
    token_probs: np.ndarray
    outside: np.ndarray
    model: np.ndarray
    counts: np.ndarray
    bayes: np.ndarray
    laplace: np.ndarray
    frequency: np.ndarray
    count: np.ndarray
    tv: dict[str, np.ndarray]
    kl: dict[str, np.ndarray]
    mean_outside: np.ndarray
    alpha: float
    alpha_at_bound: bool
    alpha_by_n: np.ndarray
    windows: list[tuple[int, int]]
    alpha_by_window: list[float]
    kl_one_alpha: float
    kl_window_alpha: float
    forward_passes: int
    alpha_bounds: tuple[float, float] = (ALPHA_LOW, ALPHA_HIGH)
    groups: list[str] = field(default_factory=list)

    @property
    def strength(self) -> float:
        """K alpha: the prior's weight in pseudo-observations (Laplace: K)."""
        return len(self.outcomes) * self.alpha

    @property
    def lengths(self) -> list[int]:
        return [len(s) for s in self.sequences]

    @property
    def alpha_spread(self) -> float:
        """max / min of the per-window alphas: 1 = the same prior strength at every n."""
        values = [a for a in self.alpha_by_window if not math.isnan(a)]
        return max(values) / min(values) if values else math.nan

    def reference(self, name: str) -> np.ndarray:
        if name not in REFERENCES:
            raise InvalidInputError(f"reference must be one of {', '.join(REFERENCES)}; got {name!r}")
        return getattr(self, name)

    def select(self, label: str | None = None) -> np.ndarray:
        """Indices of the sequences with this label (every sequence for None)."""
        if label is None:
            return np.arange(len(self.sequences))
        chosen = [i for i, lab in enumerate(self.labels) if lab == label]
        if not chosen:
            raise InvalidInputError(f"no sequence is labelled {label!r}; labels: {', '.join(map(repr, self.groups))}")
        return np.array(chosen)

    def distances(self, label: str | None = None, n: range | None = None) -> dict[str, dict[str, float]]:
        """Mean total variation and mean KL(model || ref) of each reference over the predictions of the
        sequences labelled `label` (all: None) at the n in `n` (default: every n >= 1)."""
        rows = self.select(label)
        ns = range(1, self.valid.shape[1]) if n is None else n
        mask = np.zeros_like(self.valid)
        mask[np.ix_(rows, [i for i in ns if 0 <= i < self.valid.shape[1]])] = True
        mask &= self.valid
        out: dict[str, dict[str, float]] = {"tv": {}, "kl": {}}
        for name in REFERENCES:
            ref = self.reference(name)[mask]
            keep = ~np.isnan(ref).any(-1)
            q = self.model[mask][keep]
            out["tv"][name] = float(total_variation(q, ref[keep]).mean()) if len(q) else math.nan
            out["kl"][name] = float(kl_divergence(q, ref[keep]).mean()) if len(q) else math.nan
        return out

    def closest(self, label: str | None = None, n: range | None = None, measure: str = "tv") -> str:
        """The reference nearest to the model (mean `measure`, "tv" or "kl") over those predictions."""
        values = self.distances(label, n)[measure]
        return min(REFERENCES, key=lambda name: values[name])

    def to_dict(self) -> dict:
        def plain(value):
            if isinstance(value, np.ndarray):
                return [plain(v) for v in value.tolist()] if value.ndim else plain(value.item())
            if isinstance(value, list):
                return [plain(v) for v in value]
            if isinstance(value, float) and math.isnan(value):
                return None
            return value

        data = {k: plain(v) for k, v in self.__dict__.items() if k not in ("tv", "kl")}
        data["outcomes"] = list(self.outcomes)
        data["windows"] = [list(w) for w in self.windows]
        data["tv"] = {k: plain(v) for k, v in self.tv.items()}
        data["kl"] = {k: plain(v) for k, v in self.kl.items()}
        data["strength"] = self.strength
        return data

    def __repr__(self) -> str:
        return (f"BayesICL({len(self.sequences)} sequences of {', '.join(self.outcomes)}, "
                f"alpha={self.alpha:.3g}, forward_passes={self.forward_passes})")

    def table(self, decimals: int = 3) -> str:
        """Per n: sequences, mean |model - ref| (total variation) and mean KL(model || ref) for each reference,
        the mean mass outside the outcomes, and alpha fitted at that n alone."""
        def cell(x: float) -> str:
            return f"{'-':>{decimals + 3}}" if math.isnan(x) else f"{x:{decimals + 3}.{decimals}f}"

        head = (f"{'n':>3} {'seqs':>4} | {'|d| bayes':>9} {'laplace':>8} {'freq':>8} | {'KL bayes':>9} "
                f"{'laplace':>8} {'freq':>8} | {'outside':>7} {'alpha_n':>8}")
        rows = [head]
        for n in range(len(self.count)):
            values = [self.tv[r][n] for r in REFERENCES] + [self.kl[r][n] for r in REFERENCES]
            tv = " ".join(f"{cell(v):>{w}}" for v, w in zip(values[:3], (9, 8, 8)))
            kl = " ".join(f"{cell(v):>{w}}" for v, w in zip(values[3:], (9, 8, 8)))
            alpha = self.alpha_by_n[n]
            shown_alpha = "-" if math.isnan(alpha) else f"{alpha:.3g}"
            rows.append(f"{n:>3} {int(self.count[n]):>4} | {tv} | {kl} | {cell(self.mean_outside[n]):>7} "
                        f"{shown_alpha:>8}")
        return "\n".join(rows)
