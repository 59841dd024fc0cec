"""The notebook widgets: traitlets in sync with the JS view; the work runs in a background thread.

No maths here: the widgets call tokviz's analysis functions and turn results into payloads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from pathlib import Path

import anywidget
import traitlets as t

from . import payload as payloads
from .analysis import analyze
from .analysis.decoding import LIMITS, DecodingParams, Range
from .errors import InvalidInputError, TokvizError
from .models import LanguageModel

STATIC = Path(__file__).parent / "static"
# Streaming sends the growing generation at most this often, so a fast model cannot flood the socket.
STREAM_INTERVAL_S = 0.05
# TokenViz's number traits checked against a Range; alternatives' upper bound is the model's vocabulary.
DECODING_TRAITS = ("max_new_tokens", "temperature", "top_k", "top_p", "num_beams")


class _View(anywidget.AnyWidget):
    """Shared base: the one bundle, the static snapshot, and no silently ignored keyword arguments."""

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"
    _kind = t.Unicode("tokens").tag(sync=True)
    interactive = t.Bool(True, help="False: read-only view (no prompt box, settings or buttons), as in snapshots"
                         ).tag(sync=True)

    def __init__(self, **kwargs):
        unknown = sorted(k for k in kwargs if not self.has_trait(k) or k.startswith("_"))
        if unknown:
            known = ", ".join(sorted(n for n in self.trait_names(sync=lambda v: v) if not n.startswith("_")))
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s) {unknown}; known: {known}")
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        # ipywidgets' default repr lists every changed trait, payloads included: far too long.
        return f"<{type(self).__name__} view>"

    def snapshot_state(self) -> dict:
        state = {name: getattr(self, name) for name in self.trait_names(sync=lambda v: v)
                 if not name.startswith("_") or name == "_kind"}
        state.pop("layout", None)
        state.pop("tabbable", None)
        state.pop("tooltip", None)
        state["interactive"] = False
        return state

    def _repr_mimebundle_(self, **kwargs):
        from .snapshot import snapshot_html

        bundle = super()._repr_mimebundle_(**kwargs)
        # Without a kernel (GitHub, nbviewer, nbconvert) the HTML snapshot shows the same view, read-only.
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/html"] = snapshot_html(self._kind, self.snapshot_state(), full_page=False)
        return bundle

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page of the current view (tooltips work without kernel or network)."""
        from .snapshot import snapshot_html

        html = snapshot_html(self._kind, self.snapshot_state(), full_page=True)
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html


class TokenViz(_View):
    """Hoverable token probabilities of a prompt, and generation from it, in a notebook.

    TokenViz(lm, prompt="...", max_new_tokens=20, temperature=1.0, do_sample=False, top_k=0, top_p=1.0,
             num_beams=1, alternatives=10, stop_at_newline=False)
    Python side: w.analyze(), w.generate() (both return the result and update the view), w.stop(),
    w.analysis / w.generation (the latest results), w.selected_token (the token last clicked).
    """

    prompt = t.Unicode("", help="the text to analyse and to generate from").tag(sync=True)
    max_new_tokens = t.Int(20, help="generate at most this many tokens").tag(sync=True)
    temperature = t.Float(1.0, help="sampling temperature (> 0 when sampling; 0 without sampling = greedy)"
                          ).tag(sync=True)
    do_sample = t.Bool(False, help="sample instead of greedy / beam search").tag(sync=True)
    top_k = t.Int(0, help="sampling filter: keep the k most probable tokens; 0 = off").tag(sync=True)
    top_p = t.Float(1.0, help="sampling filter: keep the smallest set with this much probability; 1.0 = off"
                    ).tag(sync=True)
    num_beams = t.Int(1, help="beam search with this many beams; 1 = no beam search").tag(sync=True)
    alternatives = t.Int(10, help="candidates kept and shown per token").tag(sync=True)
    stop_at_newline = t.Bool(False, help="end the generation before its first newline").tag(sync=True)
    color_by = t.Enum(["prob", "rank", "entropy"], "prob", help="what the token colours show").tag(sync=True)
    prob_mode = t.Enum(["raw", "sampled"], "raw",
                       help="generated tokens: the model's probability or the one actually sampled from"
                       ).tag(sync=True)
    status = t.Enum(["idle", "analyzing", "generating", "error"], "idle",
                    help="what the widget is doing (set by Python)").tag(sync=True)
    error = t.Unicode("", help="the last action's error message; empty when it succeeded").tag(sync=True)
    model_name = t.Unicode("", help="the model's name, shown in the status line").tag(sync=True)
    selected = t.Dict({}, help='the pinned token: {} or {"source": "prompt"|"generated", "index": i}; '
                      "reset by analyze() and generate()").tag(sync=True)
    limits = t.Dict({}, help="the allowed range of each number setting, for the view's fields (set by Python)"
                    ).tag(sync=True)
    # Named *_data so the Python attributes `analysis` / `generation` can hold the result objects.
    analysis_data = t.Dict({}, help="the analysis as a token strip (docs/view-payload.md)").tag(sync=True)
    generation_data = t.Dict({}, help="the generation as a token strip (docs/view-payload.md)").tag(sync=True)

    def __init__(self, lm: LanguageModel, prompt: str = "", *, analyze_now: bool = True, **params):
        if not isinstance(lm, LanguageModel):
            raise TypeError(f"TokenViz needs a tokviz.LanguageModel from tokviz.load_model(), got {type(lm).__name__}")
        self.lm = lm  # before the traits: validating `alternatives` needs the vocabulary size
        super().__init__(prompt=prompt, model_name=lm.name, limits=self._limits_json(lm), **params)
        self.analysis = None
        self.generation = None
        self._busy = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_msg(self._handle_message)
        if prompt and analyze_now:
            self._run_reporting_errors(self.analyze)

    # ----- Python API ---------------------------------------------------------------------------------
    def analyze(self):
        """Analyse the current prompt (one forward pass); returns the PromptAnalysis."""
        with self._exclusive("analyzing"):
            result = analyze(self.lm, self.prompt, alternatives=self.alternatives)
            self.selected = {}  # a token pinned in the old result means nothing in this one
            self.analysis = result
            self.analysis_data = payloads.analysis_payload(result, self.lm.vocabulary, self.alternatives)
            self.generation = None
            self.generation_data = {}
        return result

    def generate(self):
        """Generate from the current prompt with the current settings; streams into the view."""
        from .analysis.generation import generate

        with self._exclusive("generating"), self._cancel_clears_after():
            decoding = self.generation_params()
            streamed = []
            last_sent = 0.0

            def send_streamed():
                self.generation_data = payloads.generation_payload(
                    streamed, self.lm.vocabulary, alternatives=self.alternatives,
                    max_new_tokens=decoding.max_new_tokens, sampled=decoding.samples_each_token)

            def on_token(token):
                nonlocal last_sent
                streamed.append(token)
                now = time.monotonic()
                if now - last_sent >= STREAM_INTERVAL_S:
                    last_sent = now
                    send_streamed()

            send_streamed()  # the previous generation goes at once; the view counts steps from 0

            result = generate(self.lm, self.prompt, **dataclasses.asdict(decoding), alternatives=self.alternatives,
                              on_token=on_token, cancel=self._cancel)
            self.selected = {}  # the pinned token belonged to the previous prompt or generation
            self.generation = result
            self.analysis = result.prompt
            self.analysis_data = payloads.analysis_payload(result.prompt, self.lm.vocabulary, self.alternatives)
            self.generation_data = payloads.generation_payload(
                result.tokens, self.lm.vocabulary, alternatives=self.alternatives,
                max_new_tokens=decoding.max_new_tokens, sampled=decoding.samples_each_token,
                stopped_by=result.stopped_by, beams=result.beams, beam_tree=result.beam_tree, after=result)
        return result

    def stop(self):
        """Ask a running generation (or one the view has just started) to stop after the current step."""
        starting = self._thread is not None and self._thread.is_alive()
        if self._busy.locked() or starting:
            self._cancel.set()

    def generation_params(self) -> DecodingParams:
        """The current settings as DecodingParams (which checks how they combine, e.g. temperature 0
        with sampling)."""
        settings = {name: getattr(self, name) for name in DECODING_TRAITS}
        return DecodingParams.from_settings(**settings, do_sample=self.do_sample,
                                            stop="\n" if self.stop_at_newline else None)

    # ----- trait checks ------------------------------------------------------------------------------
    @staticmethod
    def _alternatives_range(lm: LanguageModel) -> Range:
        # As checks.check_count: 1 .. the vocabulary size.
        return Range(low=1, high=len(lm.vocabulary), integer=True)

    @classmethod
    def _limits_json(cls, lm: LanguageModel) -> dict:
        ranges = {name: LIMITS[name] for name in DECODING_TRAITS} | {"alternatives": cls._alternatives_range(lm)}
        return {name: limit.to_json() for name, limit in ranges.items()}

    @t.validate(*DECODING_TRAITS, "alternatives")
    def _check_number(self, proposal):
        name, value = proposal["trait"].name, proposal["value"]
        limit = self._alternatives_range(self.lm) if name == "alternatives" else LIMITS[name]
        try:
            limit.check_setting(value, name)
        except InvalidInputError as error:
            raise t.TraitError(f"TokenViz.{name}: {error}") from error
        return value

    def __repr__(self) -> str:
        return f"<TokenViz {self.lm.name}: {len(self.analysis.tokens) if self.analysis else 0} prompt tokens>"

    @property
    def selected_token(self):
        """The TokenInfo the user last clicked in the view (None if nothing is pinned)."""
        source, index = self.selected.get("source"), self.selected.get("index")
        tokens = {"prompt": self.analysis.tokens if self.analysis else [],
                  "generated": self.generation.tokens if self.generation else []}.get(source, [])
        return tokens[index] if isinstance(index, int) and 0 <= index < len(tokens) else None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for work started from the view; True if it finished."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # ----- plumbing ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _exclusive(self, status: str):
        """One action at a time; the view follows it through `status`, and sees any error in `error`."""
        if not self._busy.acquire(blocking=False):
            raise InvalidInputError("tokviz is already working on this widget; wait or press Stop")
        self.error = ""
        self.status = status
        try:
            yield
        except BaseException as error:
            self.status = "error"
            self.error = str(error) if isinstance(error, TokvizError) else f"{type(error).__name__}: {error}"
            raise
        else:
            self.status = "idle"
        finally:
            self._busy.release()

    @contextlib.contextmanager
    def _cancel_clears_after(self):
        # Cleared after the run, not before it: a Stop that arrives while the run is still starting counts.
        try:
            yield
        finally:
            self._cancel.clear()

    def _run_reporting_errors(self, action):
        # The error is already shown in the view (the `error` trait); the widget stays usable.
        with contextlib.suppress(Exception):
            action()

    def _handle_message(self, _widget, content, _buffers):
        name = content.get("action") if isinstance(content, dict) else None
        if name == "stop":
            self.stop()
            return
        if name == "save_html":  # the view's "save HTML": the page w.to_html() writes, for a download
            self.send({"kind": "html", "html": self.to_html(), "filename": "tokviz.html"})
            return
        action = {"analyze": self.analyze, "generate": self.generate}.get(name)
        if action is None:
            return
        if self._busy.locked():
            return  # a second click while running starts nothing
        self._thread = threading.Thread(target=self._run_reporting_errors, args=(action,), daemon=True)
        self._thread.start()


class BeamTreeView(_View):
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


class LabelScoresView(_View):
    """Prompt-based classification: P(f(x, y)) per label as bars; hover a label for its tokens."""

    _kind = t.Unicode("labels").tag(sync=True)
    scores = t.Dict({}, help="the label scores (docs/view-payload.md)").tag(sync=True)

    def __init__(self, scores, **kwargs):
        super().__init__(**kwargs)
        self.result = scores
        self.scores = payloads.labels_payload(scores)


class ICLView(_View):
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


class LogitLensView(_View):
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


# Settings a ReshapeView reshapes with, each checked against decoding.LIMITS as TokenViz checks its own.
RESHAPE_TRAITS = ("temperature", "top_k", "top_p")


class ReshapeView(_View):
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
