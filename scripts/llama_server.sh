#!/usr/bin/env bash
# Build llama.cpp's own server (the C++ `llama-server`), which the engine tests start on the default model's
# GGUF file. Sourced by setup.sh --test, in its environment. Safe to re-run.
# Its source ships inside PyPI's llama-cpp-python sdist (vendor/llama.cpp); the build takes about 10
# CPU-minutes, so the result is kept in the tokviz cache (TOKVIZ_CACHE, default ~/.cache/tokviz) and built
# once per machine. tests/llama_server.py finds it there.
LLAMA_SERVER_SOURCE_VERSION=0.3.36  # the llama-cpp-python sdist whose vendored llama.cpp is built
LLAMA_SERVER_KEY="$(uname -m)-$LLAMA_SERVER_SOURCE_VERSION-portable-v1"
LLAMA_SERVER_HOME="$(python -c 'from tokviz.backends.local.loading import cache_dir; print(cache_dir())')/llama-server/$LLAMA_SERVER_KEY"

if [[ ! -x "$LLAMA_SERVER_HOME/bin/llama-server" ]]; then
  echo "tokviz: building llama.cpp's llama-server for the engine tests (once, about 5-10 minutes)" >&2
  for tool in g++ cmake ninja; do
    if ! command -v "$tool" >/dev/null; then
      SUDO=$([[ $(id -u) -eq 0 ]] && echo "" || echo "sudo")
      $SUDO apt-get update -q
      $SUDO apt-get install -y -q g++ cmake ninja-build
      break
    fi
  done
  LLAMA_SERVER_WORK="$(mktemp -d)"
  python -m pip download -q --no-deps --no-binary :all: -d "$LLAMA_SERVER_WORK" \
    "llama-cpp-python==$LLAMA_SERVER_SOURCE_VERSION"
  tar xzf "$LLAMA_SERVER_WORK"/llama_cpp_python-*.tar.gz -C "$LLAMA_SERVER_WORK"
  # Portable, as for the Python server's wheel (scripts/served_server.sh): a -march=native build crashed
  # on the project's machines. Static, so the binary runs from wherever the cache puts it.
  CPU_FLAGS=()
  [[ "$(uname -m)" == "x86_64" ]] && CPU_FLAGS=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON
                                              -DGGML_F16C=ON -DGGML_BMI2=ON)
  cmake -S "$LLAMA_SERVER_WORK"/llama_cpp_python-"$LLAMA_SERVER_SOURCE_VERSION"/vendor/llama.cpp \
    -B "$LLAMA_SERVER_WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF "${CPU_FLAGS[@]}" >/dev/null
  cmake --build "$LLAMA_SERVER_WORK/build" --target llama-server >/dev/null
  mkdir -p "$LLAMA_SERVER_HOME"
  cp -r "$LLAMA_SERVER_WORK/build/bin" "$LLAMA_SERVER_HOME/"
  rm -rf "$LLAMA_SERVER_WORK"
fi
