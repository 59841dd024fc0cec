"""ReshapeView: one position's next-token distribution under temperature, top-k and top-p, with live controls.
The model runs once; every change of a setting reshapes the kept logits in Python and sends the result."""

from __future__ import annotations

import traitlets as t

from ..backends.protocol import LOGITS, require
from ..core.decoding import LIMITS, Range
from ..core.encoding import encode
from ..core.tokens import Vocabulary
from ..errors import InvalidInputError
from ..studies.position_logits import next_logits, prefix_ids, result_prefix
from ..studies.reshape import curve_temperatures, entropy_curve, reshape
from .payload import Pieces, rounded, rounded_prob
from .view_base import View

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
    data = t.Dict({}, help="the reshaped distribution (docs/view-payload.md)").tag(sync=True)

    def __init__(self, lm, text=None, position: int | None = None, *, source: str = "prompt",
                 temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, show: int = 10, **kwargs):
        require(lm, LOGITS, "ReshapeView")
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
        self._about = context_tail(lm.vocabulary, ids[len(context):])
        self._curves: dict = {}
        self._ready = False
        super().__init__(temperature=temperature, top_k=top_k, top_p=top_p, show=show,
                         limits={name: LIMITS[name].to_json() for name in RESHAPE_TRAITS}, **kwargs)
        self._ready = True
        self._update()

    @classmethod
    def from_token(cls, lm, result, source: str = "prompt", index: int | None = None,
                   **params) -> ReshapeView:
        """The view for one token of a PromptAnalysis or Generation, as TokenViz's `selected` names it:
        source "prompt" or "generated", index into that list (None: after the last token)."""
        return cls(lm, result, index, source=source, **params)

    @t.validate(*RESHAPE_TRAITS)
    def _check_setting(self, proposal):
        name, value = proposal["trait"].name, proposal["value"]
        try:
            LIMITS[name].check_setting(value, name)
        except InvalidInputError as error:
            raise t.TraitError(f"ReshapeView.{name}: {error}") from error
        return value

    @t.validate("show")
    def _check_show(self, proposal):
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
        include = [] if self.actual is None else [self.actual]
        self.reshaped = reshape(self.logits, temperature=self.temperature, top_k=self.top_k, top_p=self.top_p,
                                show=self.show, include=include, lm=self.lm)
        grid = curve_temperatures(self.temperature)
        key = (self.top_k, self.top_p, grid[-1])  # dragging the temperature reuses the curve
        if key not in self._curves:
            if len(self._curves) >= 8:
                self._curves.pop(next(iter(self._curves)))
            self._curves[key] = entropy_curve(self.logits, grid, top_k=self.top_k, top_p=self.top_p)
        self.data = reshape_payload(self.reshaped, self.lm.vocabulary, curve=self._curves[key],
                                                     about=self._about, actual=self.actual)

    def __repr__(self) -> str:
        return f"<ReshapeView {self.lm.name}: {self.reshaped!r}>"


# The text before the reshaped position travels as its last CONTEXT_TOKENS tokens (the view's heading).
CONTEXT_TOKENS = 24


def context_tail(vocabulary: Vocabulary, shown_ids: list[int]) -> dict:
    """The end of the text before a position, as the view's heading shows it: the last CONTEXT_TOKENS
    tokens' texts in context, and whether earlier tokens were left out."""
    texts = vocabulary.texts(list(shown_ids)) if shown_ids else []
    return {"context": "".join(texts[-CONTEXT_TOKENS:]), "context_cut": len(texts) > CONTEXT_TOKENS}


def reshape_payload(reshaped, vocabulary: Vocabulary, *, curve=None, about: dict | None = None,
                    actual: int | None = None) -> dict:
    """A Reshaped (tokviz.studies.reshape) as rows of bars before / after, with its entropies and curve.

    curve: an EntropyCurve (default: reshaped.curve); about: context_tail()'s heading; actual: the id of
    the token that came next in the text (None after the last token), which the view marks.
    """
    pieces = Pieces(vocabulary)
    curve = curve if curve is not None else reshaped.curve
    shown = len(reshaped.tokens)
    return {
        "settings": {"temperature": reshaped.temperature, "top_k": reshaped.top_k, "top_p": reshaped.top_p},
        "rows": [{"id": pieces.add(t.token_id), "r": t.rank, "raw": rounded_prob(t.raw_prob),
                  "p": rounded_prob(t.prob), "cut": t.cut} for t in reshaped.tokens],
        "rest": {"raw": rounded_prob(reshaped.rest_raw), "p": rounded_prob(reshaped.rest_prob),
                 "count": reshaped.vocab_size - shown, "kept": reshaped.rest_kept},
        "h_raw": rounded(reshaped.raw_entropy, 3),
        "h_tempered": rounded(reshaped.tempered_entropy, 3),
        "h": rounded(reshaped.entropy, 3),
        "kept": reshaped.kept,
        "kept_mass": rounded_prob(reshaped.kept_mass),
        "cut_k": reshaped.cut_by_top_k,
        "cut_p": reshaped.cut_by_top_p,
        "vocab": reshaped.vocab_size,
        "curve": None if curve is None else {"t": list(curve.temperatures),
                                             "h": [rounded(h, 3) for h in curve.entropies]},
        **(about or {"context": "", "context_cut": False}),
        "actual": None if actual is None else pieces.add(actual),
        "pieces": pieces.table,
    }
