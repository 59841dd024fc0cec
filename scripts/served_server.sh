#!/usr/bin/env bash
# Install llama-cpp-python's OpenAI-compatible server, which the served-model tests start on the default
# model's own GGUF file. Sourced by setup.sh --test, in its environment. Safe to re-run.
# PyPI has only its source: the build takes about 5 minutes on 2 cores (9 CPU-minutes), so the wheel is
# cached in the tokviz cache (TOKVIZ_CACHE, default ~/.cache/tokviz) and built once per machine type.
LLAMA_CPP_VERSION=0.3.36

if python -c "import llama_cpp, llama_cpp.server" 2>/dev/null; then
  return 0 2>/dev/null || exit 0
fi
if ! command -v g++ >/dev/null || ! command -v cmake >/dev/null; then
  SUDO=$([[ $(id -u) -eq 0 ]] && echo "" || echo "sudo")
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q g++ cmake
fi
# The build is tuned to this CPU (-march=native): the cache is kept per CPU model and instruction set.
CPU_KEY=$( (grep -m1 -E '^(model name|flags)' /proc/cpuinfo; grep -m1 '^flags' /proc/cpuinfo) | sha256sum | cut -c1-12)
WHEELS="$(python -c 'from tokviz.models import cache_dir; print(cache_dir())')/wheels/$(uname -m)-$CPU_KEY"
WHEEL=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [[ -z "$WHEEL" ]]; then
  echo "tokviz: building llama-cpp-python $LLAMA_CPP_VERSION's server for the served-model tests (once, about 5 minutes)" >&2
  mkdir -p "$WHEELS"
  python -m pip wheel -q --no-deps -c constraints.txt -w "$WHEELS" "llama-cpp-python==$LLAMA_CPP_VERSION"
  WHEEL=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl | head -1)
fi
python -m pip install -q -c constraints.txt "$WHEEL[server]"
