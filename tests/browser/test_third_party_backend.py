"""TokenViz on a backend written outside tokviz (tests/recording_backend.py), in the view harness: the view
draws what that backend's numbers give, and switches off beams with the reason the backend states."""

from __future__ import annotations

import pytest
from fixtures import shown_percent
from view_harness import CHROMIUM

import tokviz
from tests.recording_backend import NO_BEAMS, RecordingBackend
from tests.strips import strip_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT = "The capital of France is Paris, and the capital of Italy is"
TIP = ".tvz-tip-host .tvz-tooltip"


def test_tokenviz_on_a_third_party_backend_hovers_and_generates(view, tiny_lm):
    backend = RecordingBackend(tiny_lm)
    w = tokviz.TokenViz(backend, prompt=PROMPT, alternatives=5, max_new_tokens=3)
    w.generate()
    assert backend.calls == ["score_text", "score", "generate"]
    state = w.snapshot_state() | {"interactive": True}
    view.mount(state)
    page = view.page
    token = w.analysis.tokens[4]
    page.locator("#w .tvz-token[data-source=prompt]").nth(4).hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    assert shown_percent(strip_tokens(state["analysis_data"])[4]["p"]) in tip.inner_text()
    assert strip_tokens(state["analysis_data"])[4]["p"] == pytest.approx(token.prob, rel=1e-3)
    assert page.locator("#w .tvz-token[data-source=generated]").count() == 3
    beams = page.locator("#w input[name=num_beams]")
    assert beams.is_disabled() and NO_BEAMS in beams.locator("xpath=..").get_attribute("title")
    assert backend.label in page.locator("#w").inner_text()
    assert view.errors == []
