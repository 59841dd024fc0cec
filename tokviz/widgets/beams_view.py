"""BeamTreeView: every live beam at every step of a beam search (pruned branches faded); hover for scores."""

from __future__ import annotations

import traitlets as t

from ..core.generation_result import Generation
from ..errors import InvalidInputError
from . import payload as payloads
from .view_base import ResultView


class BeamTreeView(ResultView):
    """BeamTreeView(generation): the beam tree of a generation made with num_beams > 1."""

    _kind = t.Unicode("beams").tag(sync=True)
    result_type = Generation

    def payload(self, generation: Generation) -> dict:
        if not generation.beam_tree:
            raise InvalidInputError("This generation has no beam tree: generate with num_beams > 1")
        return payloads.generation_payload(
            generation.tokens, generation.vocabulary, alternatives=generation.params.get("alternatives", 10),
            max_new_tokens=generation.decoding.max_new_tokens, sampled=payloads.was_sampled(generation),
            stopped_by=generation.stopped_by, beams=generation.beams, beam_tree=generation.beam_tree)
