"""The wheel on its own: `python -m build` makes a wheel that, installed in a fresh virtual environment with
no checkout beside it, imports, builds a TokenViz with the view bundled inside the wheel, and writes a
to_html page that draws the tokens in Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from view_harness import CHROMIUM, REPO

pytestmark = pytest.mark.slow

# Runs inside the fresh environment: everything printed is checked by the test.
CHECK = r"""
import json, sys
import tokviz
from tokviz import TokenViz

lm = tokviz.load_model(sys.argv[1], device="cpu")
w = TokenViz(lm, prompt="Hello <b>world</b>, it is a fine day")
bundle = w._repr_mimebundle_()
data = bundle[0] if isinstance(bundle, tuple) else bundle
w.to_html(sys.argv[2])
print(json.dumps({
    "file": tokviz.__file__,
    "esm_chars": len(str(w._esm)),
    "snapshot_has_view": "text/html" in data and "application/vnd.jupyter.widget-view+json" in data,
    "tokens": len(w.analysis.tokens),
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)], check=True,
                   capture_output=True, timeout=600)
    (path,) = out.glob("tokviz-*.whl")
    return path


def test_wheel_carries_the_view_bundle(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "tokviz/static/widget.js" in names and "tokviz/static/widget.css" in names
    assert "tokviz/data/corpus.txt" in names
    assert not any(n.startswith(("tests/", "js/", "notebooks/")) for n in names)


def test_wheel_alone_renders_tokenviz(wheel, tmp_path, tiny_lm, browser):
    model_dir = tmp_path / "tiny-model"
    tiny_lm.model.save_pretrained(model_dir)
    tiny_lm.tokenizer.save_pretrained(model_dir)
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    python = env_dir / "bin" / "python"
    # The dependencies come from this environment's site-packages (a plain path, so its .pth hooks,
    # among them the editable install of the checkout, are not run); tokviz itself only from the wheel.
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    page_path = tmp_path / "page.html"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(python), "-c", CHECK, str(model_dir), str(page_path)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(site)), "tokviz must be imported from the installed wheel"
    assert not report["file"].startswith(str(REPO))
    assert report["esm_chars"] > 10_000 and report["snapshot_has_view"]

    if not CHROMIUM.exists():
        pytest.skip("Chromium is needed to look at the page")
    page = browser.new_page()
    try:
        page.goto(page_path.as_uri())
        tokens = page.locator(".tvz-token[data-source=prompt]")
        tokens.first.wait_for(timeout=10_000)
        assert tokens.count() == report["tokens"]
        assert page.locator("b").count() == 0, "token text must never become HTML"
        assert "<b>world</b>" in page.locator(".tvz-root").first.inner_text().replace("·", " ")
    finally:
        page.close()
