"""Real notebook servers for browser tests (JupyterLab, Jupyter Notebook 7, marimo): each started on
loopback with its own token, waited for, and stopped by its process group."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(path: Path, cells: list[str]) -> None:
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
                  for src in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))


class HostServer:
    """A server process serving `root`; subclasses give its command line, readiness URL and page URLs."""

    name = "server"

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self.log = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def ready_url(self) -> str:
        raise NotImplementedError

    def log_tail(self) -> str:
        return (self.root / f"{self.name}.log").read_text()[-3000:]

    def start(self, timeout: float = 90) -> None:
        self.log = open(self.root / f"{self.name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command(), cwd=self.root, env=self.env(), stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                urllib.request.urlopen(self.ready_url(), timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} did not start in {timeout} s: {self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        if self.log:
            self.log.close()
            self.log = None


class _JupyterServer(HostServer):
    """jupyter lab / jupyter notebook: the same Jupyter server, a different front end."""

    app = ""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "jupyter", self.app, "--no-browser", f"--port={self.port}",
                f"--IdentityProvider.token={self.token}", "--ServerApp.ip=127.0.0.1", "--allow-root",
                "--ServerApp.open_browser=False", f"--ServerApp.root_dir={self.root}"]

    def env(self) -> dict[str, str]:
        # Own settings and workspaces: a theme switched or a layout saved by a test must not reach the user.
        settings = self.root / ".lab-settings"
        settings.mkdir(exist_ok=True)
        return dict(os.environ, JUPYTER_PLATFORM_DIRS="1", JUPYTERLAB_SETTINGS_DIR=str(settings),
                    JUPYTERLAB_WORKSPACES_DIR=str(self.root / ".lab-workspaces"))

    def ready_url(self) -> str:
        return f"{self.base}/api/status?token={self.token}"


class JupyterLab(_JupyterServer):
    name = app = "lab"

    def command(self) -> list[str]:
        return [*super().command(), "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}"


class Notebook7(_JupyterServer):
    name = app = "notebook"

    def url(self, notebook: str) -> str:
        return f"{self.base}/notebooks/{notebook}?token={self.token}"


class Marimo(HostServer):
    """`marimo run` (the app view, read-only, no code shown) on one app file, behind a token."""

    name = "marimo"

    def __init__(self, root: Path, app: str):
        super().__init__(root)
        self.app = app

    def command(self) -> list[str]:
        return [sys.executable, "-m", "marimo", "run", self.app, "--headless", "--host=127.0.0.1",
                f"--port={self.port}", f"--token-password={self.token}", "--no-sandbox"]

    def env(self) -> dict[str, str]:
        # Its config and state in the test's folder; no update check (it would go out to the network).
        return dict(os.environ, XDG_CONFIG_HOME=str(self.root / ".config"), XDG_STATE_HOME=str(self.root / ".state"),
                    MARIMO_SKIP_UPDATE_CHECK="1")

    def ready_url(self) -> str:
        return f"{self.base}/health"

    def url(self) -> str:
        return f"{self.base}/?access_token={self.token}"


# ----- driving a notebook page: JupyterLab and Notebook 7 share JupyterLab's cell widgets ---------------
PROMPT_MATCHES = """([i, pattern]) => {
    const p = document.querySelectorAll('.jp-Cell')[i].querySelector('.jp-InputPrompt');
    return !!p && new RegExp(pattern).test(p.textContent);
}"""


def open_lab_notebook(page, url: str) -> None:
    """Open a notebook in JupyterLab and wait until its kernel is connected and idle."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    page.get_by_text("| Idle").first.wait_for(timeout=120_000)  # the kernel is connected


def run_cell(page, index: int, timeout_ms: int = 240_000) -> None:
    """Run one cell and wait for it to finish ([N] in its prompt; the busy indicator can lag behind)."""
    for _attempt in range(3):
        page.locator(".jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:  # a run requested while the kernel connection is still settling can be dropped: ask again
            page.wait_for_function(PROMPT_MATCHES, arg=[index, r"\[(\*|\d+)\]"], timeout=15_000)
            break
        except PlaywrightTimeout:
            continue
    page.wait_for_function(PROMPT_MATCHES, arg=[index, r"\[\d+\]"], timeout=timeout_ms)


def switch_lab_to_dark(page) -> None:
    """Settings > Theme > JupyterLab Dark, as a user picks it; returns once the theme is applied."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Settings$")).click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel").get_by_text("JupyterLab Dark", exact=True).click()
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
