"""ICLView: the answer's probability after 0..K in-context examples (mean and range over orders); hover a
point to see that prompt's tokens."""

from __future__ import annotations

import traitlets as t

from ..analysis.icl import ICLCurve
from .payload import analysis_payload, rounded, rounded_prob, unavailable_entry
from .view_base import ResultView


class ICLView(ResultView):
    """ICLView(curve): the in-context learning curve of tokviz.icl_curve."""

    _kind = t.Unicode("icl").tag(sync=True)
    result_type = ICLCurve

    def payload(self, curve: ICLCurve) -> dict:
        # icl_curve kept, for each k, the first order's prompt with what the model predicted at every token:
        # hovering a point shows the prompt the model saw.
        return icl_payload(curve, [analysis_payload(s, s.vocabulary) for s in curve.strips])


def icl_payload(curve, strips: list[dict]) -> dict:
    """ICLCurve as a probability-vs-shots plot; strips[k] = the token strip shown for k shots."""
    return {
        "shots": list(curve.shots),
        "answer": curve.answer,
        "mean": [rounded_prob(p) for p in curve.answer_probs],
        "low": [rounded_prob(p) for p in curve.answer_prob_min],
        "high": [rounded_prob(p) for p in curve.answer_prob_max],
        "first_mean": [rounded_prob(p) for p in curve.first_token_probs],
        "rank_mean": [rounded(r) for r in curve.answer_ranks],
        "entropy_mean": [rounded(h) for h in curve.entropies],
        "strips": strips,
        **unavailable_entry(curve.unavailable),
    }
