#!/usr/bin/env bash
# Set up (idempotent) and run the whole test suite: unit, real-model, browser and notebook tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
source scripts/_python.sh
python -m ruff check tokviz tests benchmarks
# The view's build tools: type-check js/src, and let the tests check the committed bundle matches it.
if command -v npm >/dev/null; then
  npm --prefix js ci --silent --no-audit --no-fund
  npm --prefix js run --silent typecheck
fi
python -m pytest "$@"
