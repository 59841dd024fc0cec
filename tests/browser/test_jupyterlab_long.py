"""A long analysis through a real JupyterLab's comm: the trait's binary chunks and the chunks the view asks
for arrive as buffers, the strip is virtualised, and a token near the end hovers with the kernel's number.
Screenshots, light and dark, go to $TOKVIZ_SCREENSHOTS when it is set (to look at them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from host_servers import JupyterLab, open_lab_notebook, run_cell, switch_lab_to_dark, write_notebook
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

REPO = Path(__file__).resolve().parents[2]
LENGTH, HOVERED = 12_000, 11_990
CELLS = [
    f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
    "import tokviz, tokviz.widgets.held_chunks as held\n"
    "from transformers import AutoTokenizer\n"
    "from tokviz.backends.local.loading import default_model_dir\n"
    "from tests.long_context import text_of_tokens, tiny_long_llama\n"
    "tokenizer = AutoTokenizer.from_pretrained(default_model_dir())\n"
    "lm = tiny_long_llama(tokenizer, 16384)\n"
    "held.INLINE_BYTES = 250_000  # the trait carries one chunk: the view must ask for the other",
    f"w = tokviz.TokenViz(lm, prompt=text_of_tokens(tokenizer, {LENGTH}), alternatives=10)\nw",
    f"print('p', repr(w.analysis.tokens[{HOVERED}].prob), 'key' in w.analysis_data)",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("lab-long")
    write_notebook(root / "long.ipynb", CELLS)
    server = JupyterLab(root)
    server.start()
    pg = browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        open_lab_notebook(pg, server.url("long.ipynb"))
        for n in range(len(CELLS)):
            run_cell(pg, n)
        yield pg
    finally:
        pg.close()
        server.stop()


def test_a_long_strip_arrives_through_the_comm_and_hovers_at_its_end(page):
    printed = page.locator(".jp-Cell").nth(2).locator(".jp-OutputArea-output").inner_text()
    prob, split = re.search(r"p (\S+) (True|False)", printed).groups()
    assert split == "True"  # the strip was too long for its trait: the rest came by message
    root = page.locator(".jp-Cell").nth(1).locator(".tvz-root").first
    status = root.locator(".tvz-status")
    status.wait_for(timeout=60_000)
    page.wait_for_function("s => document.querySelector(s)?.textContent.includes('12000 prompt tokens')",
                           arg=".jp-Cell:nth-child(2) .tvz-status", timeout=60_000)
    strip = root.locator(".tvz-strip")
    assert "tvz-virtual" in strip.get_attribute("class")
    assert root.locator(".tvz-token").count() < 3000
    strip.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    token = root.locator(f".tvz-token[data-source=prompt][data-index='{HOVERED}']")
    token.wait_for()
    token.hover()
    tip = page.locator(".tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert f"prompt token {HOVERED}" in text
    shown = float(re.search(r"\bp\s+([\d.]+)%", text).group(1)) / 100
    assert shown == pytest.approx(float(prob), rel=2e-3)  # 3 significant digits on screen
    folder = os.environ.get("TOKVIZ_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "long-strip-light.png"))
        switch_lab_to_dark(page)
        page.wait_for_timeout(500)
        token.hover()
        page.screenshot(path=str(Path(folder) / "long-strip-dark.png"))
