"""LogitLensView: what each layer would predict at each position, a layers x positions heatmap of top-1 tokens."""

from __future__ import annotations

import traitlets as t

from ..studies.lens import LogitLens
from .payload import Pieces, rounded_prob
from .view_base import ResultView


class LogitLensView(ResultView):
    """LogitLensView(lens): the grid of a tokviz.logit_lens result."""

    _kind = t.Unicode("lens").tag(sync=True)
    lens_color = t.Enum(["top", "target"], "top",
                        help="cell colour: the top-1 probability or the actual next token's probability"
                        ).tag(sync=True)
    result_type = LogitLens

    def payload(self, lens: LogitLens) -> dict:
        return lens_payload(lens)


def lens_payload(lens: LogitLens) -> dict:
    """LogitLens as a layers x positions grid of top-k cells."""
    pieces = Pieces(lens.vocabulary)
    return {
        "layers": lens.layers,
        "positions": lens.num_positions,
        "alternatives": lens.alternatives,
        "input": pieces.add_all(lens.token_ids),
        "input_text": list(lens.token_texts),
        "target": [*lens.token_ids[1:], None],
        "top": [
            [[[pieces.add(i), rounded_prob(p)] for i, p in zip(ids, probs)] for ids, probs in zip(row_ids, row_probs)]
            for row_ids, row_probs in zip(lens.top_ids, lens.top_probs)
        ],
        "target_prob": [[rounded_prob(p) for p in row] for row in lens.target_probs],
        "first_correct": list(lens.first_correct_layer),
        "settled": list(lens.settled_layer),
        "pieces": pieces.table,
    }
