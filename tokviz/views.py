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


# Settings a ReshapeView reshapes with, each checked against decoding.LIMITS as TokenViz checks its own.
RESHAPE_TRAITS = ("temperature", "top_k", "top_p")


class ReshapeView(View):
    """One position's next-token distribution under temperature, top-k and top-p, with live controls.

    ReshapeView(lm, text, position=None, temperature=1.0, top_k=0, top_p=1.0, show=10): the distribution
    that predicts text token `position` (None: the one after the last token). ReshapeView(lm, result,
    index, source="prompt"|"generated") or ReshapeView.from_token(...) does the same for a token of a
    PromptAnalysis or Generation. The model runs once, here; every change of a setting only reshapes the
    kept logits (tokviz.reshape). w.reshaped is the latest Reshaped; w.logits the kept logits.
    """

    _kind = t.Unicode("reshape").tag(sync=True)
    temperature = t.Float(1.0, help="divide the logits by this before the filters; 0 = greedy").tag(sync=True)
    top_k = t.Int(0, help="keep the k most probable tokens; 0 = off").tag(sync=True)
    top_p = t.Float(1.0, help="keep the smallest most probable set with this much probability; 1.0 = off"
                    ).tag(sync=True)
    show = t.Int(10, help="how many of the raw distribution's most probable tokens to list").tag(sync=True)
    limits = t.Dict({}, help="the allowed range of temperature, top_k and top_p, for the view's fields "
                    "(set by Python)").tag(sync=True)
    reshape_data = t.Dict({}, help="the reshaped distribution (docs/view-payload.md)").tag(sync=True)

    def __init__(self, lm: LanguageModel, text=None, position: int | None = None, *, source: str = "prompt",
                 temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, show: int = 10, **kwargs):
        from .analysis.decoding import LIMITS
        from .analysis.encoding import encode
        from .analysis.reshape import next_logits, prefix_ids, result_prefix

        if not isinstance(lm, LanguageModel):
            raise TypeError(f"ReshapeView needs a tokviz.LanguageModel from tokviz.load_model(), "
                            f"got {type(lm).__name__}")
        if isinstance(text, str):
            encoded = encode(lm, text)
            ids = prefix_ids(encoded, position)
            context, actual = encoded.context, None if position is None else encoded.ids[position]
        elif text is not None:
            ids, actual = result_prefix(text, source, position)
            context = list(getattr(text, "prompt", text).context_ids)
        else:
            raise TypeError("ReshapeView needs a text, or a PromptAnalysis / Generation and a token index")
        self.lm = lm
        self.logits = next_logits(lm, ids)  # the one forward pass; every setting reshapes these logits
        self.actual = actual
        self.reshaped = None
        self._about = payloads.context_tail(lm.vocabulary, ids[len(context):])
        self._curves: dict = {}
        self._ready = False
        super().__init__(temperature=temperature, top_k=top_k, top_p=top_p, show=show,
                         limits={name: LIMITS[name].to_json() for name in RESHAPE_TRAITS}, **kwargs)
        self._ready = True
        self._update()

    @classmethod
    def from_token(cls, lm: LanguageModel, result, source: str = "prompt", index: int | None = None,
                   **params) -> ReshapeView:
        """The view for one token of a PromptAnalysis or Generation, as TokenViz's `selected` names it:
        source "prompt" or "generated", index into that list (None: after the last token)."""
        return cls(lm, result, index, source=source, **params)

    @t.validate(*RESHAPE_TRAITS)
    def _check_setting(self, proposal):
        from .analysis.decoding import LIMITS

        name, value = proposal["trait"].name, proposal["value"]
        try:
            LIMITS[name].check_setting(value, name)
        except InvalidInputError as error:
            raise t.TraitError(f"ReshapeView.{name}: {error}") from error
        return value

    @t.validate("show")
    def _check_show(self, proposal):
        from .analysis.decoding import Range

        try:
            Range(low=1, high=self.logits.numel(), integer=True).check(proposal["value"], "show")
        except InvalidInputError as error:
            raise t.TraitError(f"ReshapeView.show: {error}") from error
        return proposal["value"]

    @t.observe(*RESHAPE_TRAITS, "show")
    def _settings_changed(self, _change):
        if self._ready:
            self._update()

    def _update(self):
        """Reshape the kept logits with the current settings (no model call) and send the result."""
        from .analysis.reshape import curve_temperatures, entropy_curve, reshape

        include = [] if self.actual is None else [self.actual]
        self.reshaped = reshape(self.logits, temperature=self.temperature, top_k=self.top_k, top_p=self.top_p,
                                show=self.show, include=include, lm=self.lm)
        grid = curve_temperatures(self.temperature)
        key = (self.top_k, self.top_p, grid[-1])  # dragging the temperature reuses the curve
        if key not in self._curves:
            if len(self._curves) >= 8:
                self._curves.pop(next(iter(self._curves)))
            self._curves[key] = entropy_curve(self.logits, grid, top_k=self.top_k, top_p=self.top_p)
        self.reshape_data = payloads.reshape_payload(self.reshaped, self.lm.vocabulary, curve=self._curves[key],
                                                     about=self._about, actual=self.actual)

    def __repr__(self) -> str:
        return f"<ReshapeView {self.lm.name}: {self.reshaped!r}>"


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
