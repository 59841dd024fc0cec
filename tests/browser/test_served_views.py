"""Views of results from a served model (the real llama-cpp-python server), in the view harness: numbers the
server does not give are said to be missing, never drawn as zeros or dashes without a reason."""

from __future__ import annotations

import pytest
from view_harness import CHROMIUM

import tokviz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

EXAMPLES = [("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid")]


def test_an_icl_point_the_server_cannot_give_is_hollow_and_explained(view, served, tmp_path):
    curve = tokviz.icl_curve(served, EXAMPLES, "Japan", "Tokyo", orders=2, alternatives=3)
    assert curve.answer_probs[0] is None and all(p is not None for p in curve.answer_probs[1:])
    view.mount(tokviz.ICLView(curve).snapshot_state() | {"interactive": True})
    page = view.page
    points = page.locator("#w .tvz-point")
    assert points.count() == len(curve.shots)
    assert page.locator("#w .tvz-point-unknown").count() == 1
    assert points.nth(0).get_attribute("aria-label") == "0 shots: not reported by the server"
    paths = page.locator("#w path.tvz-line").evaluate_all("ps => ps.map((p) => p.getAttribute('d'))")
    assert all("NaN" not in d and d.startswith("M") for d in paths)  # the line starts after the gap
    assert page.locator("#w path.tvz-band").count() == 0  # no band through a point that has none
    note = " ".join(page.locator("#w .tvz-unavailable-note").all_inner_texts())
    assert curve.unavailable["answer_probs"] in note
    points.nth(0).hover()
    assert "not reported by the server" in page.locator("#w .tvz-icl-caption").inner_text()
    page.screenshot(path=str(tmp_path / "served-icl.png"))
    assert view.errors == []


def test_the_strip_says_what_is_missing_and_why(view, served):
    w = tokviz.TokenViz(served, prompt="The capital of France is Paris. The capital of Germany is", alternatives=5)
    view.mount(w.snapshot_state())
    page = view.page
    token = page.locator("#w .tvz-token[data-source=prompt]").nth(1)  # " capital": outside the top 20
    token.hover()
    tip = page.locator(".tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "not reported by the server" in text and "outside the server's top-k" in text
    assert "First token" not in text  # it has a prediction, only not its own number
    summary = page.locator("#w .tvz-unavailable summary").inner_text()
    assert summary.startswith("Not available:") and "entropy" in summary
    assert view.errors == []
