"""View states made by tokviz's own widgets and their payload functions from real results on tiny random models.

No payload is written by hand: the view is tested on exactly what Python sends (docs/view-payload.md).
The awkward cases come from real text through the real default tokenizer: an emoji split into tokens
that hold only part of a character, one whose first bytes follow a space in the same token, whitespace-only
tokens, a special token, and token text that looks like HTML.
"""

from __future__ import annotations

import copy
import random
from functools import cached_property

import tokviz
import tokviz.widgets.widget as widget_module
from tests.strips import delta_tokens, recorded, strip_tokens
from tokviz.backends.local.model import LanguageModel

HTML_IMG = "<img src=x onerror=alert(1)>"
HTML_SCRIPT = "<script>alert(1)</script>"
HTML_BREAKOUT = "</script><script>alert(1)</script>"
EMOJI = "\U0001f600"
# "ok" + emoji: two byte-only tokens, then the one completing the character; " " + emoji: a token whose
# text " " is followed by the emoji's first bytes; "\n", "\t", " ": whitespace-only tokens.
PROMPT_TEXT = (f"The capital of France is\n\tok{EMOJI} and {EMOJI}  {HTML_IMG} {HTML_SCRIPT}{HTML_BREAKOUT}"
               "<|endoftext|>")
GENERATED = 5
LONG_WORDS = [" the", " model", " token", " of", " probability", " a", " text", " next"]  # one token each

JUPYTER_DARK = {  # the JupyterLab Dark theme's values of the variables the view uses
    "--jp-layout-color0": "#111111",
    "--jp-layout-color1": "#212121",
    "--jp-layout-color2": "#424242",
    "--jp-ui-font-color0": "rgba(255, 255, 255, 1)",
    "--jp-ui-font-color1": "rgba(255, 255, 255, 0.87)",
    "--jp-content-font-color1": "rgba(255, 255, 255, 1)",
    "--jp-border-color1": "#616161",
    "--jp-brand-color1": "#1976d2",
}

# Markers the view draws for invisible characters (js/src/format.js MARK).
DOT, TAB, RET = "\u00b7", "\u2192", "\u21b5"


def shown_text(text: str) -> str:
    """The text content the view gives `text` (js/src/format.js textSegments, for the characters used here):
    a space is a dot unless it sits between two visible characters; tabs and newlines get markers."""
    blank = " \t\n\r\u00a0"
    out = []
    for i, ch in enumerate(text):
        if ch == " ":
            inside = 0 < i < len(text) - 1 and text[i - 1] not in blank and text[i + 1] not in blank
            out.append(" " if inside else DOT)
        else:
            out.append({"\t": TAB, "\n": RET}.get(ch, ch))
    return "".join(out)


def badges(hex_bytes: str) -> list[str]:
    return [hex_bytes[i : i + 2].upper() for i in range(0, len(hex_bytes), 2)]


def expected_token_content(token: dict, pieces: dict) -> str:
    """What a strip token's text content must be: its text with markers, or its bytes, or its tag."""
    piece = pieces[str(token["id"])]
    if isinstance(piece, dict) and "special" in piece:
        return piece["special"]
    if token["t"] == "":
        return "".join(badges(piece["bytes"]))
    return shown_text(token["t"]) + "".join(badges(token.get("pending", "")))


class Payloads:
    """Every state the browser tests mount, computed once per session from tiny models."""

    def __init__(self, lm: LanguageModel):
        self.lm = lm

    def _tiny(self, **config) -> LanguageModel:
        from tests.conftest import make_tiny_llama

        model = make_tiny_llama(len(self.lm.tokenizer), **config)
        return LanguageModel(model=model, tokenizer=self.lm.tokenizer, name="tiny-random-llama")

    # --- TokenViz ----------------------------------------------------------------------------------
    @cached_property
    def widget(self) -> tokviz.TokenViz:
        return tokviz.TokenViz(self.lm, prompt=PROMPT_TEXT, alternatives=5, max_new_tokens=GENERATED)

    @cached_property
    def _streamed_run(self) -> tuple[list[dict], dict]:
        w = tokviz.TokenViz(self.lm, prompt=PROMPT_TEXT, alternatives=5, max_new_tokens=GENERATED)
        sent: list[dict] = []
        w.send = lambda content, buffers=None: sent.append(recorded(content, buffers))
        interval, widget_module.STREAM_INTERVAL_S = widget_module.STREAM_INTERVAL_S, 0.0
        try:
            w.generate()
        finally:
            widget_module.STREAM_INTERVAL_S = interval
        assert [(m["kind"], m.get("from"), len(delta_tokens(m))) for m in sent] == [
            ("generation_delta", 0, 0), *[("generation_delta", n, 1) for n in range(GENERATED)],
            ("generation_end", None, 0)]
        return sent, copy.deepcopy(w.generation_data)

    @property
    def stream(self) -> list[dict]:
        """The messages a real generation sent, in order: an empty delta (the previous generation goes),
        one delta per token, then the end of the stream (sent after the result's trait)."""
        return copy.deepcopy(self._streamed_run[0])

    @property
    def stream_start(self) -> dict:
        """The first message a generation sends: the previous generation gone, no token yet."""
        return self.stream[0]

    def analysis(self) -> dict:
        return copy.deepcopy(self.widget.analysis_data)

    def generation(self) -> dict:
        """The finished generation, as the widget's trait holds it."""
        return copy.deepcopy(self._streamed_run[1])

    @cached_property
    def other_generation(self) -> dict:
        """A generation from another prompt: different tokens."""
        return self._generation_of("Hello", max_new_tokens=2)

    @cached_property
    def sampled_generation(self) -> dict:
        """A seeded sampling run at temperature 0.5: each token's sampled probability differs from its raw one."""
        from tokviz.widgets import payload

        result = tokviz.generate(self.lm, PROMPT_TEXT, max_new_tokens=3, do_sample=True, temperature=0.5, seed=1,
                                 alternatives=5)
        return payload.generation_payload(result.tokens, self.lm.vocabulary, alternatives=5, max_new_tokens=3,
                                          sampled=payload.was_sampled(result), stopped_by=result.stopped_by, after=result,
                                          decoding=result.decoding)

    @cached_property
    def filtered_generation(self) -> dict:
        """A seeded sampling run at temperature 1.2, top-k 3 and top-p 0.9, five candidates shown: at least two
        of each token's candidates cannot be drawn."""
        from tokviz.widgets import payload

        result = tokviz.generate(self.lm, PROMPT_TEXT, max_new_tokens=4, do_sample=True, temperature=1.2, top_k=3,
                                 top_p=0.9, seed=2, alternatives=5)
        return payload.generation_payload(result.tokens, self.lm.vocabulary, alternatives=5, max_new_tokens=4,
                                          sampled=payload.was_sampled(result), stopped_by=result.stopped_by, after=result,
                                          decoding=result.decoding)

    def _generation_of(self, prompt: str, **params) -> dict:
        w = tokviz.TokenViz(self.lm, prompt=prompt, alternatives=5, **params)
        w.generate()
        return copy.deepcopy(w.generation_data)

    def tokens_state(self, **traits) -> dict:
        state = copy.deepcopy(self.widget.snapshot_state())
        return state | {"interactive": True, "generation_data": {}} | traits

    @cached_property
    def long_analysis(self) -> dict:
        """A 2,000-token analysis (alternatives 10) of a model with a context long enough for it."""
        rng = random.Random(3)
        text = "".join(rng.choice(LONG_WORDS) for _ in range(2000))
        lm = self._tiny(context=2048)
        result = tokviz.TokenViz(lm, prompt=text, alternatives=10).analysis_data
        assert len(strip_tokens(result)) == 2000
        return result

    @cached_property
    def branched(self) -> tokviz.TokenViz:
        """A generation, a branch of it at generated token 1, and a branch of that at prompt token 3."""
        w = tokviz.TokenViz(self.lm, prompt=PROMPT_TEXT, alternatives=5, max_new_tokens=GENERATED)
        w.generate()
        w.branch("generated", 1, w.generation.tokens[1].top[2].token_id)
        w.branch("prompt", 3, w.analysis.tokens[3].top[1].token_id)
        return w

    # --- the other views ---------------------------------------------------------------------------
    @cached_property
    def beams(self) -> dict:
        """BeamTreeView of a 4-beam, 12-step search."""
        generation = tokviz.generate(self.lm, "The capital of France is", num_beams=4, max_new_tokens=12)
        assert len(generation.beam_tree) == 12
        return tokviz.BeamTreeView(generation).snapshot_state() | {"interactive": True}

    @cached_property
    def lens(self) -> dict:
        """LogitLensView of the awkward prompt on a 30-layer model: 31 rows (embeddings to output)."""
        view = tokviz.LogitLensView(tokviz.logit_lens(self._tiny(layers=30), PROMPT_TEXT))
        return view.snapshot_state() | {"interactive": True}

    @cached_property
    def icl(self) -> dict:
        examples = [("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid")]
        curve = tokviz.icl_curve(self.lm, examples, "Japan", " Tokyo", orders=2, alternatives=2)
        return tokviz.ICLView(curve).snapshot_state() | {"interactive": True}

    @cached_property
    def labels(self) -> dict:
        scores = tokviz.score_labels(self.lm, "Review: {x}\nSentiment:{y}", "a fine film",
                                     [" positive", " negative", " " + HTML_IMG])
        return tokviz.LabelScoresView(scores).snapshot_state() | {"interactive": True}

    # --- CompareView (tokviz.compare) --------------------------------------------------------------
    @cached_property
    def compare_prompts(self) -> tokviz.CompareView:
        """Two prompts on the tiny model, aligned by matching tokens: a shared start, then different words
        (the first difference), HTML-looking text, an emoji split into pieces, and a special token in one."""
        text_a = f"The capital of France is Paris. {HTML_IMG} ok{EMOJI}\n\tdone"
        text_b = f"The capital of Spain is Madrid. {HTML_IMG} ok{EMOJI}\n\tdone<|endoftext|>"
        comparison = tokviz.compare_texts(self.lm, text_a, text_b, names=("France", "Spain"), alternatives=2)
        assert comparison.alignment == "tokens" and comparison.divergence is not None
        return tokviz.CompareView(comparison)

    @cached_property
    def compare_models(self) -> tokviz.CompareView:
        """The awkward prompt scored by two tiny models (seeds 0 and 1): one text, aligned by character spans,
        the emoji's pieces in one unit."""
        comparison = tokviz.compare_models(self.lm, self._tiny(seed=1), PROMPT_TEXT, names=("seed 0", "seed 1"),
                                           alternatives=2)
        assert comparison.alignment == "characters"
        return tokviz.CompareView(comparison)

    @cached_property
    def compare_generations(self) -> tokviz.CompareView:
        """Two sampled generations of one prompt (seeds 1 and 2): they diverge in the generated part."""
        comparison = tokviz.compare_generations(self.lm, "Once upon a time", {"seed": 1}, {"seed": 2},
                                                do_sample=True, max_new_tokens=6, alternatives=2)
        assert comparison.divergence is not None and comparison.divergence >= comparison.generated_from[0]
        return tokviz.CompareView(comparison)

    # --- ReshapeView (tokviz.reshape) --------------------------------------------------------------
    @cached_property
    def reshape_view(self) -> tokviz.ReshapeView:
        """ReshapeView of the awkward prompt's token 14 (the text goes on with it), at temperature 1.3 with
        top-k 8 and top-p 0.9: rows kept, rows cut by top-k, rows cut by top-p. Its state is `reshape`."""
        view = tokviz.ReshapeView(self.lm, PROMPT_TEXT, 14, temperature=1.3, top_k=8, top_p=0.9, show=12)
        assert {row["cut"] for row in view.data["rows"]} == {None, "top-k", "top-p"}
        return view

    def reshape(self, **traits) -> dict:
        """The ReshapeView state (traits: others of the same view, e.g. another temperature's reshape_data)."""
        return copy.deepcopy(self.reshape_view.snapshot_state()) | {"interactive": True} | traits

    @cached_property
    def bayes(self) -> dict:
        """BayesView of coin flips drawn with P(H) = 0.2 and 0.8, three sequences each, of 8 and (one) 5 flips;
        the template's prefix holds HTML, which must stay text."""
        drawn = tokviz.draw_sequences(("H", "T"), (0.2, 0.8), per_hidden=3, length=8, seed=0)
        drawn.sequences[1] = drawn.sequences[1][:5]  # unequal lengths: the group's curves use what exists at each n
        result = tokviz.bayes_icl(self.lm, drawn, template=f"{HTML_IMG} flips: {{sequence}}")
        return tokviz.BayesView(result).snapshot_state() | {"interactive": True}

    @cached_property
    def bayes_die(self) -> dict:
        """BayesView of die rolls (six outcomes, so the view offers a choice of outcome), two hidden dice."""
        drawn = tokviz.draw_sequences(tuple("123456"), 2, per_hidden=2, length=6, seed=1)
        result = tokviz.bayes_icl(self.lm, drawn, template="Die rolls: {sequence}")
        return tokviz.BayesView(result).snapshot_state() | {"interactive": True}


def shown_percent(p: float) -> str:
    """The view's one probability format (js/src/format.js formatPercent): percent with 3 significant
    digits written out ("0.000974%"), "< 0.000001%" below that, and only exact 0 and 1 shown as "0%" and
    "100%"."""
    from decimal import ROUND_HALF_UP, Decimal

    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    pct = p * 100  # JS multiplies in floating point too, then rounds the exact binary value
    if pct < 1e-6:
        return "< 0.000001%"
    exact = Decimal(pct)
    places = exact.adjusted() - 2
    text = exact.quantize(Decimal(1).scaleb(places), rounding=ROUND_HALF_UP)
    if text.adjusted() > exact.adjusted():  # 9.996 -> 10.0: one digit fewer after the point
        text = exact.quantize(Decimal(1).scaleb(places + 1), rounding=ROUND_HALF_UP)
    decimals = max(0, -text.as_tuple().exponent)
    while text >= 100:  # never a rounded 100%
        decimals += 1
        text = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{text:f}%"


def sampled_run(lm: LanguageModel, *, temperature: float = 0.7, seed: int = 3, max_new_tokens: int = 4):
    """A seeded sampling run on the awkward prompt and its strip payload: (Generation, payload)."""
    from tokviz.widgets import payload

    result = tokviz.generate(lm, PROMPT_TEXT, max_new_tokens=max_new_tokens, do_sample=True,
                             temperature=temperature, seed=seed, alternatives=5)
    sent = payload.generation_payload(result.tokens, lm.vocabulary, alternatives=5, max_new_tokens=max_new_tokens,
                                      sampled=payload.was_sampled(result), stopped_by=result.stopped_by, after=result,
                                      decoding=result.decoding)
    return result, sent
