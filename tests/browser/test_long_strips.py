"""A 131,072-token analysis in the view: the real widget's trait carries its first chunks, the view asks for
the rest and Python answers, as in a notebook; the strip lays out only what is near its visible part, and
a token near the end hovers with its numbers, as in a short strip."""

from __future__ import annotations

import re

import pytest
from fixtures import shown_percent
from view_harness import token_view_state

from tests.long_context import text_of_tokens, tiny_long_llama
from tests.strips import recorded, strip_tokens
from tokviz.widgets.widget import TokenViz

LENGTH = 131_072
TIP = ".tvz-tip-host .tvz-tooltip:not([hidden])"


@pytest.fixture(scope="module")
def long_widget(tokenizer):
    lm = tiny_long_llama(tokenizer, LENGTH)
    return TokenViz(lm, prompt=text_of_tokens(tokenizer, LENGTH), alternatives=10)


def test_a_131k_token_analysis_arrives_in_chunks_renders_and_hovers_at_its_end(view, long_widget):
    w = long_widget
    carried = w.analysis_data
    assert "key" in carried and sum(c["length"] for c in carried["chunks"]) < LENGTH  # too long for one message
    view.mount({**token_view_state(), "analysis_data": carried, "prompt": w.prompt, "alternatives": 10})
    page = view.page
    asks = [m for m in view.sent() if m.get("action") == "chunks"]
    assert asks == [{"action": "chunks", "trait": "analysis_data", "key": carried["key"],
                     "from": len(carried["chunks"])}]
    first = sum(c["length"] for c in carried["chunks"])  # shown at once; the status line says more are coming
    assert f"{first} of {LENGTH} (the rest on its way) prompt tokens" in page.locator("#w .tvz-status").inner_text()
    answers = []
    w.send = lambda content, buffers=None: answers.append(recorded(content, buffers))
    w._handle_message(w, asks[0], [])
    for message in answers:
        view.receive(message)
    page.wait_for_function(f"document.querySelector('#w .tvz-status').textContent.includes('{LENGTH} prompt tokens')")

    strip = page.locator("#w .tvz-strip")
    assert "tvz-virtual" in strip.get_attribute("class")
    assert page.locator("#w .tvz-token").count() < 3000  # a few blocks are laid out, not 131,072 spans
    strip.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    index = LENGTH - 3
    near_end = page.locator(f"#w .tvz-prompt-tokens .tvz-token[data-index='{index}']")
    near_end.wait_for()
    near_end.hover()
    tip = page.locator(TIP)
    tip.wait_for()
    token = strip_tokens(w.analysis_data, carried["chunks"] + [m["chunk"] for m in answers])[index]
    assert token == strip_tokens(w.snapshot_state()["analysis_data"])[index]
    assert f"prompt token {index}" in tip.inner_text()
    assert shown_percent(token["p"]) in tip.inner_text()
    assert re.search(rf"\bid\s+{token['id']}\b", tip.inner_text())
    # the analysis's own numbers: the token as tokviz scored it
    assert token["p"] == pytest.approx(w.analysis.tokens[index].prob, rel=1e-3)

    # the keyboard moves by token index, not by what is drawn: End reaches the end of the strip (the
    # "next" marker after the last token), Home the first token, wherever the reader has scrolled
    near_end.focus()
    page.mouse.move(5, 5)  # the pointer away from the strip: what follows is the keyboard's
    focused = "() => [document.activeElement.dataset.source, document.activeElement.dataset.index ?? null]"
    page.keyboard.press("Home")
    assert page.evaluate(focused) == ["prompt", "0"]
    assert "prompt token 0" in page.locator(TIP).first.inner_text()
    page.keyboard.press("End")
    assert page.evaluate(focused) == ["next", None]
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(focused) == ["prompt", str(LENGTH - 1)]

    # the surprisal chart summarises the whole text in about one bar per pixel
    title = page.locator("#w .tvz-surprisal .tvz-chart-title").inner_text()
    per_bar = int(re.search(r"most surprising of (\d+) tokens", title).group(1))
    assert per_bar == -(-LENGTH // 1500)
    bars = page.locator("#w .tvz-surp-bars").first.get_attribute("d").count("M")
    assert 0 < bars <= 1500


def test_the_busy_line_at_the_top_shows_how_far_an_analysis_is(view, tokenizer):
    from tests.long_context import tiny_long_llama as model_of

    w = TokenViz(model_of(tokenizer, 4096), analyze_now=False, alternatives=10)
    reports = []
    w.observe(lambda change: change["new"] and reports.append(change["new"]), names="progress")
    w.analyze(text_of_tokens(tokenizer, 4000))
    halfway = reports[len(reports) // 2]
    assert 0 < halfway["done"] < halfway["total"]
    view.mount({**token_view_state(), "analysis_data": w.analysis_data, "status": "analyzing", "progress": halfway})
    page = view.page
    line = page.locator("#w .tvz-busy-line")
    assert line.is_visible()
    assert line.inner_text().strip() == f"Analyzing\u2026 {halfway['done']:,} of {halfway['total']:,} tokens scored"
    assert line.bounding_box()["y"] < page.locator("#w .tvz-strip").bounding_box()["y"]  # above the strip
    assert line.locator("progress").evaluate("e => [e.value, e.max]") == [halfway["done"], halfway["total"]]
    view.update("status", "idle")
    view.update("progress", {})
    assert line.is_hidden()
