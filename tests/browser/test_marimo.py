"""TokenViz in a real marimo app (`marimo run`), in headless Chromium, on the default model: the widget
wrapped as marimo wants it (`mo.ui.anywidget`), then hover, Generate, Stop, and a clicked token read back
in Python by a cell that marimo re-runs when the widget's value changes."""

from __future__ import annotations

import re

import pytest
import tokenviz_checks as checks
from host_servers import Marimo
from playwright.sync_api import expect
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT = "The capital of France is Paris. The capital of Germany is"
LONG_PROMPT = "1, 2, 3, 4, 5, 6, 7, 8,"  # counts on for all 300 tokens (about a minute here) unless stopped
# A marimo app file. The last cell reads `viz`, so marimo re-runs it whenever the view changes the
# widget's traits (here: `selected`, set by clicking a token).
APP = f'''import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    import tokviz

    lm = tokviz.load_model()
    return lm, mo, tokviz


@app.cell
def _(lm, mo, tokviz):
    viz = mo.ui.anywidget(tokviz.TokenViz(lm, prompt={PROMPT!r}, max_new_tokens=24))
    viz
    return (viz,)


@app.cell
def _(lm, mo, tokviz):
    long = mo.ui.anywidget(tokviz.TokenViz(lm, prompt={LONG_PROMPT!r}, max_new_tokens=300))
    long
    return (long,)


@app.cell
def _(mo, viz):
    _t = viz.widget.selected_token
    mo.plain_text(f"Python sees {{viz.widget.selected}} {{None if _t is None else repr(_t.text)}}")
    return


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("marimo")
    (root / "app.py").write_text(APP)
    server = Marimo(root, "app.py")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(server.url())
    selection(page).wait_for(timeout=120_000)  # the last cell has run
    yield page
    page.close()


def widget(page, n):
    return page.locator("marimo-anywidget").nth(n).locator(".tvz-root:not(.tvz-tip-host)").first


def selection(page):
    return page.get_by_text(re.compile(r"^Python sees "))


def test_app_runs_and_renders_the_prompt(page, default_lm):
    root = widget(page, 0)
    root.wait_for(timeout=60_000)
    ids = default_lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    assert checks.prompt_tokens(root).count() == len(ids)
    assert selection(page).inner_text().strip() == "Python sees {} None"  # nothing clicked yet


def test_hover_shows_the_tooltip(page):
    shown = checks.hover_shows_tooltip(page, widget(page, 0), 5)  # " Paris"
    assert len(shown) == 10 and all(re.fullmatch(r"[\d.]+%", p) for p in shown), shown


def test_generate_streams_tokens(page):
    checks.generate_streams(widget(page, 0), most=24)


def test_stop_ends_a_long_run_early(page):
    count = checks.stop_during_run(widget(page, 1))
    assert 3 <= count < 300


def test_clicked_token_reaches_python(page):
    checks.prompt_tokens(widget(page, 0)).nth(5).click()
    expect(selection(page)).to_have_text("Python sees {'source': 'prompt', 'index': 5} ' Paris'", timeout=30_000)
