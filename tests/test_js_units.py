"""Run the view's pure-helper unit tests (js/test/*.test.js) with node's built-in test runner."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_unit_tests_pass():
    # The helpers import nothing from npm, so no `npm install` is needed.
    proc = subprocess.run(
        ["node", "--test", "js/test/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout
    assert "# pass 0" not in proc.stdout  # the tests were found and ran


def test_built_bundle_is_committed_and_self_contained():
    """anywidget imports the bundle from a Blob URL: it must exist and have no relative imports."""
    js = (REPO / "tokviz" / "static" / "widget.js").read_text(encoding="utf-8")
    assert (REPO / "tokviz" / "static" / "widget.css").is_file()
    assert re.search(r"^export \{\s*\w+ as default\s*\};", js, re.M)
    assert not re.search(r"^\s*import\s", js, re.M), "the bundle must not import other files"


@pytest.mark.skipif(
    not (REPO / "js" / "node_modules" / ".bin" / "esbuild").exists(),
    reason="esbuild not installed (run `npm --prefix js ci`)",
)
def test_committed_bundle_matches_sources(tmp_path):
    """tokviz/static/widget.js is what `npm run build` makes from js/src (rebuild after editing js/src)."""
    out = tmp_path / "widget.js"
    subprocess.run(
        [
            str(REPO / "js" / "node_modules" / ".bin" / "esbuild"),
            "src/index.js",
            "--bundle",
            "--format=esm",
            "--minify=false",
            "--target=es2020",
            f"--outfile={out}",
            "--log-level=warning",
        ],
        cwd=REPO / "js",
        check=True,
        timeout=120,
    )
    committed = (REPO / "tokviz" / "static" / "widget.js").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, "stale bundle: run `npm --prefix js run build`"
