"""TokenViz in a real Jupyter Notebook 7 (`jupyter notebook`), in headless Chromium, on the default model:
Run All Cells, then hover, Generate, Stop, and a clicked token read back in Python."""

from __future__ import annotations

import re

import pytest
import tokenviz_checks as checks
from host_servers import PROMPT_MATCHES, Notebook7, run_cell, write_notebook
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT = "The capital of France is Paris. The capital of Germany is"
LONG_PROMPT = "1, 2, 3, 4, 5, 6, 7, 8,"  # counts on for all 300 tokens (about a minute here) unless stopped
CELLS = [
    "import tokviz\nlm = tokviz.load_model()",
    f"w = tokviz.TokenViz(lm, prompt={PROMPT!r}, max_new_tokens=24)\nw",
    f"long = tokviz.TokenViz(lm, prompt={LONG_PROMPT!r}, max_new_tokens=300)\nlong",
    "t = w.selected_token\nprint('selected', w.selected, None if t is None else repr(t.text))",
]
SELECTION_CELL = len(CELLS) - 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("notebook7")
    write_notebook(root / "viz.ipynb", CELLS)
    server = Notebook7(root)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(server.url("viz.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").nth(SELECTION_CELL).wait_for(timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    for _attempt in range(3):  # a run asked for while the kernel connection settles can be dropped: ask again
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(PROMPT_MATCHES, arg=[0, r"\[(\*|\d+)\]"], timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    for n in range(len(CELLS)):
        page.wait_for_function(PROMPT_MATCHES, arg=[n, r"\[\d+\]"], timeout=240_000)
    yield page
    page.close()


def widget(page, n):
    return page.locator(".jp-Notebook .jp-Cell").nth(n).locator(".tvz-root").first


def cell_output(page, n) -> str:
    return page.locator(".jp-Notebook .jp-Cell").nth(n).locator(".jp-OutputArea-output").first.inner_text()


def test_runs_all_cells_and_renders_the_prompt(page, default_lm):
    root = widget(page, 1)
    root.wait_for(timeout=60_000)
    ids = default_lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    assert checks.prompt_tokens(root).count() == len(ids)
    assert cell_output(page, SELECTION_CELL).strip() == "selected {} None"  # nothing clicked yet


def test_hover_shows_the_tooltip(page):
    shown = checks.hover_shows_tooltip(page, widget(page, 1), 5)  # " Paris"
    assert len(shown) == 10 and all(re.fullmatch(r"[\d.]+%", p) for p in shown), shown


def test_generate_streams_tokens(page):
    checks.generate_streams(widget(page, 1), most=24)


def test_stop_ends_a_long_run_early(page):
    count = checks.stop_during_run(widget(page, 2))
    assert 3 <= count < 300


def test_clicked_token_reaches_python(page):
    root = widget(page, 1)
    checks.prompt_tokens(root).nth(5).click()
    run_cell(page, SELECTION_CELL)
    assert cell_output(page, SELECTION_CELL).strip() == "selected {'source': 'prompt', 'index': 5} ' Paris'"
