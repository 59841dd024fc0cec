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


class BayesView(View):
    """In-context learning as Bayesian updating: the model's P(outcome) after n observations (mean and
    min-max band over a group's sequences) beside the Dirichlet predictive with the fitted prior, Laplace's
    rule and the running frequency; hover a point to see that prompt and its outcome probabilities."""

    _kind = t.Unicode("bayes").tag(sync=True)
    bayes = t.Dict({}, help="the predictions and references per sequence and group (docs/view-payload.md)"
                   ).tag(sync=True)
    group = t.Unicode("", help="the label of the group of sequences shown (\"\": the first)").tag(sync=True)
    outcome = t.Unicode("", help="the outcome whose probability is drawn (\"\": the first)").tag(sync=True)

    def __init__(self, result, **kwargs):
        super().__init__(**kwargs)
        if self.group and self.group not in result.groups:
            raise InvalidInputError(f"group must be one of {result.groups!r}, got {self.group!r}")
        if self.outcome and self.outcome not in result.outcomes:
            raise InvalidInputError(f"outcome must be one of {list(result.outcomes)!r}, got {self.outcome!r}")
        self.result = result
        self.group = self.group or result.groups[0]
        self.outcome = self.outcome or result.outcomes[0]
        self.bayes = payloads.bayes_payload(result)
