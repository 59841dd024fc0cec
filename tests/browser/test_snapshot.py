"""Static snapshots (tokviz.widgets.snapshot): the view works from a saved file, with no kernel and no server."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fixtures import HTML_BREAKOUT, HTML_IMG, HTML_SCRIPT, expected_token_content
from view_harness import CHROMIUM, REPO

from tests.strips import strip_pieces, strip_tokens

try:
    from tokviz.widgets.snapshot import snapshot_html
except ImportError:  # tokviz's own imports unavailable: load the module by path (it needs none of them)
    _spec = importlib.util.spec_from_file_location("tokviz_snapshot", REPO / "tokviz" / "snapshot.py")
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    snapshot_html = _mod.snapshot_html

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium")


@pytest.fixture
def state(payloads):
    """A TokenViz after analysis and generation, as the widget would snapshot it."""
    return payloads.tokens_state(generation_data=payloads.generation())


# --- the HTML itself (no browser) -------------------------------------------------------------------


def test_fragment_and_full_page_shapes(state):
    assert HTML_BREAKOUT in state["prompt"] and HTML_SCRIPT in state["prompt"]
    frag = snapshot_html("tokens", state, full_page=False)
    page = snapshot_html("tokens", state, full_page=True)
    assert not frag.lstrip().lower().startswith("<!doctype")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert frag.count("<script") == 1 and frag.count("</script>") == 1
    assert page.count("<script") == 1 and page.count("</script>") == 1
    # token text cannot close the script element, nor open a comment that hides its end
    assert HTML_BREAKOUT not in frag and HTML_SCRIPT not in frag
    assert "<!--" not in frag
    # each snapshot gets its own id, so several can share a notebook page
    assert snapshot_html("tokens", state, full_page=False) != frag


def test_state_is_forced_read_only(payloads):
    frag = snapshot_html("lens", payloads.lens | {"interactive": True}, full_page=False)
    assert '"interactive":false' in frag and '"_kind":"lens"' in frag


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown view kind"):
        snapshot_html("pie", {}, full_page=True)


def test_fallback_text_is_escaped_plain_text(state):
    frag = snapshot_html("tokens", state, full_page=False)
    assert HTML_IMG in state["prompt"] and "&lt;img src=x onerror=alert(1)&gt;" in frag  # the decoded text, escaped, for script-less viewers


# --- in Chromium from file:// -----------------------------------------------------------------------


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    dialogs, errors = [], []

    def on_dialog(d):
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, dialogs, errors


@pytest.mark.browser
@needs_chromium
def test_full_page_from_file_has_working_tooltips_and_runs_no_injected_script(browser, tmp_path, state):
    path = tmp_path / "snapshot.html"
    path.write_text(snapshot_html("tokens", state, full_page=True), encoding="utf-8")
    analysis, generation = state["analysis_data"], state["generation_data"]
    page, dialogs, errors = _open(browser, path)
    try:
        tokens = page.locator(".tvz-token[data-source=prompt]")
        tokens.first.wait_for()
        assert tokens.count() == len(strip_tokens(analysis))
        assert page.locator(".tvz-token[data-source=generated]").count() == len(strip_tokens(generation))
        # every token drawn as in the live view: HTML-looking text as text, bytes as badges, tags
        assert tokens.all_text_contents() == [expected_token_content(t, strip_pieces(analysis)) for t in strip_tokens(analysis)]
        assert HTML_BREAKOUT in "".join(tokens.all_text_contents())
        assert page.locator("textarea, button[data-action]").count() == 0  # read-only
        assert page.locator(".tokviz-fallback").count() == 0  # replaced by the view
        tokens.nth(3).hover()
        tip = page.locator(".tvz-tooltip").first
        tip.wait_for(state="visible")
        assert tip.locator(".tvz-cand").count() == 5
        # switches still work locally
        page.locator(".tvz-switch button[data-value=rank]").click()
        assert "Rank" in page.locator(".tvz-legend").inner_text()
        page.wait_for_timeout(50)
        assert dialogs == [] and errors == []
        assert page.locator(".tokviz-snapshot img, .tokviz-snapshot script").count() == 0
        assert page.locator("script").count() == 1
    finally:
        page.close()


@pytest.mark.browser
@needs_chromium
def test_several_fragments_of_every_kind_on_one_page(browser, tmp_path, state, payloads):
    parts = [
        snapshot_html("tokens", state, full_page=False),
        snapshot_html("lens", payloads.lens, full_page=False),
        snapshot_html("beams", payloads.beams, full_page=False),
        snapshot_html("icl", payloads.icl, full_page=False),
        snapshot_html("labels", payloads.labels, full_page=False),
    ]
    n_positions = payloads.lens["data"]["positions"]
    path = tmp_path / "fragments.html"
    path.write_text("<!doctype html><meta charset=utf-8><body>" + "".join(parts), encoding="utf-8")
    page, dialogs, errors = _open(browser, path)
    try:
        page.locator(".tvz-label-row").first.wait_for()
        assert page.locator(".tokviz-snapshot").count() == 5
        assert page.locator(".tvz-root:not(.tvz-tip-host)").count() == 5
        assert page.locator(".tvz-lens-cell").count() == 31 * n_positions
        assert page.locator(".tvz-node[data-step]").count() == 48
        assert page.locator(".tvz-point").count() == len(payloads.icl["data"]["shots"])
        page.locator(".tvz-lens-cell[data-layer='3'][data-pos='5']").hover()
        lens_tip = page.locator(".tvz-kind-lens .tvz-tooltip")
        lens_tip.wait_for(state="visible")
        assert lens_tip.locator(".tvz-cand").count() == 5
        page.wait_for_timeout(50)
        assert dialogs == [] and errors == []
        assert page.locator(".tokviz-snapshot img, .tokviz-snapshot script").count() == 0
    finally:
        page.close()
