#!/usr/bin/env bash
# The main job: set up (idempotent), then open the quickstart notebook in JupyterLab.
# Extra arguments go to jupyter lab (e.g. --no-browser --port 8899).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -n "${TOKVIZ_SKIP_SETUP:-}" ]] || bash scripts/setup.sh  # tests skip the (already done) setup
source scripts/_python.sh
ROOT_FLAG=()
[[ $(id -u) -eq 0 ]] && ROOT_FLAG=(--allow-root)  # containers often run as root
exec python -m jupyter lab "${ROOT_FLAG[@]}" "$@" notebooks/01_quickstart.ipynb
