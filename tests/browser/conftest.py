"""Browser fixtures: one Chromium per session, one harness server, a fresh page per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # view_harness, fixtures

from fixtures import Payloads
from view_harness import CHROMIUM, LAUNCH_ARGS, View, serve

SKIP_REASON = f"{CHROMIUM} not found: browser tests need Debian's chromium (apt-get install chromium)"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def payloads(tiny_lm) -> Payloads:
    """View states from real results on tiny random models (tests/browser/fixtures.py)."""
    return Payloads(tiny_lm)


@pytest.fixture(scope="session")
def harness_url():
    with serve() as url:
        yield url


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        yield pg
    finally:
        pg.close()


@pytest.fixture
def view(page, harness_url) -> View:
    return View(page, harness_url)
