"""The result views: each shows one analysis result, read-only but for hovering (the beam tree, label
scores, the in-context learning curve, the logit lens). TokenViz, the interactive one, is in widget.py."""

from __future__ import annotations

import traitlets as t

from . import payload as payloads
from .errors import InvalidInputError
from .models import LanguageModel
from .view_base import View


class BeamTreeView(View):
    """Every live beam at every step of a beam search (pruned branches faded); hover for scores."""

    _kind = t.Unicode("beams").tag(sync=True)
    generation_data = t.Dict({}, help="the generation with its beam tree, as a token strip (docs/view-payload.md)"
                             ).tag(sync=True)

    def __init__(self, lm: LanguageModel, generation, **kwargs):
        if not generation.beam_tree:
            raise InvalidInputError("This generation has no beam tree: generate with num_beams > 1")
        super().__init__(**kwargs)
        self.generation = generation
        self.generation_data = payloads.generation_payload(
            generation.tokens, lm.vocabulary, alternatives=generation.params.get("alternatives", 10),
            max_new_tokens=generation.params["max_new_tokens"], sampled=payloads.was_sampled(generation),
            stopped_by=generation.stopped_by, beams=generation.beams, beam_tree=generation.beam_tree)


class LabelScoresView(View):
    """Prompt-based classification: P(f(x, y)) per label as bars; hover a label for its tokens."""

    _kind = t.Unicode("labels").tag(sync=True)
    scores = t.Dict({}, help="the label scores (docs/view-payload.md)").tag(sync=True)

    def __init__(self, scores, **kwargs):
        super().__init__(**kwargs)
        self.result = scores
        self.scores = payloads.labels_payload(scores)


class ICLView(View):
    """The answer's probability after 0..K in-context examples (mean and range over example orders);
    hover a point to see that prompt's tokens."""

    _kind = t.Unicode("icl").tag(sync=True)
    curve = t.Dict({}, help="the in-context learning curve with one token strip per shot count "
                    "(docs/view-payload.md)").tag(sync=True)

    def __init__(self, lm: LanguageModel, curve, **kwargs):
        super().__init__(**kwargs)
        self.result = curve
        # icl_curve kept, for each k, the first order's prompt with what the model predicted at every token:
        # hovering a point shows the prompt the model saw.
        self.curve = payloads.icl_payload(curve, [payloads.analysis_payload(s, lm.vocabulary) for s in curve.strips])


class LogitLensView(View):
    """What each layer would predict at each position: a layers x positions heatmap of top-1 tokens.

    LogitLensView(lm, text) runs tokviz.logit_lens; LogitLensView(lm, lens=result) shows a result.
    """

    _kind = t.Unicode("lens").tag(sync=True)
    lens = t.Dict({}, help="the logit lens grid (docs/view-payload.md)").tag(sync=True)
    lens_color = t.Enum(["top", "target"], "top",
                        help="cell colour: the top-1 probability or the actual next token's probability"
                        ).tag(sync=True)

    def __init__(self, lm: LanguageModel, text: str | None = None, *, lens=None, alternatives: int = 5, **kwargs):
        from .analysis.lens import logit_lens

        if (text is None) == (lens is None):
            raise TypeError("LogitLensView needs either a text or lens=<LogitLens result>")
        super().__init__(**kwargs)
        self.result = lens if lens is not None else logit_lens(lm, text, alternatives=alternatives)
        self.lens = payloads.lens_payload(self.result, lm.vocabulary)


class CompareView(View):
    """Two results lined up unit by unit (tokviz.compare): side A over side B, each unit coloured by the
    log-probability difference B - A on a diverging scale, the first difference marked; hover for numbers."""

    _kind = t.Unicode("compare").tag(sync=True)
    comparison = t.Dict({}, help="the comparison as two aligned rows of units (docs/view-payload.md)"
                        ).tag(sync=True)

    def __init__(self, comparison, **kwargs):
        from .analysis.compare import Comparison

        if not isinstance(comparison, Comparison):
            raise InvalidInputError(f"CompareView needs a Comparison from tokviz.compare(...); got "
                                    f"{type(comparison).__name__}")
        super().__init__(**kwargs)
        self.result = comparison
        self.comparison = payloads.compare_payload(comparison)
