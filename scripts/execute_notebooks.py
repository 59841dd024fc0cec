"""Re-run the teaching notebooks in place, saving their outputs.

Every widget output carries a self-contained HTML snapshot (text/html) beside its widget view. The
widget *state* is deliberately not stored: with it, nbconvert and nbviewer prefer the widget view, which
needs widget JavaScript from a CDN; without it they show the snapshot, which works offline.

Run after editing a notebook: python scripts/execute_notebooks.py [notebooks/NAME.ipynb ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources=resources,
                            store_widget_state=False)
    client.execute()
    notebook.metadata.pop("widgets", None)  # see the module docstring
    nbformat.write(notebook, path)
    print(f"executed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        execute(p)
