"""The views a class sees, in a real JupyterLab (light and dark, 1400 and 700 px wide), on the default model:
the quickstart's TokenViz after Generate with a token pinned, the logit lens, and a sampled run seen
"after temperature/top-k/top-p". Screenshots go to the
test's tmp_path, or to TOKVIZ_SCREENSHOTS (docs/screenshots when refreshing them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import tokenviz_checks as checks
from host_servers import JupyterLab, open_lab_notebook, run_cell, switch_lab_to_dark, write_notebook
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT = "The capital of France is Paris. The capital of Germany is"
CELLS = [
    "import tokviz\nlm = tokviz.load_model()",
    f"w = tokviz.TokenViz(lm, prompt={PROMPT!r}, max_new_tokens=12)\nw.generate()\nw",
    f"tokviz.LogitLensView(tokviz.logit_lens(lm, {PROMPT!r}))",
    f"s = tokviz.TokenViz(lm, prompt={PROMPT!r}, max_new_tokens=12, do_sample=True, temperature=1.2, top_k=40, "
    "top_p=0.9, prob_mode='sampled')\ns.generate()\ns",
]
SHOTS = os.environ.get("TOKVIZ_SCREENSHOTS")
# Deuteranopia simulated with Machado, Oliveira & Fernandes' (2009) matrix at full severity, as a page filter.
DEUTERANOPIA = """() => {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("style", "position:absolute;width:0;height:0");
  svg.innerHTML = '<filter id="tvz-deuteranopia"><feColorMatrix type="matrix" values="' +
    '0.367322 0.860646 -0.227968 0 0 0.280085 0.672501 0.047413 0 0 -0.011820 0.042940 0.968881 0 0 0 0 0 1 0"/></filter>';
  document.body.append(svg);
  document.documentElement.style.filter = "url(#tvz-deuteranopia)";
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-class")
    write_notebook(root / "class.ipynb", CELLS)
    server = JupyterLab(root)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["light", "dark"])
def notebook(request, lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_lab_notebook(page, lab.url("class.ipynb"))
    if request.param == "dark":
        switch_lab_to_dark(page)
    news = page.get_by_role("button", name="No")  # JupyterLab's "get news?" toast
    if news.count() and news.first.is_visible():
        news.first.click()
    for n in range(len(CELLS)):
        run_cell(page, n)
    page.theme = request.param
    yield page
    page.close()


def widget(page, n):
    return page.locator(f".jp-Notebook .jp-Cell >> nth={n}").locator(".tvz-root").first


def shot(page, name: str, tmp_path: Path) -> Path:
    out = Path(SHOTS) if SHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{page.theme}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


@pytest.mark.parametrize("width", [1400, 700])
def test_the_quickstart_view_with_a_pinned_token(notebook, width, tmp_path):
    notebook.set_viewport_size({"width": width, "height": 1000})
    root = widget(notebook, 1)
    root.scroll_into_view_if_needed()
    token = checks.generated_tokens(root).nth(0)
    before = token.bounding_box()
    token.click()
    tip = notebook.locator(".tvz-tooltip.tvz-pinned").first
    tip.wait_for(state="visible")
    after, box = token.bounding_box(), tip.bounding_box()
    assert abs(after["y"] - before["y"]) < 1  # pinning does not move the strip
    covers = (box["x"] < after["x"] + after["width"] and after["x"] < box["x"] + box["width"]
              and box["y"] < after["y"] + after["height"] and after["y"] < box["y"] + box["height"])
    assert not covers  # the tooltip leaves its token visible
    shot(notebook, "tokenviz" if width == 1400 else "tokenviz-700", tmp_path)
    if width == 1400 and notebook.theme == "light":
        notebook.evaluate(DEUTERANOPIA)
        shot(notebook, "tokenviz-deuteranopia", tmp_path).rename(Path(SHOTS or tmp_path) / "tokenviz-light-deuteranopia.png")
        notebook.evaluate("() => { document.documentElement.style.filter = ''; }")
    token.click()  # unpin


def test_the_logit_lens(notebook, tmp_path):
    notebook.set_viewport_size({"width": 1400, "height": 1000})
    root = widget(notebook, 2)
    root.scroll_into_view_if_needed()
    cell = root.locator(".tvz-lens-cell").nth(40)
    cell.hover()
    notebook.locator(".tvz-tooltip:not([hidden])").first.wait_for(state="visible")
    shot(notebook, "lens", tmp_path)


def test_a_sampled_run_after_temperature_top_k_top_p(notebook, tmp_path):
    notebook.set_viewport_size({"width": 1400, "height": 1000})
    root = widget(notebook, 3)
    root.scroll_into_view_if_needed()
    note = root.locator(".tvz-sampling-effect")
    assert note.is_visible() and "temperature 1.2 \u00b7 top-k 40 \u00b7 top-p 0.9" in note.inner_text()
    token = checks.generated_tokens(root).nth(1)
    token.click()
    tip = notebook.locator(".tvz-tooltip.tvz-pinned").first
    tip.wait_for(state="visible")
    assert "after temperature/top-k/top-p" in tip.inner_text() and tip.locator(".tvz-cand-raw").count() > 0
    shot(notebook, "tokenviz-sampled", tmp_path)
    token.click()
