"""llama.cpp's own server (the C++ `llama-server`) behind the engine tests: built by scripts/llama_server.sh
into the tokviz cache, serving the default model's GGUF file on a free local port, stopped by its pid."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
from pathlib import Path

import pytest

from tokviz.backends.local.loading import cache_dir, default_model_gguf

from .served_server import free_port, wait_until_up

SOURCE_VERSION = "0.3.36"  # as in scripts/llama_server.sh
BUILD = f"{platform.machine()}-{SOURCE_VERSION}-portable-v1"
BINARY = Path(os.environ.get("TOKVIZ_LLAMA_SERVER") or cache_dir() / "llama-server" / BUILD / "bin" / "llama-server")
requires_llama_server = pytest.mark.skipif(
    not BINARY.is_file(), reason=f"llama-server is not built at {BINARY} (bash scripts/setup.sh --test builds it)")


def start_llama_server(*extra: str, threads: int = 2):
    """(process, url) of a running llama-server with one slot and a 1024-token context."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it for as long as it runs)
    process = subprocess.Popen(
        [str(BINARY), "--model", str(default_model_gguf()), "--host", "127.0.0.1", "--port", str(port),
         "--threads", str(threads), "--ctx-size", "1024", "--parallel", "1", *extra],
        stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "LD_LIBRARY_PATH": str(BINARY.parent)})
    url = f"http://127.0.0.1:{port}"
    wait_until_up(process, log, url + "/health", refusal_means_up=False)  # 503 while the model loads
    return process, url
