"""Served models (tokviz.connect) against a real server: llama-cpp-python's, serving the default model's
own GGUF file, started on a free local port by a fixture and stopped by its pid."""

from __future__ import annotations

import importlib.util
import json
import math
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import tokviz
from tokviz.models import default_model_gguf

SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
MISSING = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"llama-cpp-python's server is not installed (missing: {', '.join(MISSING)})")

API_KEY = "sk-tokviz-test-9f8e7d6c5b4a"
PROMPTS = [
    "The capital of France is Paris. The capital of Germany is",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "Once upon a time, there was a little girl who lived in a village near the forest.",
    "1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*extra: str):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_gguf()), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", "1", "--n_ctx", "1024", "--verbose", "False", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=2).close()
            return process, url
        except urllib.error.HTTPError:  # 401 from a server with a key: it is up
            return process, url
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


@pytest.fixture(scope="module")
def server_url():
    process, url = start_server()
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def served(server_url):
    return tokviz.connect(server_url, timeout=120)


@pytest.fixture(scope="module")
def keyed_server_url():
    process, url = start_server("--api_key", API_KEY)
    yield url
    stop_server(process)


def test_connect_finds_the_default_model_and_its_shift(served, server_url):
    assert served.name.endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert served.base_url == server_url
    assert served.tokenizer is not None  # the default model's own tokenizer, loaded locally
    # llama-cpp-python 0.3.36 (no BOS for this model): entry i holds the distribution after token i.
    assert served.alignment == "shifted"
    assert served.probe["top1_is_next_token"] == served.probe["positions"] > 20
    assert served.probe["top1_is_token"] <= 2
    # a base URL ending in /v1 means the same server
    assert tokviz.connect(server_url + "/v1/", probe=False).base_url == server_url


def test_analyze_served_is_honest_about_what_it_lacks(served):
    text = PROMPTS[0]
    result = tokviz.analyze(served, text, alternatives=5)
    assert isinstance(result, tokviz.PromptAnalysis)
    assert "".join(t.text for t in result.tokens) == text
    assert result.tokens[0].prob is None
    assert all(t.entropy is None for t in result.tokens) and result.next_entropy is None
    assert "entropy" in result.unavailable and "rank" in result.unavailable
    for token in result.tokens[1:]:
        assert len(token.top) == 5
        ids = [c.token_id for c in token.top]
        if token.token_id in ids:
            assert token.rank == ids.index(token.token_id) + 1
        elif token.rank is not None:  # in the server's top-k (k=20), beyond the 5 shown
            assert 5 < token.rank <= 20
        if token.logprob is None:
            assert "logprob" in result.unavailable
    assert result.next[0].text == " Berlin"
    assert "sk-" not in json.dumps(result.to_dict())


def test_served_numbers_agree_with_the_local_model(served, default_lm):
    """The server computes with the 4-bit weights, the local model with them dequantised to float32."""
    agree = positions = 0
    largest = 0.0
    compared = 0
    for text in PROMPTS:
        remote = tokviz.analyze(served, text, alternatives=20)
        local = tokviz.analyze(default_lm, text, alternatives=20)
        assert remote.token_ids == local.token_ids
        for r, loc in zip(remote.tokens, local.tokens):
            if r.top:
                positions += 1
                agree += r.top[0].token_id == loc.top[0].token_id
            if r.logprob is not None and loc.logprob is not None:
                compared += 1
                largest = max(largest, abs(r.logprob - loc.logprob))
        r_next, l_next = remote.next[0].token_id, local.next[0].token_id
        positions += 1
        agree += r_next == l_next
    print(f"\nserved vs local: top-1 agreement {agree}/{positions}, largest |logprob difference| {largest:.4f} "
          f"nats over {compared} tokens")
    assert agree / positions >= 0.9
    assert largest < 0.5
    assert compared >= 0.8 * positions


def test_realignment_matches_local_numbers_token_by_token(served, default_lm):
    """Without realignment the server's numbers are those of the next position: check the realigned ones
    are the local model's, and the raw ones are not."""
    text = PROMPTS[3]
    remote = tokviz.analyze(served, text, alternatives=5)
    local = tokviz.analyze(default_lm, text, alternatives=5)
    raw = served.prompt_logprobs(text, 5)
    realigned = [abs(r.logprob - loc.logprob) for r, loc in zip(remote.tokens, local.tokens)
                 if r.logprob is not None]
    shifted = [abs(raw.token_logprobs[i] - local.tokens[i].logprob) for i in range(1, len(local.tokens))]
    assert max(realigned) < 0.5
    assert sum(shifted) / len(shifted) > 1.0


def test_server_not_running_is_a_clear_error():
    with pytest.raises(tokviz.ServerUnreachableError, match="is it running"):
        tokviz.connect(f"http://127.0.0.1:{free_port()}", timeout=5)


def test_wrong_url_path_is_a_clear_error(server_url):
    with pytest.raises(tokviz.ServerProtocolError, match="HTTP 404"):
        tokviz.connect(server_url + "/not/here", timeout=10)
    with pytest.raises(tokviz.InvalidInputError, match="http"):
        tokviz.connect("127.0.0.1:8000")


def test_unknown_model_name_is_a_clear_error(server_url):
    with pytest.raises(tokviz.UnknownServedModelError, match="does not serve 'gpt-nothing'"):
        tokviz.connect(server_url, "gpt-nothing", timeout=10)


def test_timeout_is_a_clear_error():
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        with pytest.raises(tokviz.ServerTimeoutError, match=r"within 0\.5 s"):
            tokviz.connect(f"http://127.0.0.1:{port}", timeout=0.5)


def test_prompt_over_the_context_is_a_clear_error(served):
    with pytest.raises(tokviz.ServedContextError, match="context"):
        tokviz.analyze(served, " hello" * 1100)


def test_api_key_is_used_and_never_shown(keyed_server_url):
    model = tokviz.connect(keyed_server_url, api_key=API_KEY, timeout=120)
    assert model.alignment == "shifted"
    assert API_KEY not in repr(model) and API_KEY not in str(vars(model))
    result = tokviz.analyze(model, "Hello, world", alternatives=3)
    assert API_KEY not in json.dumps(result.to_dict()) and API_KEY not in repr(result)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(model)
    for key in ("wrong-key", None):
        with pytest.raises(tokviz.ServerAuthError, match="HTTP 401") as caught:
            tokviz.connect(keyed_server_url, api_key=key, timeout=10)
        assert API_KEY not in str(caught.value)
        assert "wrong-key" not in str(caught.value)


def test_first_token_prediction_comes_from_a_completion(served, default_lm):
    text = "Paris is the capital of France"
    remote = tokviz.analyze(served, text, alternatives=20)
    local = tokviz.analyze(default_lm, text, alternatives=20)
    assert remote.tokens[1].top and remote.tokens[1].top[0].token_id == local.tokens[1].top[0].token_id
    assert math.isclose(remote.tokens[1].top[0].prob, local.tokens[1].top[0].prob, rel_tol=0.3)


# -- a proxy in front of the real server that answers as other servers do --------------------------------
class Proxy:
    """Forwards to the real server; `mode` rewrites /v1/completions answers: "aligned" (as a server whose
    entry i predicts token i, echoing the completion token's entry too), "no-logprobs", "scrambled", "drop"."""

    def __init__(self, target: str):
        import http.server
        import threading

        proxy = self
        self.mode = "pass"
        self.target = target

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._forward(None)

            def do_POST(self):
                self._forward(self.rfile.read(int(self.headers["Content-Length"])))

            def _forward(self, body):
                request = urllib.request.Request(proxy.target + self.path, data=body, method=self.command,
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=120) as response:
                    data = json.loads(response.read())
                if self.path == "/v1/completions":
                    if proxy.mode == "drop":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                         b"Content-Length: 5000\r\n\r\n{\"choices\": [")
                        self.wfile.flush()
                        self.connection.close()
                        return
                    data = proxy.rewrite(json.loads(body), data)
                out = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

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

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def proxy(server_url):
    p = Proxy(server_url)
    yield p
    p.close()


def test_an_aligned_server_is_used_as_it_is(proxy, served, default_lm):
    proxy.mode = "aligned"
    model = tokviz.connect(proxy.url, timeout=120)
    assert model.alignment == "aligned"
    assert model.probe["top1_is_token"] == model.probe["positions"]
    text = PROMPTS[0]
    aligned = tokviz.analyze(model, text, alternatives=5)
    shifted = tokviz.analyze(served, text, alternatives=5)
    assert [t.logprob for t in aligned.tokens] == [t.logprob for t in shifted.tokens]
    def tops(result):
        return [[c.token_id for c in t.top] for t in result.tokens]

    assert tops(aligned) == tops(shifted)
    assert [c.token_id for c in aligned.next] == [c.token_id for c in shifted.next]


def test_a_server_whose_alignment_is_unclear_is_refused(proxy):
    proxy.mode = "scrambled"
    with pytest.raises(tokviz.ServerProtocolError, match="refusing"):
        tokviz.connect(proxy.url, timeout=120)


def test_a_server_without_prompt_logprobs_is_refused(proxy):
    proxy.mode = "no-logprobs"
    with pytest.raises(tokviz.PromptLogprobsUnsupportedError, match="no log-probabilities for the prompt"):
        tokviz.connect(proxy.url, timeout=120)


def test_a_connection_dropped_mid_answer_is_a_clear_error(proxy, served):
    model = tokviz.connect(proxy.url, timeout=120)
    proxy.mode = "drop"
    with pytest.raises(tokviz.ServerUnreachableError, match="dropped"):
        tokviz.analyze(model, "Hello there")
    proxy.mode = "pass"  # the model stays usable
    assert tokviz.analyze(model, "Hello there").next
