"""TokenViz, the interactive widget: traitlets in sync with the JS view; the work runs in a background thread.

No maths here: the widgets call tokviz's analysis functions and turn results into payloads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading
import time

import traitlets as t

from ..analysis.branches import BranchTree
from ..analysis.generation import generate
from ..analysis.prompt import analyze
from ..backends.protocol import BEAMS, BRANCHES, LOGITS, Backend, check_backend, require
from ..core.decoding import DecodingParams
from ..core.progress import watching
from ..errors import InvalidInputError, TokvizError
from . import payload as payloads
from .generation_stream import GenerationStream
from .held_chunks import HeldChunks
from .reshape_view import ReshapeView
from .settings import DECODING_TRAITS, ONE_OFF, check_number, one_off_decoding, setting_limits
from .view_base import View

# Streaming sends the growing generation at most this often, so a fast model cannot flood the socket.
STREAM_INTERVAL_S = 0.05
PROGRESS_INTERVAL_S = 0.25
# The view's controls that need a capability, which the view switches off (with the reason) without it.
CONTROL_NEEDS = {"num_beams": BEAMS, "branch": BRANCHES}


class TokenViz(View):
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
    progress = t.Dict({}, help='how far an analysis is: {"done": tokens scored, "total": tokens}, {} when none '
                      "runs (set by Python)").tag(sync=True)
    model_name = t.Unicode("", help="the model's name, shown in the status line").tag(sync=True)
    selected = t.Dict({}, help='the pinned token: {} or {"source": "prompt"|"generated", "index": i}; '
                      "reset by analyze() and generate()").tag(sync=True)
    limits = t.Dict({}, help="the allowed range of each number setting, for the view's fields (set by Python)"
                    ).tag(sync=True)
    # Named *_data so the Python attributes `analysis` / `generation` can hold the result objects.
    analysis_data = t.Dict({}, help="the analysis as a token strip (docs/view-payload.md)").tag(sync=True)
    generation_data = t.Dict({}, help="the generation as a token strip (docs/view-payload.md)").tag(sync=True)
    branches_data = t.Dict({}, help="the runs of the branch tree, for the view's branch switch "
                           "(docs/view-payload.md; set by Python)").tag(sync=True)
    current_branch = t.Int(0, help="the branch shown (an id in w.branches); the view switches it").tag(sync=True)
    unsupported = t.Dict({}, help="actions the model cannot do, each with the reason: a served model has no beams "
                         "and no branches (set by Python; the view disables them)").tag(sync=True)

    def __init__(self, lm: Backend, prompt: str = "", *, analyze_now: bool = True, **params):
        self.lm = check_backend(lm, "TokenViz")  # before the traits: validating `alternatives` needs it
        unsupported = {control: lm.unsupported[need] for control, need in CONTROL_NEEDS.items()
                       if need in lm.unsupported}
        self._limits = setting_limits(lm, None, bool(params.get("do_sample", False)))
        # a long strip's chunks beyond what its trait carries (sent through w.send as it is when asked)
        self._held = HeldChunks(lambda content, buffers: self.send(content, buffers))
        super().__init__(prompt=prompt, model_name=lm.label, limits=self._limits_json(), unsupported=unsupported,
                         **params)
        self.previous_branches: BranchTree | None = None  # the tree the last Generate replaced
        self.analysis = None
        self.generation = None
        self.branches: BranchTree | None = None  # the runs of the last analyze() / generate() and their branches
        self._busy = threading.Lock()
        self._cancel = threading.Event()
        self._stream: GenerationStream | None = None  # the generation streaming to the view, if any
        self._progress_sent = 0.0  # when `progress` last changed (a few updates a second)
        self._thread: threading.Thread | None = None
        self.on_msg(self._handle_message)
        if prompt and analyze_now:
            self._run_reporting_errors(self.analyze)

    # ----- Python API ---------------------------------------------------------------------------------
    def analyze(self, prompt: str | None = None):
        """Analyse the prompt (one forward pass); returns the PromptAnalysis. prompt: analyse this text, which
        then becomes the widget's prompt (a notebook cell then gets the same result whatever was typed in the
        view)."""
        with self._exclusive("analyzing"):
            text = self.prompt if prompt is None else prompt
            with watching(self._show_progress):
                result = analyze(self.lm, text, alternatives=self.alternatives)
            self.prompt = text
            self._replace_branches(BranchTree(text, result))
        return result

    def generate(self, prompt: str | None = None, **settings):
        """Generate from the prompt with the view's settings; streams into the view. prompt: generate from
        this text (it becomes the widget's prompt). settings: one-off settings for this run, named and valued
        as the traits are (max_new_tokens, do_sample, temperature, top_k, top_p, num_beams, stop_at_newline);
        the view's controls keep theirs, so `w.generate(do_sample=False, max_new_tokens=5)` is greedy whatever
        was ticked. A branch tree this replaces stays in `w.previous_branches` (`w.restore_branches()`)."""
        with self._exclusive("generating"), self._cancel_clears_after(), self._restores_view_on_failure():
            decoding = self.generation_params(**settings)  # checked before anything runs
            text = self.prompt if prompt is None else prompt
            result = self._stream_generation(decoding, prompt=text)
            self.prompt = text
            self._replace_branches(BranchTree(text, result.prompt, result))
        return result

    def restore_branches(self):
        """Bring back the branch tree the last Generate or analysis replaced, and show it."""
        if self.previous_branches is None:
            raise InvalidInputError("no branch tree was replaced: nothing to restore")
        self.branches, self.previous_branches = self.previous_branches, self.branches
        self._show_branch()
        return self.branches

    def _replace_branches(self, tree: BranchTree):
        # A tree with branches is kept, not lost: w.previous_branches / w.restore_branches().
        if self.branches is not None and len(self.branches) > 1:
            self.previous_branches = self.branches
        self.branches = tree
        self._show_branch()

    def branch(self, source: str, index: int, token_id: int):
        """What if the shown run had `token_id` in place of its token `index` of `source` ("prompt" or
        "generated")? Continues from there with that token forced and the run's own decoding settings
        (the current settings when the run was only analysed); streams into the view, adds the branch to
        `w.branches` and shows it. Returns the new Generation."""
        require(self.lm, BRANCHES, "a branch")
        if self.branches is None:
            raise InvalidInputError("nothing to branch from yet: analyze or generate first")
        shown = self.branches.shown
        args = self.branches.generate_args(source, index, token_id)  # checked before anything runs
        decoding = shown.generation.decoding if shown.generation is not None else self.generation_params()
        with self._exclusive("generating"), self._cancel_clears_after(), self._restores_view_on_failure():
            self.selected = {}
            if source == "prompt":  # the prompt is cut at the branch: show the shorter one at once
                self.analysis_data = self._analysis_payload(shown.analysis.cut(index))
            result = self._stream_generation(decoding, **args)
            self.branches.add((source, index), token_id, result)
            self._show_branch()
        return result

    def reshape(self, source: str | None = None, index: int | None = None, **settings):
        """A ReshapeView of the distribution at a token of the shown run: by default the selected token (none
        selected: after the last token), with the sampling settings of the controls when "sample" is ticked.
        Temperature, top-k and top-p can then be moved without running the model again."""
        require(self.lm, LOGITS, "reshaping a distribution")
        if self.analysis is None:
            raise InvalidInputError("nothing to reshape yet: analyze or generate first")
        if source is None and index is None and self.selected:
            source, index = self.selected["source"], self.selected["index"]
        if source is None:  # after the last token shown
            source = "generated" if self.generation is not None and self.generation.tokens else "prompt"
        result = self.generation if source == "generated" else self.analysis
        sampling = {"temperature": self.temperature, "top_k": self.top_k, "top_p": self.top_p} if self.do_sample else {}
        return ReshapeView.from_token(self.lm, result, source, index, **(sampling | settings))

    def _stream_generation(self, decoding: DecodingParams, **generate_args):
        """Run generate(), sending the new tokens to the view at most every STREAM_INTERVAL_S (deltas: each
        token travels once). The stream is ended by _restores_view_on_failure, after the result is shown."""
        streamed = []
        last_sent = 0.0
        self._stream = GenerationStream(self.send, self.lm.vocabulary, alternatives=self.alternatives,
                                        max_new_tokens=decoding.max_new_tokens,
                                        sampled=decoding.samples_each_token, decoding=decoding)

        def on_token(token):
            nonlocal last_sent
            streamed.append(token)
            now = time.monotonic()
            if now - last_sent >= STREAM_INTERVAL_S:
                last_sent = now
                self._stream.send(streamed)

        self._stream.send(streamed)  # the previous generation goes at once; the view counts steps from 0
        return generate(self.lm, **generate_args, **dataclasses.asdict(decoding), alternatives=self.alternatives,
                        on_token=on_token, cancel=self._cancel)

    def _analysis_payload(self, analysis) -> dict:
        sent = payloads.analysis_payload(analysis, self.lm.vocabulary, self.alternatives)
        sent["from_prompt"] = self.branches.prompt if self.branches else analysis.text
        return sent

    def _show_branch(self):
        """Send the shown branch of w.branches to the view (no model run)."""
        shown = self.branches.shown
        self.selected = {}  # a token pinned in another run means nothing in this one
        self.analysis = shown.analysis
        self.generation = shown.generation
        self.analysis_data = self._analysis_payload(shown.analysis)
        generation = shown.generation
        self.generation_data = {} if generation is None else payloads.generation_payload(
            generation.tokens, self.lm.vocabulary, alternatives=self.alternatives,
            max_new_tokens=generation.params["max_new_tokens"], sampled=payloads.was_sampled(generation),
            stopped_by=generation.stopped_by, beams=generation.beams, beam_tree=generation.beam_tree,
            after=generation, decoding=generation.decoding)
        self.branches_data = payloads.branches_payload(self.branches, self.lm.vocabulary)
        self.current_branch = self.branches.current
        self._refresh_limits()

    @t.observe("current_branch")
    def _switch_branch(self, change):
        # From the view: show another branch. While a run is going, the run decides what is shown.
        if self.branches is None or change["new"] == self.branches.current or self._busy.locked():
            return
        self.branches.switch(change["new"])
        self._show_branch()

    def stop(self):
        """Ask a running generation (or one the view has just started) to stop after the current step."""
        starting = self._thread is not None and self._thread.is_alive()
        if self._busy.locked() or starting:
            self._cancel.set()

    def generation_params(self, **settings) -> DecodingParams:
        """The current settings, with one-off `settings` for a run, as DecodingParams (which checks how they
        combine, e.g. temperature 0 with sampling)."""
        current = {name: getattr(self, name) for name in ONE_OFF}
        sampling = settings.get("do_sample", self.do_sample)
        limits = self._limits if sampling == self.do_sample else self._limits_when(sampling)
        return one_off_decoding(current, settings, limits)

    # ----- trait checks ------------------------------------------------------------------------------
    def _limits_json(self) -> dict:
        return {name: limit.to_json() for name, limit in self._limits.items()}

    def _limits_when(self, do_sample) -> dict:
        # The ranges follow the prompt last analysed and the sampling switch (settings.setting_limits).
        analysis = getattr(self, "analysis", None)
        length = len(analysis.context_ids) + len(analysis.tokens) if analysis is not None else None
        return setting_limits(self.lm, length, do_sample is True)

    @t.observe("do_sample")
    def _refresh_limits(self, _change=None):
        self._limits = self._limits_when(self.do_sample)
        self.limits = self._limits_json()

    @t.validate("analysis_data", "generation_data")
    def _carry_first_chunks(self, proposal):
        return self._held.split(proposal["value"])

    @t.validate(*DECODING_TRAITS, "alternatives")
    def _check_number(self, proposal):
        name, value = proposal["trait"].name, proposal["value"]
        try:
            check_number(name, value, self._limits)
        except InvalidInputError as error:
            raise t.TraitError(f"TokenViz.{name}: {error}") from error
        return value

    def snapshot_state(self) -> dict:
        state = super().snapshot_state()
        for name in ("analysis_data", "generation_data"):  # a snapshot has no kernel to ask: all chunks
            state[name] = self._held.whole(state[name])
        return state

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
    def _show_progress(self, done: int, total: int):
        # A few updates a second, and the last one: the view's busy line shows tokens scored / total.
        now = time.monotonic()
        if done >= total or now - self._progress_sent >= PROGRESS_INTERVAL_S:
            self._progress_sent = now
            self.progress = {"done": done, "total": total}

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
            self.progress = {}
            self._busy.release()

    @contextlib.contextmanager
    def _restores_view_on_failure(self):
        # A run's stream first empties the view's generation; if the run fails, the traits get back what they
        # held and the stream's end shows them again, so a failed action never wipes a result. The stream
        # ends after the result is set, so the view never falls back to the old one in between.
        shown = (self.analysis_data, self.generation_data)
        try:
            yield
        except BaseException:
            self.analysis_data, self.generation_data = shown
            raise
        finally:
            if self._stream is not None:
                self._stream.end()
                self._stream = None

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
        if name == "chunks":  # a view holding a long strip's trait asks for the chunks it does not carry
            self._held.send(content.get("trait"), content.get("key"), content.get("from", 0))
            return
        if name == "save_html":  # the view's "save HTML": the page w.to_html() writes, for a download
            self.send({"kind": "html", "html": self.to_html(), "filename": "tokviz.html"})
            return
        action = {"analyze": self.analyze, "generate": self.generate}.get(name)
        if name == "branch":
            action = functools.partial(self.branch, content.get("source"), content.get("index"),
                                       content.get("token_id"))
        if action is None:
            return
        if self._busy.locked():
            return  # a second click while running starts nothing
        self._thread = threading.Thread(target=self._run_reporting_errors, args=(action,), daemon=True)
        self._thread.start()
