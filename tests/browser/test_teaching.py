"""The token view as a teaching instrument (issue "TokenViz as a teaching instrument"): tokens stay whole,
a selection stays until it is replaced or cleared, and the view says when what it shows is stale, busy or
not yet in effect. States come from tests/browser/fixtures.py (real results through payload.py)."""

from __future__ import annotations

import pytest
from fixtures import RET
from view_harness import CHROMIUM

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
