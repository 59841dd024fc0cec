"""The view (tokviz/static/widget.js) in Chromium through the fake-model harness, fed by states that
tokviz's widgets made from real results on tiny random models (tests/browser/fixtures.py)."""

from __future__ import annotations

import pytest
from fixtures import (
    DOT,
    HTML_BREAKOUT,
    HTML_IMG,
    HTML_SCRIPT,
    JUPYTER_DARK,
    RET,
    TAB,
    badges,
    expected_token_content,
    shown_percent,
    shown_text,
)
from view_harness import CHROMIUM, render_time_ms

from tests.strips import delta_tokens, strip_pieces, strip_tokens
from tokviz.widgets.token_table import pack_chunk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TOKENS = "#w .tvz-token"
PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"
GEN_TOKENS = "#w .tvz-token[data-source=generated]"
TIP = ".tvz-tip-host .tvz-tooltip"  # tooltips live in a host under <body>


def visible_tip(page):
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    return tip


def assert_no_injection(view):
    page = view.page
    page.wait_for_timeout(50)
    assert view.dialogs == []
    assert page.locator("#w img").count() == 0
    assert page.locator("#w script").count() == 0
    assert view.errors == []


def index_of(tokens, test) -> int:
    return next(i for i, tok in enumerate(tokens) if test(tok))


# --- TokenViz ---------------------------------------------------------------------------------------


def test_prompt_tokens_render_with_visible_whitespace_and_byte_badges(view, payloads):
    state = payloads.tokens_state()
    view.mount(state)
    page = view.page
    data = state["analysis_data"]
    tokens, pieces = strip_tokens(data), strip_pieces(data)
    spans = page.locator(PROMPT_TOKENS)
    assert spans.count() == len(tokens)
    # every token shows its text with whitespace markers, its byte badges, or its special tag
    contents = spans.all_text_contents()
    assert contents == [expected_token_content(tok, pieces) for tok in tokens]
    assert contents[:2] == ["The", f"{DOT}capital"]
    newline = index_of(tokens, lambda t: t["t"] == "\n")
    assert contents[newline] == RET and contents[newline + 1] == TAB  # "\n" and "\t" are tokens of their own
    assert page.locator(f"{PROMPT_TOKENS} br").count() == sum(t["t"].count("\n") for t in tokens) == 1
    assert DOT in [c for c, t in zip(contents, tokens) if t["t"].strip() == "" and t["t"]]
    # the emoji after "ok": two tokens holding only bytes (badges), then the one completing the character
    partial = index_of(tokens, lambda t: t["t"] == "")
    badge_texts = [spans.nth(i).locator(".tvz-byte").all_inner_texts() for i in (partial, partial + 1)]
    assert badge_texts == [badges(pieces[str(tokens[i]["id"])]["bytes"]) for i in (partial, partial + 1)]
    assert badge_texts == [["F0", "9F"], ["98"]]
    assert contents[partial + 2] == "\U0001f600"
    # " " + the next emoji's first bytes in one token: a dot, then those bytes as badges
    pending = index_of(tokens, lambda t: "pending" in t)
    assert spans.nth(pending).locator(".tvz-byte").all_inner_texts() == ["F0", "9F", "98"]
    assert contents[pending] == DOT + "F09F98" and contents[pending + 1] == "\U0001f600"
    assert "\ufffd" not in "".join(contents)
    # HTML-looking text is drawn as text, whole
    drawn = "".join(contents).replace(DOT, " ")
    assert HTML_IMG in drawn and HTML_SCRIPT + HTML_BREAKOUT in drawn
    special = index_of(tokens, lambda t: isinstance(pieces[str(t["id"])], dict) and "special" in pieces[str(t["id"])])
    assert spans.nth(special).locator(".tvz-special").inner_text() == "<|endoftext|>"
    # every token is focusable and carries its index and source; the strip is one Tab stop (the first
    # token until another is visited), the arrow keys reach the others (test_teaching_d)
    attrs = page.eval_on_selector_all(PROMPT_TOKENS, "els => els.map(e => [e.tabIndex, e.dataset.index])")
    assert attrs == [[0 if i == 0 else -1, str(i)] for i in range(len(tokens))]
    # tokens with a prediction are coloured, the first one is not
    bgs = page.eval_on_selector_all(PROMPT_TOKENS, "els => els.map(e => e.style.backgroundColor)")
    assert bgs[0] == "" and all(bgs[1:])
    assert_no_injection(view)


def test_html_looking_text_never_becomes_markup(view, payloads):
    state = payloads.tokens_state()
    view.mount(state)
    page = view.page
    tokens = strip_tokens(state["analysis_data"])
    html = [i for i, t in enumerate(tokens) if "<" in t["t"] or ">" in t["t"]]
    assert len(html) >= 8
    for i in html:  # hover every HTML-looking token: its tooltip draws it as text
        page.locator(PROMPT_TOKENS).nth(i).hover()
        head = visible_tip(page).locator(".tvz-tip-tok")
        assert head.text_content() == expected_token_content(tokens[i], strip_pieces(state["analysis_data"]))
    page.locator("#w .tvz-next").hover()
    visible_tip(page)
    assert_no_injection(view)


def test_candidate_rows_draw_pieces_and_mark_the_actual_token(view, payloads):
    """A generated token is its position's top candidate: the row marked actual shows its piece as text."""
    generation = payloads.generation()
    view.mount(payloads.tokens_state(generation_data=generation))
    page = view.page
    for i, tok in enumerate(strip_tokens(generation)):
        page.locator(GEN_TOKENS).nth(i).hover()
        tip = visible_tip(page)
        actual = tip.locator(".tvz-cand.tvz-actual")
        assert actual.count() == 1 and actual.get_attribute("data-id") == str(tok["id"])
        piece = strip_pieces(generation)[str(tok["id"])]
        assert actual.locator(".tvz-cand-tok").text_content() == shown_text(piece)
    assert_no_injection(view)


def test_hover_shows_probability_rank_entropy_and_candidates(view, payloads):
    state = payloads.tokens_state()
    view.mount(state)
    page = view.page
    tok = strip_tokens(state["analysis_data"])[3]
    page.locator(PROMPT_TOKENS).nth(3).hover()
    tip = visible_tip(page)
    text = tip.inner_text()
    assert f"{DOT}France" in text
    assert shown_percent(tok["p"]) in text
    assert f"#{tok['r']:,}" in text
    assert f"{tok['h'] / 0.6931471805599453:.2f} bits" in text
    rows = tip.locator(".tvz-cand")
    assert rows.count() == min(state["alternatives"], len(tok["top"])) == 5
    for i, (cid, p) in enumerate(tok["top"][: rows.count()]):
        assert rows.nth(i).get_attribute("data-id") == str(cid)
        assert rows.nth(i).locator(".tvz-cand-p").inner_text() == shown_percent(p)
    # the actual token is far down the ranking of a random model: the tooltip says so
    assert tok["r"] > 5 and f"not in the top 5 (rank #{tok['r']:,})" in text
    # moving away hides it; the first token explains it has no prediction
    page.mouse.move(990, 790)
    page.locator(TIP).first.wait_for(state="hidden")
    page.locator(PROMPT_TOKENS).first.hover()
    assert "no prediction" in visible_tip(page).inner_text()


def test_alternatives_limits_candidates(view, payloads):
    view.mount(payloads.tokens_state(alternatives=2))
    view.page.locator(PROMPT_TOKENS).nth(4).hover()
    assert visible_tip(view.page).locator(".tvz-cand").count() == 2


def test_keyboard_focus_shows_tooltip(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(2).focus()
    assert f"{DOT}of" in visible_tip(page).inner_text()
    page.keyboard.press("ArrowRight")
    assert f"{DOT}France" in visible_tip(page).inner_text()


def test_click_pins_tooltip_and_sets_selected(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(3).click()
    assert view.get("selected") == {"source": "prompt", "index": 3}
    assert view.saved()[-1]["selected"] == {"source": "prompt", "index": 3}
    tip = visible_tip(page)
    assert "tvz-pinned" in (tip.get_attribute("class") or "")
    assert page.locator(PROMPT_TOKENS).nth(3).evaluate("e => e.classList.contains('tvz-selected')")
    # hovering another token does not move a pinned tooltip
    page.locator(PROMPT_TOKENS).nth(1).hover()
    assert f"{DOT}France" in tip.inner_text()
    page.keyboard.press("Escape")  # closes the tooltip; the selection stays (tests/browser/test_teaching.py)
    page.locator(TIP).first.wait_for(state="hidden")
    assert view.get("selected") == {"source": "prompt", "index": 3}
    # click elsewhere also closes it
    page.locator(PROMPT_TOKENS).nth(2).click()
    assert view.get("selected") == {"source": "prompt", "index": 2}
    page.mouse.click(990, 790)
    page.locator(TIP).first.wait_for(state="hidden")
    # Enter pins the focused token
    page.locator(PROMPT_TOKENS).nth(4).focus()
    page.keyboard.press("Enter")
    assert view.get("selected") == {"source": "prompt", "index": 4}


def test_new_analysis_from_python_clears_the_pin(view, payloads):
    """Python resets `selected` with a new analysis: the pinned tooltip and the mark go with it."""
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(3).click()
    page.mouse.move(990, 790)  # away from the strip: a pinned tooltip stays
    assert "tvz-pinned" in (visible_tip(page).get_attribute("class") or "")
    view.update("selected", {})
    view.update("analysis_data", payloads.analysis())
    page.locator(TIP).first.wait_for(state="hidden")
    assert page.locator("#w .tvz-selected").count() == 0
    page.locator(PROMPT_TOKENS).nth(1).hover()  # hovering works again
    assert f"{DOT}capital" in visible_tip(page).inner_text()


def test_selected_from_python_marks_the_token(view, payloads):
    view.mount(payloads.tokens_state())
    view.update("selected", {"source": "prompt", "index": 4})
    marked = view.page.eval_on_selector_all(
        "#w .tvz-selected", "els => els.map(e => [e.dataset.source, e.dataset.index])"
    )
    assert marked == [["prompt", "4"]]


def test_buttons_send_actions_and_follow_status(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    analyze, generate, stop = (page.locator(f"#w button[data-action={a}]") for a in ("analyze", "generate", "stop"))
    assert analyze.is_enabled() and generate.is_enabled() and stop.is_disabled()
    analyze.click()
    generate.click()
    assert view.sent() == [{"action": "analyze"}, {"action": "generate"}]
    view.update("status", "generating")
    assert analyze.is_disabled() and generate.is_disabled() and stop.is_enabled()
    assert "generating" in page.locator("#w .tvz-status").inner_text()
    stop.click()
    assert view.sent()[-1] == {"action": "stop"}
    view.update("status", "idle")
    assert stop.is_disabled()
    # typing updates the prompt trait; Ctrl+Enter analyzes
    box = page.locator("#w textarea.tvz-prompt")
    box.fill("Hello world")
    assert view.get("prompt") == "Hello world"
    box.press("Control+Enter")
    assert view.sent()[-1] == {"action": "analyze"}
    # a prompt set from Python shows in the box
    view.update("prompt", "From Python")
    assert box.input_value() == "From Python"


def type_number(page, name: str, value: str) -> None:
    field = page.locator(f"#w input[name={name}]")
    field.fill(value)
    field.dispatch_event("change")


def test_controls_write_traits(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator("#w input[name=do_sample]").check()  # temperature is a sampling setting
    type_number(page, "temperature", "0.7")
    type_number(page, "max_new_tokens", "33")
    assert view.get("temperature") == 0.7
    assert view.get("max_new_tokens") == 33
    assert view.get("do_sample") is True
    view.update("top_k", 40)
    assert page.locator("#w input[name=top_k]").input_value() == "40"


def test_number_fields_take_their_range_from_python(view, payloads):
    """min/max/step come from the `limits` trait (tokviz.core.decoding.LIMITS, one table)."""
    state = payloads.tokens_state()
    limits = state["limits"]
    view.mount(state)
    page = view.page
    attrs = page.eval_on_selector_all(
        "#w input.tvz-num", "els => Object.fromEntries(els.map(e => [e.name, [e.min, e.max, e.step]]))")
    assert attrs["top_p"] == ["0", "1", "0.05"]
    assert attrs["top_k"][0] == "0"  # 0 = off, below the filter's own range
    assert attrs["alternatives"] == ["1", str(limits["alternatives"]["high"]), "1"]
    assert attrs["temperature"] == ["0", "", str(limits["temperature"]["step"])]
    assert set(attrs) == set(limits)


def test_bad_typed_values_are_refused_and_said_so(view, payloads):
    """Nothing is clamped or rounded (tests/browser/test_teaching.py has the sampling fields' side)."""
    view.mount(payloads.tokens_state(do_sample=True))
    page = view.page
    note = page.locator("#w input[name=top_p] + .tvz-field-note")
    type_number(page, "top_p", "3")  # above the range: refused, the typed text stays, marked
    assert view.get("top_p") == 1 and page.locator("#w input[name=top_p]").input_value() == "3"
    assert "(0, 1]" in note.inner_text()
    type_number(page, "top_p", "0.5")
    assert view.get("top_p") == 0.5 and note.inner_text() == ""
    type_number(page, "top_p", "0")  # the open end of the range: refused, the trait keeps its value
    assert view.get("top_p") == 0.5 and note.is_visible()
    type_number(page, "alternatives", "1000000")
    assert view.get("alternatives") == 5
    type_number(page, "max_new_tokens", "2.6")  # not an integer: refused
    assert view.get("max_new_tokens") == payloads.tokens_state()["max_new_tokens"]
    type_number(page, "top_k", "0")  # the off value is accepted
    assert view.get("top_k") == 0
    assert view.errors == []


def test_error_is_shown_as_alert(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    alert = page.locator("#w .tvz-error[role=alert]")
    assert alert.is_hidden()
    view.update("error", "CUDA out of memory <b>bold?</b>")
    assert alert.is_visible()
    assert alert.inner_text() == "CUDA out of memory <b>bold?</b>"
    assert page.locator("#w .tvz-error b").count() == 0
    view.update("error", "")
    assert alert.is_hidden()


def test_generated_tokens_stream_in_incrementally(view, payloads):
    state = payloads.tokens_state()
    view.mount(state)
    page = view.page
    n_prompt = len(strip_tokens(state["analysis_data"]))
    page.eval_on_selector(PROMPT_TOKENS, "e => { e.__mark = 'kept'; }")
    final = payloads.generation()
    start, *deltas, end = payloads.stream  # exactly what the widget sent while generating
    view.receive(start)
    for n, delta in enumerate(deltas, start=1):
        assert delta["stopped_by"] is None and delta["chunk"]["length"] == 1  # each token travels once
        view.receive(delta)
        assert page.locator(GEN_TOKENS).count() == n
        if n == 1:
            page.eval_on_selector(GEN_TOKENS, "e => { e.__mark = 'kept'; }")
    assert view.get("generation_data") == {}  # the deltas never touched the trait
    # neither the prompt nor earlier generated tokens were rebuilt
    assert page.eval_on_selector(PROMPT_TOKENS, "e => e.__mark") == "kept"
    assert page.eval_on_selector(GEN_TOKENS, "e => e.__mark") == "kept"
    expected = [expected_token_content(t, strip_pieces(final)) for t in strip_tokens(final)]
    assert page.locator(GEN_TOKENS).all_text_contents() == expected
    view.update("generation_data", final)
    view.receive(end)
    assert f"stopped by: {final['stopped_by']}" in page.locator("#w .tvz-status").inner_text()
    assert final["stopped_by"] == "length"
    assert page.eval_on_selector(GEN_TOKENS, "e => e.__mark") == "kept"  # the result did not redraw them
    # a new generation (different tokens) replaces the old one
    other = payloads.other_generation
    view.update("generation_data", other)
    assert page.locator(GEN_TOKENS).all_text_contents() == [
        expected_token_content(t, strip_pieces(other)) for t in strip_tokens(other)]
    view.update("generation_data", {})
    assert page.locator(GEN_TOKENS).count() == 0
    assert page.locator(PROMPT_TOKENS).count() == n_prompt
    assert_no_injection(view)


def test_generated_tooltip_and_raw_sampled_switch(view, payloads):
    generation = payloads.sampled_generation
    view.mount(payloads.tokens_state(generation_data=generation))
    page = view.page
    tok = strip_tokens(generation)[0]
    first = page.locator(GEN_TOKENS).first
    first.hover()
    text = visible_tip(page).inner_text()
    assert "sampled p" in text and shown_percent(tok["sp"]) in text and shown_percent(tok["p"]) in text
    raw_bg = first.evaluate("e => e.style.backgroundColor")
    page.locator("#w .tvz-switch button[data-value=sampled]").click()
    assert view.get("prob_mode") == "sampled"
    assert tok["sp"] != tok["p"]  # temperature 0.5 sharpens the distribution sampled from
    assert first.evaluate("e => e.style.backgroundColor") != raw_bg
    assert page.locator("#w .tvz-switch button[data-value=sampled]").get_attribute("aria-checked") == "true"


def test_color_by_switch_recolours_and_changes_legend(view, payloads):
    # Generated (greedy, rank 1) tokens: a random model's prompt tokens are all unlikely by any measure.
    view.mount(payloads.tokens_state(generation_data=payloads.generation()))
    page = view.page
    legend = page.locator("#w .tvz-legend")
    before = page.eval_on_selector_all(TOKENS, "els => els.map(e => e.style.backgroundColor)")
    assert "Probability" in legend.inner_text()
    page.locator("#w .tvz-switch button[data-value=rank]").click()
    assert view.get("color_by") == "rank"
    assert "Rank" in legend.inner_text() and ">1000" in legend.inner_text()
    after = page.eval_on_selector_all(TOKENS, "els => els.map(e => e.style.backgroundColor)")
    assert after != before
    view.update("color_by", "entropy")
    assert "entropy" in legend.inner_text()


def test_beam_list_in_token_view(view, payloads):
    g = payloads.beams["data"]
    view.mount(payloads.tokens_state(generation_data=g, num_beams=4))
    page = view.page
    items = page.locator("#w .tvz-beam-list li")
    assert items.count() == len(g["beams"]) == 4
    assert f"{g['beams'][0]['score']:.3f}" in items.first.inner_text()


def test_static_view_hides_controls_but_keeps_tooltips(view, payloads):
    view.mount(payloads.tokens_state(interactive=False))
    page = view.page
    assert page.locator("#w textarea").count() == 0
    assert page.locator("#w button[data-action]").count() == 0
    page.locator(PROMPT_TOKENS).nth(1).hover()
    assert visible_tip(page).locator(".tvz-cand").count() > 0


def test_cleanup_removes_listeners_and_dom(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.beams["data"]))
    assert view.listener_count() > 0
    view.cleanup()
    assert view.listener_count() == 0
    assert view.page.locator("#w *").count() == 0


# From now on, counts the listeners on window and document and the observers observing, as they are added
# and removed (a removal counts only for a listener that was added, as the browser does).
INSTRUMENT_JS = """() => {
  const live = window.__live = { listeners: 0, observers: 0 };
  const capture = (opts) => (typeof opts === "object" && opts !== null ? !!opts.capture : !!opts);
  for (const target of [window, document]) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    const held = new Map();  // listener -> ["type|capture", ...]
    target.addEventListener = (type, fn, opts) => {
      const keys = held.get(fn) || [];
      const key = `${type}|${capture(opts)}`;
      if (!keys.includes(key)) { keys.push(key); held.set(fn, keys); live.listeners += 1; }
      return add(type, fn, opts);
    };
    target.removeEventListener = (type, fn, opts) => {
      const keys = held.get(fn) || [];
      const at = keys.indexOf(`${type}|${capture(opts)}`);
      if (at >= 0) { keys.splice(at, 1); live.listeners -= 1; }
      return remove(type, fn, opts);
    };
  }
  const observe = MutationObserver.prototype.observe;
  const disconnect = MutationObserver.prototype.disconnect;
  MutationObserver.prototype.observe = function (...args) {
    if (!this.__observing) { this.__observing = true; live.observers += 1; }
    return observe.apply(this, args);
  };
  MutationObserver.prototype.disconnect = function () {
    if (this.__observing) { this.__observing = false; live.observers -= 1; }
    return disconnect.apply(this);
  };
}"""


@pytest.mark.parametrize("kind", ["tokens", "lens", "beams", "icl", "labels"])
def test_unmounting_leaves_no_listener_observer_or_tooltip_behind(view, payloads, kind):
    states = {"tokens": lambda: payloads.tokens_state(generation_data=payloads.beams["data"]),
              "lens": lambda: payloads.lens, "beams": lambda: payloads.beams, "icl": lambda: payloads.icl,
              "labels": lambda: payloads.labels}
    page = view.page
    page.evaluate(INSTRUMENT_JS)
    view.mount(states[kind]())
    live = page.evaluate("window.__live")
    if kind != "labels":  # every view with tooltips listens to the page and watches it
        assert live["listeners"] > 0 and live["observers"] > 0
        assert page.locator(".tvz-tip-host").count() > 0
    view.cleanup()
    assert page.evaluate("window.__live") == {"listeners": 0, "observers": 0}
    assert page.locator(".tvz-tip-host").count() == 0
    assert page.locator("#w *").count() == 0
    assert view.listener_count() == 0


def test_render_time_helper_renders_2000_tokens(view, payloads):
    ms = render_time_ms(view.page, payloads.long_analysis)
    assert ms > 0
    assert view.page.locator(PROMPT_TOKENS).count() == 2000
    view.page.locator(PROMPT_TOKENS).nth(1500).hover()
    assert visible_tip(view.page).locator(".tvz-cand").count() == 5  # the alternatives trait (5) of the state


def test_a_long_text_scrolls_inside_a_bounded_strip(view, payloads):
    render_time_ms(view.page, payloads.long_analysis)
    page = view.page
    strip = page.locator("#w .tvz-strip")
    client, total, font = strip.evaluate(
        "e => [e.clientHeight, e.scrollHeight, parseFloat(getComputedStyle(e).fontSize)]")
    assert client <= 40 * font + 2 and total > 3 * client  # about 20 lines shown, the rest scrolls
    assert page.locator("#w").bounding_box()["height"] < total  # the whole view: shorter than its tokens alone
    page.locator(PROMPT_TOKENS).nth(1990).hover()  # scrolled into the strip's view first, as a reader would
    assert visible_tip(page).locator(".tvz-cand").count() == 5
    assert strip.evaluate("e => e.scrollTop") > 0


def test_a_stream_is_followed_at_the_end_of_a_scrolled_strip_and_not_elsewhere(view, payloads):
    view.mount(payloads.tokens_state(analysis_data=payloads.long_analysis))
    page = view.page
    strip = page.locator("#w .tvz-strip")
    at_end = "e => e.scrollHeight - e.scrollTop - e.clientHeight < 4"
    assert strip.evaluate("e => e.scrollHeight > 2 * e.clientHeight")  # a strip that scrolls
    first, delta, *_ = payloads.stream
    view.update("status", "generating")
    view.receive(first)

    def grown(start: int) -> dict:  # a delta of 60 tokens: several new lines
        return {**delta, "from": start, "chunk": pack_chunk(delta_tokens(delta) * 60, start, strip_pieces(delta["chunk"]), set())}

    strip.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    before = strip.evaluate("e => e.scrollHeight")
    view.receive(grown(0))
    assert page.locator(GEN_TOKENS).count() == 60 and strip.evaluate("e => e.scrollHeight") > before
    assert strip.evaluate(at_end)
    strip.evaluate("e => { e.scrollTop = 0; }")  # the reader scrolls back to read the prompt
    view.receive(grown(60))
    assert page.locator(GEN_TOKENS).count() == 120 and strip.evaluate("e => e.scrollTop") == 0


# --- other views ------------------------------------------------------------------------------------


def test_lens_heatmap_31_layers(view, payloads):
    state = payloads.lens
    L = state["data"]
    n = L["positions"]
    view.mount(state)
    page = view.page
    assert L["layers"] == 31 and n == len(L["input"]) > 40
    assert page.locator("#w .tvz-lens-cell").count() == 31 * n
    assert page.locator("#w .tvz-lens-head").count() == n
    labels = page.locator("#w .tvz-lens-layer").all_inner_texts()
    assert len(labels) == 31 and labels[0] == "30 out" and labels[-1] == "0 emb"
    # column heads: the input tokens as the strip draws them (HTML-looking text as text, bytes as badges)
    heads = page.locator("#w .tvz-lens-head").all_text_contents()
    assert heads == [expected_token_content({"id": i, "t": t}, strip_pieces(L)) for i, t in zip(L["input"], L["input_text"])]
    n_first = sum(x is not None for x in L["first_correct"])
    assert page.locator("#w .tvz-lens-cell.tvz-first-correct").count() == n_first
    assert page.locator("#w .tvz-lens-cell.tvz-settled").count() == sum(x is not None for x in L["settled"])
    cell = page.locator("#w .tvz-lens-cell[data-layer='12'][data-pos='7']")
    cell.hover()
    tip = visible_tip(page)
    rows = tip.locator(".tvz-cand")
    assert rows.count() == L["alternatives"]
    for i, (cid, p) in enumerate(L["top"][12][7]):
        assert rows.nth(i).get_attribute("data-id") == str(cid)
        assert rows.nth(i).locator(".tvz-cand-p").inner_text() == shown_percent(p)
    assert "layer 12" in tip.inner_text()
    # click pins, Escape unpins (the shared hover/pin helper)
    cell.click()
    assert "tvz-pinned" in (tip.get_attribute("class") or "")
    page.keyboard.press("Escape")
    page.locator(TIP).first.wait_for(state="hidden")
    # colour switch: by the target's probability
    before = cell.evaluate("e => e.style.backgroundColor")
    page.locator("#w .tvz-switch button[data-value=target]").click()
    assert view.get("lens_color") == "target"
    after = page.locator("#w .tvz-lens-cell[data-layer='12'][data-pos='7']").evaluate("e => e.style.backgroundColor")
    assert after and after != before
    assert_no_injection(view)


def test_beam_tree_4_beams_by_12_steps(view, payloads):
    state = payloads.beams
    g = state["data"]
    view.mount(state)
    page = view.page
    nodes = page.locator("#w .tvz-node[data-step]")
    n_nodes = sum(len(step) for step in g["tree"])
    assert nodes.count() == n_nodes == 48
    steps = page.eval_on_selector_all("#w .tvz-node[data-step]", "els => new Set(els.map(e => e.dataset.step)).size")
    assert steps == 12
    assert page.locator("#w path.tvz-edge").count() == n_nodes
    n_pruned = sum(not n["kept"] for step in g["tree"] for n in step)
    assert page.locator("#w .tvz-node.tvz-pruned").count() == n_pruned
    node = g["tree"][5][2]
    page.locator("#w .tvz-node[data-step='5'][data-beam='2'] circle").hover()
    text = visible_tip(page).inner_text()
    # the score and the token's own probability, as Python sent them
    assert f"{node['score']:.3f}" in text
    assert f"token p\n{shown_percent(node['p'])} (log p {node['lp']:.3f} nats)" in text
    assert page.locator("#w .tvz-beam-list li").count() == len(g["beams"])
    assert_no_injection(view)


def test_icl_hover_shows_that_shots_strip(view, payloads):
    state = payloads.icl
    c = state["data"]
    view.mount(state)
    page = view.page
    points = page.locator("#w .tvz-point")
    assert points.count() == len(c["shots"]) == 5
    assert page.locator("#w path.tvz-band").count() == 1
    points.nth(1).hover()
    assert page.locator(PROMPT_TOKENS).count() == len(strip_tokens(c["strips"][1]))
    caption = page.locator("#w .tvz-icl-caption").inner_text()
    assert "1 shot" in caption and f"{c['entropy_mean'][1] / 0.6931471805599453:.2f} bits" in caption
    points.nth(3).hover()
    assert page.locator(PROMPT_TOKENS).count() == len(strip_tokens(c["strips"][3]))
    # the strip's own tooltips work, listing the candidates the strip carries
    page.locator(PROMPT_TOKENS).last.hover()
    assert visible_tip(page).locator(".tvz-cand").count() == c["strips"][3]["alternatives"] == 2


def test_label_bars_predicted_and_breakdown(view, payloads):
    state = payloads.labels
    s = state["data"]
    view.mount(state)
    page = view.page
    rows = page.locator("#w .tvz-label-row")
    assert rows.count() == 3
    assert rows.locator(".tvz-label-name").all_text_contents() == s["labels"]
    predicted = page.locator("#w .tvz-label-row.tvz-predicted .tvz-label-name").text_content()
    assert predicted == s["predicted"]
    for i, p in enumerate(s["probs"]):
        assert rows.nth(i).locator(".tvz-label-p").inner_text() == shown_percent(p)
    rows.nth(1).hover()
    detail = page.locator("#w .tvz-label-detail")
    assert "negative" in detail.inner_text()
    assert detail.locator(".tvz-bd-tok").count() == len(s["breakdown"][1])
    assert detail.locator(".tvz-in-label").count() == sum(t["in_label"] for t in s["breakdown"][1]) == 1
    rows.nth(2).hover()
    assert HTML_IMG in detail.locator(".tvz-answer").text_content()
    assert "".join(detail.locator(".tvz-bd-text").all_text_contents()).replace(DOT, " ").count(HTML_IMG[1:]) == 1
    assert_no_injection(view)


def test_unknown_kind_shows_an_error(view):
    view.mount({"_kind": "nope"})
    assert "unknown view kind" in view.page.locator("#w [role=alert]").inner_text()


def test_analysis_replaced_rebuilds_strip(view, payloads):
    view.mount(payloads.tokens_state())
    other = payloads.icl["data"]["strips"][0]  # another real analysis
    view.update("analysis_data", other)
    assert view.page.locator(PROMPT_TOKENS).count() == len(strip_tokens(other))
    assert view.page.locator(TOKENS).count() == len(strip_tokens(other))


# WCAG contrast of each token's text over its translucent background, blended onto the opaque backdrop.
CONTRAST_JS = """(sel) => {
  const rgba = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                       return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const backdrop = (el) => { for (let e = el.parentElement; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0.99) return c; } return [255, 255, 255, 1]; };
  return [...document.querySelectorAll(sel)].map((el) => {
    const s = getComputedStyle(el); const fg = rgba(s.color); const bg = rgba(s.backgroundColor); const base = backdrop(el);
    const mix = [0, 1, 2].map((i) => bg[i] * bg[3] + base[i] * (1 - bg[3]));
    const a = lum(fg), b = lum(mix); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}"""



@pytest.mark.parametrize("theme", ["light", "dark", "jupyter-dark"])
@pytest.mark.parametrize("color_by", ["prob", "rank", "entropy"])
def test_token_text_stays_readable(browser, harness_url, payloads, theme, color_by):
    from view_harness import View

    page = browser.new_page(color_scheme="dark" if theme == "dark" else "light")
    try:
        view = View(page, harness_url)
        if theme == "jupyter-dark":
            css = ";".join(f"{k}: {v}" for k, v in JUPYTER_DARK.items())
            page.evaluate("css => { document.body.style.cssText += ';' + css; }", css)
        state = payloads.tokens_state(generation_data=payloads.generation(), color_by=color_by)
        view.mount(state)
        ratios = page.evaluate(CONTRAST_JS, "#w .tvz-token")
        assert len(ratios) == len(strip_tokens(state["analysis_data"])) + len(strip_tokens(state["generation_data"]))
        assert min(ratios) >= 4.5, ratios
    finally:
        page.close()
