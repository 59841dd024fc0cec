"""LogitLensView: what each layer would predict at each position, a layers x positions heatmap of top-1 tokens,
coloured by one measure, with one pinned token's trajectory through the layers beside it."""

from __future__ import annotations

import traitlets as t

from ..errors import InvalidInputError
from ..studies.lens import LogitLens
from .payload import Pieces, rounded_prob
from .view_base import ResultView


class LogitLensView(ResultView):
    """LogitLensView(lens, pin=(position, token_id)): the grid of a tokviz.logit_lens result (either lens).

    pin: a token tracked at that position (LogitLens.trajectory) whose probability and rank per layer are
    drawn beside the grid; double-clicking a cell pins that cell's top-1 token.
    """

    _kind = t.Unicode("lens").tag(sync=True)
    lens_color = t.Enum(["top", "target", "kl", "rank", "entropy"], "top",
                        help="cell colour: the top-1 probability, the next token's probability or rank, the KL "
                             "to the final layer, or the entropy").tag(sync=True)
    pin = t.List([], help="[position, token_id] whose trajectory is shown, or []").tag(sync=True)
    trajectory = t.Dict({}, help="the pinned token's trajectory as the view draws it").tag(sync=True)
    result_type = LogitLens

    def __init__(self, result, **traits):
        pin = traits.pop("pin", [])
        super().__init__(result, **traits)
        self.observe(self._pinned, names="pin")
        self.pin = list(pin)

    def _pinned(self, change) -> None:
        self.trajectory = trajectory_payload(self.result, change["new"])

    def payload(self, lens: LogitLens) -> dict:
        return lens_payload(lens)


def trajectory_payload(lens: LogitLens, pin) -> dict:
    """{} for no pin; else the pinned token's probability and rank at every layer (LogitLens.trajectory)."""
    if not pin:
        return {}
    if len(pin) != 2:
        raise InvalidInputError(f"pin must be [position, token_id] or [], not {pin!r}")
    trajectory = lens.trajectory(*pin)
    return {"position": trajectory.position, "token_id": trajectory.token_id, "label": trajectory.token_text,
            "lens_name": lens.lens_name, "probs": [rounded_prob(p) for p in trajectory.probs],
            "ranks": list(trajectory.ranks)}


def _rounded(grid, digits: int = 4):
    return None if grid is None else [[None if v is None else round(v, digits) for v in row] for row in grid]


def lens_payload(lens: LogitLens) -> dict:
    """LogitLens as a layers x positions grid of top-k cells, with its per-cell measures."""
    pieces = Pieces(lens.vocabulary)
    return {
        "lens_name": lens.lens_name,
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
        "target_rank": [list(row) for row in lens.target_ranks],
        "kl": _rounded(lens.kl_to_final),
        "entropy": _rounded(lens.entropy),
        "first_correct": list(lens.first_correct_layer),
        "settled": list(lens.settled_layer),
        "pieces": pieces.table,
    }
