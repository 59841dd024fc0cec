# Sourced by the other scripts: choose the Python environment tokviz is installed into and run from.
#   - an active virtual environment (or conda environment) is used as it is;
#   - TOKVIZ_PYTHON=/path/to/python uses that interpreter;
#   - otherwise the scripts make (once) and use .venv in the repository, so they also work where the
#     system Python refuses pip installs ("externally-managed-environment", PEP 668).
# Afterwards `python` is the chosen interpreter and the environment is active for child processes.
if [[ -n "${TOKVIZ_PYTHON:-}" ]]; then
  PATH="$(dirname "$TOKVIZ_PYTHON"):$PATH"
  export PATH
elif [[ -z "${VIRTUAL_ENV:-}" && -z "${CONDA_PREFIX:-}" ]]; then
  if [[ ! -x .venv/bin/python ]]; then
    echo "tokviz: making a virtual environment in .venv (activate it later with: source .venv/bin/activate)" >&2
    python3 -m venv .venv || {
      echo "tokviz: 'python3 -m venv' failed; on Debian/Ubuntu install it with: sudo apt-get install python3-venv" >&2
      exit 1
    }
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
fi
