"""TokenViz on a served model, in a real JupyterLab in headless Chromium: the notebook connects to the
real llama-cpp-python server (tests/served_server.py) that serves the default model's GGUF file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import tokenviz_checks as checks
from host_servers import JupyterLab, open_lab_notebook, run_cell, switch_lab_to_dark, write_notebook
from view_harness import CHROMIUM

import tokviz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT = "The capital of France is Paris. The capital of Germany is"
LONG_PROMPT = "Once upon a time, in a small village by the sea,"
# Where to keep the screenshots (docs/screenshots when refreshing them); default: the test's tmp_path.
SHOTS = os.environ.get("TOKVIZ_SCREENSHOTS")


def cells(url: str) -> list[str]:
    return [
        f"import tokviz\nlm = tokviz.connect({url!r}, timeout=120)",
        f"w = tokviz.TokenViz(lm, prompt={PROMPT!r}, max_new_tokens=12, alternatives=10)\nw",
        f"long = tokviz.TokenViz(lm, prompt={LONG_PROMPT!r}, max_new_tokens=400)\nlong",
        "print('generated', len(w.generation.tokens), w.generation.stopped_by, w.generation.params['served'])",
    ]


@pytest.fixture(scope="module")
def notebook(server_url, browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-served")
    source = cells(server_url)
    write_notebook(root / "served.ipynb", source)
    lab = JupyterLab(root)
    lab.start()
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        open_lab_notebook(page, lab.url("served.ipynb"))
        for n in range(len(source) - 1):
            run_cell(page, n)
        page.cells = source
        yield page
    finally:
        page.close()
        lab.stop()


def widget(page, n):
    return page.locator(f".jp-Notebook .jp-Cell >> nth={n - 1}").locator(".tvz-root").first


def test_hover_shows_the_served_probabilities(notebook, served):
    root = widget(notebook, 2)
    root.wait_for(timeout=60_000)
    expected = tokviz.analyze(served, PROMPT, alternatives=10)  # the same server, asked from the test
    tokens = checks.prompt_tokens(root)
    # the view draws a leading space as a middle dot
    assert [t.replace("\u00b7", " ") for t in tokens.all_text_contents()] == [t.text for t in expected.tokens]
    shown = [float(x.rstrip("%")) / 100 for x in checks.hover_shows_tooltip(notebook, root, 5)]  # " Paris"
    assert shown == pytest.approx([c.prob for c in expected.tokens[5].top], abs=6e-4)
    tip = notebook.locator(".tvz-tooltip:not([hidden])").first
    assert "not reported by the server" in tip.inner_text()  # entropy: the server gives only the top-k
    # The reasons are under the strip, in Python's words.
    missing = root.locator(".tvz-unavailable")
    assert missing.is_visible() and "entropy" in missing.locator("summary").inner_text()
    missing.locator("summary").click()
    assert expected.unavailable["entropy"] in missing.inner_text()


def test_what_the_server_cannot_do_is_switched_off(notebook):
    root = widget(notebook, 2)
    beams = root.locator("input[name=num_beams]")
    assert beams.is_disabled()
    assert "beam search is not part of the OpenAI completions API" in beams.locator("xpath=..").get_attribute("title")
    checks.prompt_tokens(root).nth(3).click()  # pinned: a local model's candidates would start a branch
    tip = notebook.locator(".tvz-tooltip.tvz-pinned").first
    tip.wait_for(state="visible")
    assert "To branch" not in tip.inner_text() and tip.locator(".tvz-branchable").count() == 0
    checks.prompt_tokens(root).nth(3).click()  # unpin


def test_generate_streams_tokens_from_the_server(notebook):
    root = widget(notebook, 2)
    count = checks.generate_streams(root, most=12)
    assert count == 12
    status = root.locator(".tvz-status").inner_text()
    assert "stopped by: length" in status and "SmolLM2-135M-Instruct.Q4_1.gguf (served at http://127.0.0.1:" in status


def test_stop_ends_a_served_run_early(notebook):
    kept = checks.stop_during_run(widget(notebook, 3))
    assert 3 <= kept < 400


def test_python_sees_the_served_result(notebook, server_url):
    run_cell(notebook, len(notebook.cells) - 1)
    out = notebook.locator(f".jp-Cell >> nth={len(notebook.cells) - 1}").locator(".jp-OutputArea-output")
    out.wait_for(timeout=30_000)
    assert re.search(rf"generated 12 length {re.escape(server_url)}", out.inner_text())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot(notebook, theme, tmp_path):
    """The served widget after Generate, with a generated token's tooltip pinned and the reasons open."""
    if theme == "dark":
        switch_lab_to_dark(notebook)
    news = notebook.get_by_role("button", name="No")  # JupyterLab's "get news?" toast
    if news.count() and news.first.is_visible():
        news.first.click()
        notebook.wait_for_timeout(800)  # its slide-out
    root = widget(notebook, 2)
    root.scroll_into_view_if_needed()
    details = root.locator(".tvz-unavailable")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    checks.generated_tokens(root).nth(1).click()
    notebook.locator(".tvz-tooltip.tvz-pinned").first.wait_for(state="visible")
    out = Path(SHOTS) if SHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    notebook.screenshot(path=str(out / f"served-{theme}.png"))  # the real JupyterLab around it
    checks.generated_tokens(root).nth(1).click()
    assert (out / f"served-{theme}.png").stat().st_size > 10_000
