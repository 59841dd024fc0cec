"""The README's main job, as a new user runs it: scripts/quickstart.sh opens the quickstart notebook in
JupyterLab; Run All Cells runs it top to bottom and the widget renders, in Chromium."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from host_servers import free_port, open_lab_notebook
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quickstart_server(tmp_path_factory):
    settings = tmp_path_factory.mktemp("lab-settings")
    # Never autosave: the test must not write outputs into the repository's notebook.
    plugin = settings / "@jupyterlab" / "docmanager-extension"
    plugin.mkdir(parents=True)
    (plugin / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, TOKVIZ_SKIP_SETUP="1", JUPYTERLAB_SETTINGS_DIR=str(settings))
    log = open(settings / "lab.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        ["bash", "scripts/quickstart.sh", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert process.poll() is None, (settings / "lab.log").read_text()[-2000:]
                time.sleep(0.5)
        # jupyter lab serves from the notebook's folder when given a file
        yield f"{base}/lab/tree/01_quickstart.ipynb?token={token}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
        log.close()


def test_quickstart_runs_top_to_bottom_with_the_widget(quickstart_server, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        open_lab_notebook(page, quickstart_server)
        code_cells = page.locator(".jp-CodeCell").count()
        assert code_cells >= 6
        # Clear the saved outputs first, so what we check below was produced by this run.
        page.locator(".lm-MenuBar-itemLabel", has_text="Edit").click()
        page.locator(".lm-Menu-itemLabel", has_text="Clear Outputs of All Cells").click()
        assert page.locator(".tvz-root").count() == 0
        for _attempt in range(3):  # a request made while the kernel connection settles can be dropped
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            try:
                page.wait_for_function("() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                                       ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))", timeout=15_000)
                break
            except PlaywrightTimeout:
                continue
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".every(p => /\\[\\d+\\]/.test(p.textContent))", timeout=400_000)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                              " >> text=Error")
        assert errors.count() == 0
        assert page.locator(".jp-RenderedText:has-text('Traceback'), .jp-RenderedText:has-text('Error:')").count() == 0
        widget = page.locator(".tvz-root").first
        widget.wait_for(timeout=30_000)
        assert widget.locator(".tvz-token[data-source=prompt]").count() > 5
        assert widget.locator(".tvz-token[data-source=generated]").count() > 0  # w.generate() streamed in
        assert dialogs == []
    finally:
        page.close()
