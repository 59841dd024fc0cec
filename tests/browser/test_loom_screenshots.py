"""The loom in a real JupyterLab (light and dark) on the default model: hover a node, click one and the kernel
grows it, continue the pinned path as a generation. Screenshots go to the test's tmp_path, or to
TOKVIZ_SCREENSHOTS (docs/screenshots when refreshing them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from host_servers import JupyterLab, open_lab_notebook, run_cell, switch_lab_to_dark, write_notebook
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

CELLS = [
    "import tokviz\nlm = tokviz.load_model()",
    "loom = tokviz.loom(lm, 'The capital of France is', depth=3, max_children=4, max_nodes=30)\n"
    "loom.mark_greedy(); loom.mark_beams(2); loom.add_samples(4, temperature=0.8, seed=0)\n"
    "w = tokviz.LoomView(loom)\nw",
]
SHOTS = os.environ.get("TOKVIZ_SCREENSHOTS")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-loom")
    write_notebook(root / "loom.ipynb", CELLS)
    server = JupyterLab(root)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_loom_grows_and_continues_in_jupyterlab(lab, browser, theme, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_lab_notebook(page, lab.url("loom.ipynb"))
        if theme == "dark":
            switch_lab_to_dark(page)
        news = page.get_by_role("button", name="No")
        if news.count() and news.first.is_visible():
            news.first.click()
        for n in range(len(CELLS)):
            run_cell(page, n)
        root = page.locator(".jp-Notebook .jp-Cell >> nth=1").locator(".tvz-root").first
        root.scroll_into_view_if_needed()
        nodes = root.locator(".tvz-loom-node")
        nodes.first.wait_for()
        before = nodes.count()
        leaf = root.locator(".tvz-loom-node:not(.tvz-loom-grown)").nth(0)
        leaf_id = leaf.get_attribute("data-node")
        leaf.click()  # the kernel grows it and the view redraws with its children
        page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                               arg=[".jp-Notebook .tvz-loom-node", before], timeout=120_000)
        assert root.locator(f".tvz-loom-node[data-node='{leaf_id}']").evaluate(
            "e => e.classList.contains('tvz-loom-grown')")
        root.locator(".tvz-loom-continue").click()
        root.locator(".tvz-loom-continued").wait_for(timeout=120_000)
        assert root.locator(".tvz-loom-status").inner_text() == ""
        assert page.locator(".tvz-tooltip.tvz-pinned").count() == 0  # the redraw closed the stale pin
        root.locator(".tvz-loom-node[data-node='1']").hover()
        tip = page.locator(".tvz-tooltip:not([hidden])").first
        tip.wait_for(state="visible")
        assert "path p" in tip.inner_text() and "Alternatives" in tip.inner_text()
        out = Path(SHOTS) if SHOTS else tmp_path
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"loom-{theme}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
    finally:
        page.close()
