"""The real server behind the served-model tests: llama-cpp-python's, serving the default model's own GGUF
file on a free local port, started and stopped by its pid; and a proxy in front of it that answers as
other servers do (aligned, without log-probabilities, scrambled, dropping or stalling the connection)."""

from __future__ import annotations

import http.server
import importlib.util
import json
import math
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

from tokviz.backends.local.loading import default_model_gguf

SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
MISSING = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
requires_server = pytest.mark.skipif(
    bool(MISSING), reason=f"llama-cpp-python's server is not installed (missing: {', '.join(MISSING)})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*extra: str, threads: int = 2):
    """(process, url) of a running server; its log goes to a file (a pipe nobody reads would fill and stall it).
    Two threads: the tests mostly wait for its answers, so the cores are the server's then."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it for as long as it runs)
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_gguf()), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", str(threads), "--n_ctx", "1024", "--verbose", "False", *extra],
        stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(process, log, url + "/v1/models", refusal_means_up=True)  # 401 from a server with a key
    return process, url


def wait_until_up(process, log, probe_url: str, *, refusal_means_up: bool) -> None:
    """Poll probe_url until the server answers (an HTTP error too, if refusal_means_up), for up to 120 s;
    a server that exits or never answers is a RuntimeError with the end of its log."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(probe_url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            if refusal_means_up:
                return
            time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("the server did not start within 120 s")


def stop_server(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Proxy:
    """Forwards to the real server; `mode` rewrites /v1/completions answers: "aligned" (as a server whose
    entry i predicts token i, echoing the completion token's entry too), "no-logprobs", "scrambled", "drop"
    (a JSON answer cut short), "sglang-top-k" (top_k -1 means off and 0 is refused); streams:
    "drop-stream" (the connection ends after `after` events, with no [DONE]), "stall-stream" (silence for
    `stall` seconds after `after` events) and "processed-stream" (tempered top-k, see processed)."""

    def __init__(self, target: str):
        proxy = self
        self.mode = "pass"
        self.target = target
        self.after = 3
        self.stall = 5.0
        self.requests: list[dict] = []  # the JSON bodies sent to /v1/completions, in order
        self.bytes_out = 0  # bytes of answers passed on to the client (bodies, streamed lines)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._forward(None)

            def do_POST(self):
                self._forward(self.rfile.read(int(self.headers["Content-Length"])))

            def _forward(self, body):
                sent = json.loads(body) if body else {}
                if self.path == "/v1/completions":
                    proxy.requests.append(sent)
                if proxy.mode == "sglang-top-k" and "top_k" in sent:  # -1 = off; 0 refused, as SGLang does
                    if sent["top_k"] == 0:
                        return self._refuse(400, "top_k must be -1 (disable), or at least 1, got 0.")
                    body = json.dumps({**sent, "top_k": 0 if sent["top_k"] == -1 else sent["top_k"]}).encode()
                request = urllib.request.Request(proxy.target + self.path, data=body, method=self.command,
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=120) as response:
                    if sent.get("stream"):
                        return self._stream(response, sent)
                    data = json.loads(response.read())
                if self.path == "/v1/completions":
                    if proxy.mode == "drop":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                         b"Content-Length: 5000\r\n\r\n{\"choices\": [")
                        self.wfile.flush()
                        self.connection.close()
                        return
                    data = proxy.rewrite(sent, data)
                out = json.dumps(data).encode()
                proxy.bytes_out += len(out)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def _refuse(self, code: int, message: str):
                out = json.dumps({"object": "error", "message": message, "code": code}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def _stream(self, response, sent):
                # HTTP/1.0 and no length: the stream ends when the connection does.
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                events = 0
                for line in response:
                    if line.startswith(b"data:"):
                        if events == proxy.after and proxy.mode == "drop-stream":
                            return
                        if events == proxy.after and proxy.mode == "stall-stream":
                            time.sleep(proxy.stall)
                        events += 1
                        if proxy.mode == "processed-stream":
                            line = proxy.processed(line, sent.get("temperature", 1.0))
                    proxy.bytes_out += len(line)
                    try:
                        self.wfile.write(line)
                        self.wfile.flush()
                    except OSError:  # the client gave up (a timeout, Stop): nothing left to send to
                        return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def rewrite(self, request: dict, data: dict) -> dict:
        logprobs = data["choices"][0]["logprobs"]
        if not request.get("echo") or logprobs is None:
            return data
        if self.mode == "no-logprobs":
            data["choices"][0]["logprobs"] = None
        elif self.mode == "scrambled":
            logprobs["top_logprobs"] = [None, *logprobs["top_logprobs"][1:][::-1]]
        elif self.mode == "aligned":
            tokens, top, offsets = logprobs["tokens"], logprobs["top_logprobs"], logprobs["text_offset"]
            n = len(tokens)
            after = top[n - 1]
            completion = max(after, key=after.get)
            new_top = [None, None, *top[1:n - 1], after]
            new_tokens = [*tokens, completion]
            logprobs.update(
                tokens=new_tokens, top_logprobs=new_top, text_offset=[*offsets, len(request["prompt"])],
                token_logprobs=[None if t is None else t.get(tok) for t, tok in zip(new_top, new_tokens)])
        return data

    @staticmethod
    def processed(line: bytes, temperature: float) -> bytes:
        """A streamed event as from a server that reports the distribution it sampled from: each top-k
        tempered by `temperature` and renormalised over itself."""
        body = line[len(b"data:"):].strip()
        if body == b"[DONE]":
            return line
        event = json.loads(body)
        logprobs = event["choices"][0].get("logprobs")
        if logprobs:
            for i, (token, top) in enumerate(zip(logprobs["tokens"], logprobs["top_logprobs"])):
                scaled = {t: lp / temperature for t, lp in top.items()}
                norm = math.log(sum(math.exp(v) for v in scaled.values()))
                logprobs["top_logprobs"][i] = {t: v - norm for t, v in scaled.items()}
                logprobs["token_logprobs"][i] = logprobs["top_logprobs"][i][token]
        return b"data: " + json.dumps(event).encode() + b"\n"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
