"""Teaching view, part C: a token's log-probability and surprisal, the sampler's probability beside the
model's, and a key to the strip's marks. Every number checked here comes from a real result."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from fixtures import sampled_run, shown_percent
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TIP = ".tvz-tip-host .tvz-tooltip"
PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"
GEN_TOKENS = "#w .tvz-token[data-source=generated]"
FORMAT_JS = Path(__file__).parents[2] / "js" / "src" / "format.js"


def hover_stats(page, locator) -> dict[str, str]:
    """Hover a token and read its tooltip's stat table as {name: shown value}."""
    locator.hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    return dict(zip(tip.locator("dt").all_text_contents(), tip.locator("dd").all_text_contents()))


# --- 1. log-probability and surprisal ---------------------------------------------------------------

def test_tooltip_shows_log_probability_and_surprisal_of_the_result(view, payloads):
    state = payloads.tokens_state()
    tokens = payloads.widget.analysis.tokens
    view.mount(state)
    page = view.page
    predicted = [i for i, t in enumerate(tokens) if t.logprob is not None]
    assert len(predicted) >= 3
    for i in predicted[:2] + predicted[-1:]:
        token = tokens[i]
        stats = hover_stats(page, page.locator(PROMPT_TOKENS).nth(i))
        log_p, surprisal = stats["log p \u00b7 surprisal"].split(" \u00b7 ")
        assert log_p == f"{token.logprob:.3f} nats"
        assert surprisal == f"{-token.logprob / math.log(2):.2f} bits"
        page.mouse.move(0, 0)


def test_first_token_has_no_log_probability(view, payloads):
    tokens = payloads.widget.analysis.tokens
    assert tokens[0].logprob is None
    view.mount(payloads.tokens_state())
    stats = hover_stats(view.page, view.page.locator(PROMPT_TOKENS).first)
    assert not any("log p" in name or "surprisal" in name for name in stats)


# --- 2. the sampler's probability beside the model's -------------------------------------------------

@pytest.fixture(scope="module")
def sampled(tiny_lm):
    return sampled_run(tiny_lm, temperature=0.7, seed=3)


def test_sampled_tooltip_shows_both_probabilities_labelled(view, payloads, sampled):
    result, generation = sampled
    assert generation["sampled"] is True
    view.mount(payloads.tokens_state(generation_data=generation))
    page = view.page
    for i, token in enumerate(result.tokens):
        stats = hover_stats(page, page.locator(GEN_TOKENS).nth(i))
        raw = next(v for k, v in stats.items() if k.startswith("model's"))
        after = stats["sampled p"]  # its meaning (after temperature / top-k / top-p) is the note under it
        assert raw == shown_percent(token.prob)
        assert after == shown_percent(token.sampled_prob)
        page.mouse.move(0, 0)
    assert any(t.prob != t.sampled_prob for t in result.tokens)  # temperature 0.7 changes the distribution


def test_probability_switch_speaks_plainly_and_keeps_trait_values(view, payloads, sampled):
    view.mount(payloads.tokens_state(generation_data=sampled[1]))
    page = view.page
    raw = page.locator("#w .tvz-switch button[data-value=raw]")
    after = page.locator("#w .tvz-switch button[data-value=sampled]")
    assert raw.inner_text() == "model's probability"
    assert "temperature" in after.inner_text() and "top-k" in after.inner_text() and "top-p" in after.inner_text()
    after.click()
    assert view.get("prob_mode") == "sampled"
    raw.click()
    assert view.get("prob_mode") == "raw"


# --- 3. a key to the strip's marks -------------------------------------------------------------------

def strip_marks() -> dict[str, str]:
    """The MARK characters as format.js, the strip's rendering code, defines them."""
    source = FORMAT_JS.read_text(encoding="utf-8")
    body = re.search(r"export const MARK = Object\.freeze\(\{(.*?)\}\)", source).group(1)
    return {name: chr(int(code, 16)) for name, code in re.findall(r'(\w+): "\\u([0-9a-f]{4})"', body)}


def test_key_explains_the_marks_the_strip_draws(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.generation()))
    page = view.page
    entries = page.locator("#w .tvz-key .tvz-key-entry")
    key = {e.locator(".tvz-key-mark").inner_text(): e.locator(".tvz-key-meaning").inner_text()
           for e in entries.all()}
    marks = strip_marks()
    assert key[marks["space"]] == "a space"
    assert key[marks["newline"]] == "a newline"
    assert key[marks["tab"]] == "a tab"
    # the strip draws the same characters: the prompt holds a newline, a tab and edge spaces
    strip_text = page.locator("#w .tvz-prompt-tokens").inner_text()
    assert all(marks[name] in strip_text for name in ("space", "newline", "tab"))
    badge = page.locator("#w .tvz-key .tvz-byte")
    assert badge.count() == 1 and "part of a character" in key[badge.inner_text()]
    generated = page.locator("#w .tvz-key .tvz-key-gen")
    assert "generated token" in key[generated.inner_text()]
    # the key's generated sample looks like a generated token in the strip
    style = "e => [getComputedStyle(e).fontStyle, getComputedStyle(e).borderBottomStyle]"
    assert generated.evaluate(style) == page.locator(GEN_TOKENS).first.evaluate(style)
    assert view.errors == []
