"""LabelScoresView: prompt-based classification, P(f(x, y)) per label as bars; hover a label for its tokens."""

from __future__ import annotations

import traitlets as t

from ..analysis.scoring import LabelScores
from .payload import decimals, probability, rounded, rounded_prob
from .view_base import ResultView


class LabelScoresView(ResultView):
    """LabelScoresView(scores): the label scores of tokviz.score_labels."""

    _kind = t.Unicode("labels").tag(sync=True)
    result_type = LabelScores

    def payload(self, scores: LabelScores) -> dict:
        return labels_payload(scores)


def labels_payload(scores) -> dict:
    """LabelScores as bars per label with a per-token breakdown; `normalize` names the score the softmax used."""
    return {
        "labels": list(scores.labels),
        "normalize": scores.normalize,
        "logprob": [decimals(s.logprob) for s in scores.scores],
        "label_logprob": [decimals(s.label_logprob) for s in scores.scores],
        "normalized": [decimals(s.mean_label_logprob) for s in scores.scores],
        "probs": [rounded_prob(p) for p in scores.probs],
        "predicted": scores.predicted,
        "breakdown": [
            [{"t": tok.text, "lp": rounded(tok.logprob), "p": probability(tok.logprob), "in_label": tok.in_label}
             for tok in s.tokens]
            for s in scores.scores
        ],
    }
