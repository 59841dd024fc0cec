#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite: unit, real-model, browser and notebook tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
python3 -m ruff check tokviz tests benchmarks
python3 -m pytest "$@"
