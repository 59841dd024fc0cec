"""BayesView: in-context learning as Bayesian updating, the model's P(outcome) after n observations beside
the Dirichlet predictive with the fitted prior, Laplace's rule and the running frequency."""

from __future__ import annotations

import math

import numpy as np
import traitlets as t

from ..analysis.bayes_result import BayesICL
from ..errors import InvalidInputError
from .payload import rounded, rounded_prob
from .view_base import ResultView


class BayesView(ResultView):
    """BayesView(result, group=..., outcome=...): a tokviz.bayes_icl result (mean and min-max band over a group's
    sequences); hover a point to see that prompt and its outcome probabilities."""

    _kind = t.Unicode("bayes").tag(sync=True)
    group = t.Unicode("", help="the label of the group of sequences shown (\"\": the first)").tag(sync=True)
    outcome = t.Unicode("", help="the outcome whose probability is drawn (\"\": the first)").tag(sync=True)
    result_type = BayesICL

    def __init__(self, result, **traits):
        super().__init__(result, **traits)
        if self.group and self.group not in result.groups:
            raise InvalidInputError(f"group must be one of {result.groups!r}, got {self.group!r}")
        if self.outcome and self.outcome not in result.outcomes:
            raise InvalidInputError(f"outcome must be one of {list(result.outcomes)!r}, got {self.outcome!r}")
        self.group = self.group or result.groups[0]
        self.outcome = self.outcome or result.outcomes[0]

    def payload(self, result: BayesICL) -> dict:
        return bayes_payload(result)


def bayes_payload(result) -> dict:
    """BayesICL as P(outcome) vs n: per group of sequences (one hidden distribution) the model's mean with its
    min-max band and the references' means; per sequence every prediction, for the hovered point."""
    def probs(values) -> list:
        """Probabilities (any nesting) rounded as the view shows them; NaN (undefined) becomes null."""
        if isinstance(values, np.ndarray):
            values = values.tolist()
        if isinstance(values, list):
            return [probs(v) for v in values]
        return None if values is None or math.isnan(values) else rounded_prob(float(values))

    def divergence(value: float) -> float | None:
        """A KL or |difference| to 4 significant digits; null when infinite or undefined."""
        return None if not math.isfinite(value) else rounded(float(value))

    valid = result.valid
    groups = []
    for label in result.groups:
        rows = result.select(label)
        curves: dict[str, list] = {name: [] for name in ("mean", "low", "high", "bayes", "laplace", "frequency")}
        for n in range(valid.shape[1]):
            at = rows[valid[rows, n]]
            q = result.model[at, n]  # [sequences, K]
            curves["mean"].append(probs(q.mean(0)))
            curves["low"].append(probs(q.min(0)))
            curves["high"].append(probs(q.max(0)))
            for name in ("bayes", "laplace", "frequency"):
                ref = result.reference(name)[at, n]
                curves[name].append(None if np.isnan(ref).any() else probs(ref.mean(0)))
        hidden = result.hidden[rows[0]]
        groups.append({"label": label, "hidden": None if hidden is None else probs(list(hidden)),
                       "sequences": [int(i) for i in rows], **curves})
    sequences = []
    for i, seq in enumerate(result.sequences):
        length = len(seq)
        sequences.append({
            "label": result.labels[i],
            "group": result.groups.index(result.labels[i]),
            "text": result.texts[i],
            "cuts": list(result.prompt_ends[i]),
            "observed": [result.outcomes.index(o) for o in seq],
            "p": probs(result.token_probs[i, :length]),
            "q": probs(result.model[i, :length]),
            "outside": probs(result.outside[i, :length]),
            "bayes": probs(result.bayes[i, :length]),
            "laplace": probs(result.laplace[i, :length]),
            "frequency": [None, *probs(result.frequency[i, 1:length])],
        })
    summary = result.distances()
    return {
        "outcomes": list(result.outcomes),
        "outcome_tokens": list(result.outcome_tokens),
        "n": list(range(valid.shape[1])),
        "alpha": rounded(result.alpha),
        "strength": rounded(result.strength),
        "alpha_at_bound": bool(result.alpha_at_bound),
        "alpha_windows": [{"first": a, "last": b, "alpha": divergence(x)}
                          for (a, b), x in zip(result.windows, result.alpha_by_window)],
        "summary": {
            "tv": {name: divergence(v) for name, v in summary["tv"].items()},
            "kl": {name: divergence(v) for name, v in summary["kl"].items()},
            "outside": probs(float(np.mean(result.outside[valid]))),
        },
        "groups": groups,
        "sequences": sequences,
    }
