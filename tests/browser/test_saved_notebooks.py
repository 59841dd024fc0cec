"""Saved notebooks without a kernel: nbconvert's HTML of the quickstart shows the token view, tooltips working."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_every_widget_output_carries_a_snapshot():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        # tokviz's views (their repr is "<TokenViz ...>" / "<XView view>"); progress bars are widgets too
        views = [o for c in notebook["cells"] for o in c.get("outputs", [])
                 if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
                 and "".join(o["data"].get("text/plain", "")).startswith("<")]
        assert views, path.name
        assert all("tokviz-snapshot" in "".join(o["data"]["text/html"]) for o in views), path.name
        # No stored widget state: nbconvert / nbviewer then show the offline snapshot, not a CDN widget.
        assert "widgets" not in notebook["metadata"], path.name


def test_nbconvert_html_shows_tokens_and_tooltips_offline(browser, tmp_path):
    out = tmp_path / "quickstart.html"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(NOTEBOOKS / "01_quickstart.ipynb"),
                    "--output", str(out)], check=True, capture_output=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(out.as_uri())
        token = page.locator(".tvz-token[data-source=prompt]").nth(5)
        token.wait_for(timeout=15_000)
        assert page.locator(".tvz-token[data-source=prompt]").count() > 5
        token.scroll_into_view_if_needed()
        token.hover()
        tip = page.locator(".tvz-tooltip:not([hidden])").first
        tip.wait_for(state="visible")
        assert tip.locator(".tvz-cand").count() == 10
        assert errors == []
    finally:
        page.close()
