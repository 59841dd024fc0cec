"""The token view as a teaching instrument (issue "TokenViz as a teaching instrument"): tokens stay whole,
a selection stays until it is replaced or cleared, and the view says when what it shows is stale, busy or
not yet in effect. States come from tests/browser/fixtures.py (real results through the payload functions)."""

from __future__ import annotations

import pytest
from fixtures import RET, expected_token_content
from view_harness import CHROMIUM

from tests.strips import strip_pieces, strip_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"
GEN_TOKENS = "#w .tvz-token[data-source=generated]"
TIP = ".tvz-tip-host .tvz-tooltip"


def visible_tip(page):
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    return tip


def rect(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); "
                            "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }")


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


# --- 1. a token is never split across lines ---------------------------------------------------------


@pytest.mark.parametrize("width", [90, 140, 230])
def test_narrow_strip_breaks_lines_between_tokens_only(view, payloads, width):
    state = payloads.tokens_state(generation_data=payloads.generation())
    view.mount(state)
    page = view.page
    page.evaluate("w => { document.getElementById('w').style.width = w + 'px'; }", width)
    boxes = page.eval_on_selector_all(
        "#w .tvz-token",
        "els => els.map(e => [e.textContent, e.getClientRects().length, Math.round(e.getBoundingClientRect().top)])",
    )
    tops = {top for _, _, top in boxes}
    assert len(tops) > 3  # the strip really wraps onto several lines
    # a newline token ends its line with a real break: the only token allowed a second box
    split = [text for text, lines, _ in boxes if lines != 1 and RET not in text]
    assert split == []


# --- 2. the selection stays until another token is clicked or it is cleared -------------------------


def test_selection_survives_escape_and_clicks_elsewhere(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(3).click()
    assert view.get("selected") == {"source": "prompt", "index": 3}
    page.keyboard.press("Escape")  # closes the tooltip only
    page.locator(TIP).first.wait_for(state="hidden")
    assert view.get("selected") == {"source": "prompt", "index": 3}
    page.locator(PROMPT_TOKENS).nth(2).click()  # another token replaces it
    assert view.get("selected") == {"source": "prompt", "index": 2}
    page.mouse.click(990, 790)  # a click elsewhere (e.g. into the next cell) closes the tooltip only
    page.locator(TIP).first.wait_for(state="hidden")
    assert view.get("selected") == {"source": "prompt", "index": 2}
    assert page.locator(PROMPT_TOKENS).nth(2).evaluate("e => e.classList.contains('tvz-selected')")


def test_selection_is_cleared_explicitly(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    clear = page.locator("#w button.tvz-clear-selection")
    assert clear.is_hidden()  # nothing to clear
    page.locator(PROMPT_TOKENS).nth(3).click()
    assert clear.is_visible()
    clear.click()
    assert view.get("selected") == {}
    assert page.locator("#w .tvz-selected").count() == 0
    assert clear.is_hidden()
    # clicking the pinned token again also clears it
    page.locator(PROMPT_TOKENS).nth(4).click()
    page.locator(PROMPT_TOKENS).nth(4).click()
    assert view.get("selected") == {}
    page.locator(TIP).first.wait_for(state="hidden")


# --- 3. a pinned tooltip never covers its own token -------------------------------------------------


def test_pinned_tooltip_near_the_bottom_does_not_cover_its_token(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    token = page.locator(PROMPT_TOKENS).nth(3)
    # push the strip down until the token sits just above the viewport's bottom edge
    bottom = rect(token)["bottom"]
    page.evaluate("dy => { document.body.style.paddingTop = dy + 'px'; }", max(0, 800 - 30 - bottom))
    assert 700 < rect(token)["bottom"] <= 800
    token.click()
    tip = visible_tip(page)
    assert "tvz-pinned" in (tip.get_attribute("class") or "")
    assert not overlaps(rect(tip), rect(token))


# --- 6. busy: the old result is dimmed or gone, progress is shown; an empty view says what to do ------


def test_analysing_dims_the_old_strip(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    strip = page.locator("#w .tvz-prompt-tokens")
    assert float(strip.evaluate("e => getComputedStyle(e).opacity")) == 1
    view.update("status", "analyzing")
    page.wait_for_function("() => getComputedStyle(document.querySelector('#w .tvz-prompt-tokens')).opacity < 0.6")
    view.update("status", "idle")
    page.wait_for_function("() => getComputedStyle(document.querySelector('#w .tvz-prompt-tokens')).opacity == 1")


def test_generating_clears_the_old_result_and_counts_steps(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.other_generation))
    page = view.page
    status = page.locator("#w .tvz-status")
    assert "stopped by:" in status.inner_text()
    # what the widget sends when a generation starts: no tokens yet, and its limit
    first, *deltas = payloads.stream
    assert first["chunk"]["length"] == 0 and first["max_new_tokens"] == len(strip_tokens(payloads.generation()))
    view.update("status", "generating")
    view.receive(first)
    assert page.locator(GEN_TOKENS).count() == 0
    assert "stopped by:" not in status.inner_text()
    assert f"step 0 / {first['max_new_tokens']}" in status.inner_text()
    view.receive(deltas[0])
    view.receive(deltas[1])
    assert f"step 2 / {first['max_new_tokens']}" in status.inner_text()


def test_a_failed_generation_shows_the_previous_result_again(view, payloads):
    # A run that fails mid-stream: the traits keep the old generation, and the stream's end shows it again.
    old = payloads.other_generation
    view.mount(payloads.tokens_state(generation_data=old))
    page = view.page
    shown = [expected_token_content(t, strip_pieces(old)) for t in strip_tokens(old)]
    assert page.locator(GEN_TOKENS).all_text_contents() == shown
    first, *deltas, end = payloads.stream
    view.receive(first)
    view.receive(deltas[0])
    assert page.locator(GEN_TOKENS).count() == 1
    view.receive(end)
    assert page.locator(GEN_TOKENS).all_text_contents() == shown
    assert "stopped by:" in page.locator("#w .tvz-status").inner_text()


def test_a_view_opened_mid_stream_waits_for_the_result(view, payloads):
    # Deltas that do not follow what this view holds are skipped; the result arrives as the trait.
    view.mount(payloads.tokens_state())
    page = view.page
    _first, *deltas, end = payloads.stream
    view.receive(deltas[2])
    assert page.locator(GEN_TOKENS).count() == 0
    final = payloads.generation()
    view.update("generation_data", final)
    view.receive(end)
    assert page.locator(GEN_TOKENS).count() == len(strip_tokens(final))


def test_empty_view_says_what_to_do(view, payloads):
    view.mount(payloads.tokens_state(analysis_data={}, prompt=""))
    page = view.page
    hint = page.locator("#w .tvz-empty")
    assert hint.is_visible() and "Analyze" in hint.inner_text()
    view.update("analysis_data", payloads.analysis())
    assert hint.is_hidden()


# --- 7. a result for another prompt is marked stale --------------------------------------------------


def test_editing_the_prompt_marks_the_result_stale(view, payloads):
    state = payloads.tokens_state()
    assert state["analysis_data"]["text"] == state["prompt"]  # Python sends the analysed text
    view.mount(state)
    page = view.page
    stale = page.locator("#w .tvz-stale-note")
    assert stale.is_hidden()
    page.locator("#w textarea.tvz-prompt").fill("A different prompt")
    assert stale.is_visible() and "previous prompt" in stale.inner_text()
    assert page.locator("#w .tvz-strip.tvz-stale").count() == 1
    page.locator("#w textarea.tvz-prompt").fill(state["prompt"])  # back to the analysed text
    assert stale.is_hidden()
    assert page.locator("#w .tvz-strip.tvz-stale").count() == 0


# --- 8. sampling-only settings; invalid values are refused, not clamped ------------------------------


def type_number(page, name: str, value: str) -> None:
    field = page.locator(f"#w input[name={name}]")
    field.fill(value)
    field.dispatch_event("change")


def test_sampling_fields_are_disabled_unless_sampling(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    hint = page.locator("#w .tvz-sampling-hint")
    for name in ("temperature", "top_k", "top_p"):
        assert page.locator(f"#w input[name={name}]").is_disabled()
    assert hint.is_visible() and "sample" in hint.inner_text()
    assert page.locator("#w input[name=max_new_tokens]").is_enabled()
    page.locator("#w input[name=do_sample]").check()
    for name in ("temperature", "top_k", "top_p"):
        assert page.locator(f"#w input[name={name}]").is_enabled()
    assert hint.is_hidden()


def test_invalid_numbers_are_refused_with_a_message(view, payloads):
    view.mount(payloads.tokens_state(do_sample=True))
    page = view.page
    note = page.locator("#w input[name=temperature] + .tvz-field-note")
    type_number(page, "temperature", "-1")
    assert view.get("temperature") == 1.0  # not clamped to 0: refused
    assert note.is_visible() and "-1" in note.inner_text() and "\u2265 0" in note.inner_text()
    type_number(page, "temperature", "0.7")
    assert view.get("temperature") == 0.7 and note.inner_text() == ""
    type_number(page, "top_p", "3")
    assert view.get("top_p") == 1.0
    assert "(0, 1]" in page.locator("#w input[name=top_p] + .tvz-field-note").inner_text()
    type_number(page, "max_new_tokens", "2.5")  # not an integer: refused, not rounded
    assert view.get("max_new_tokens") != 3 and view.get("max_new_tokens") != 2
    assert view.errors == []


# --- 10. settings that wait for the next run; sampled p only when sampled ---------------------------


def test_alternatives_change_says_it_applies_to_the_next_run(view, payloads):
    state = payloads.tokens_state()
    view.mount(state)
    page = view.page
    hint = page.locator("#w .tvz-next-run")
    assert hint.is_hidden()
    type_number(page, "alternatives", "8")
    assert state["analysis_data"]["alternatives"] == 5
    assert hint.is_visible() and "next" in hint.inner_text() and "5" in hint.inner_text()
    view.update("analysis_data", {**payloads.analysis(), "alternatives": 8})  # the re-run
    assert hint.is_hidden()


def test_greedy_tokens_show_no_sampled_probability(view, payloads):
    greedy = payloads.generation()
    assert greedy["sampled"] is False and all("sp" not in t for t in strip_tokens(greedy))
    view.mount(payloads.tokens_state(generation_data=greedy))
    page = view.page
    page.locator(GEN_TOKENS).first.hover()
    assert "sampled p" not in visible_tip(page).inner_text()
