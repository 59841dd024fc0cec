#!/usr/bin/env bash
# Install llama-cpp-python's OpenAI-compatible server, which the served-model tests start on the default
# model's own GGUF file. Sourced by setup.sh --test, in its environment. Safe to re-run.
# PyPI has only its source: the build takes about 5 minutes on 2 cores (9 CPU-minutes), so the wheel is
# cached in the tokviz cache (TOKVIZ_CACHE, default ~/.cache/tokviz) and built once per machine.
LLAMA_CPP_VERSION=0.3.36

if python -c "import llama_cpp, llama_cpp.server" 2>/dev/null; then
  return 0 2>/dev/null || exit 0
fi
if ! command -v g++ >/dev/null || ! command -v cmake >/dev/null; then
  SUDO=$([[ $(id -u) -eq 0 ]] && echo "" || echo "sudo")
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q g++ cmake
fi
# Not tuned to this CPU: a -march=native build uses AMX where the CPU lists it, and on the project's
# virtual machines (which list AMX) that build crashed with a segmentation fault at the first decode.
# AVX2 and FMA run on every x86-64 CPU of the last decade; elsewhere (Arm) the defaults apply.
BUILD_KEY="portable-v2"
if [[ "$(uname -m)" == "x86_64" ]]; then
  export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
fi
WHEELS="$(python -c 'from tokviz.backends.local.loading import cache_dir; print(cache_dir())')/wheels/$(uname -m)-$BUILD_KEY"
WHEEL=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [[ -z "$WHEEL" ]]; then
  echo "tokviz: building llama-cpp-python $LLAMA_CPP_VERSION's server for the served-model tests (once, about 5 minutes)" >&2
  mkdir -p "$WHEELS"
  # --no-cache-dir: pip would otherwise hand back a wheel it built earlier with other CMAKE_ARGS
  python -m pip wheel -q --no-deps --no-cache-dir -c constraints.txt -w "$WHEELS" "llama-cpp-python==$LLAMA_CPP_VERSION"
  WHEEL=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl | head -1)
fi
python -m pip install -q -c constraints.txt "$WHEEL[server]"
