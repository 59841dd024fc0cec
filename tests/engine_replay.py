"""REPLAYS, not real servers: HTTP servers that answer in vLLM's and SGLang's documented response shapes,
with numbers computed here from a real (local) model in plain float64 torch.

The shapes are taken from the engines' own source, pinned to the commits read (2026-12): vLLM
d5dba2d7b0ab9b98096560c69db7126b54b14d79 (main, after 0.11), SGLang c60799d0eb1b537e3fa09e45fc5c91b5861de957
(0.5.x): vLLM vllm/entrypoints/openai/completion/protocol.py (CompletionResponseChoice:
prompt_logprobs list[dict[int, Logprob] | None], prompt_token_ids, logprobs.top_logprobs keyed
"token_id:<id>" under return_tokens_as_token_ids), vllm/logprobs.py (Logprob: logprob, rank,
decoded_token), vllm/entrypoints/openai/basic/api_router.py (GET /version -> {"version": ...}); SGLang
python/sglang/srt/entrypoints/http_server.py (GET /get_model_info -> {"model_path", ...}; POST /generate)
and managers/tokenizer_manager.py (meta_info input_token_logprobs [[logprob, id, text]], the first None,
input_top_logprobs per position None or [[logprob, id, text]], output_* alike). They check tokviz's
parsing and its use of each path; they cannot show what a real engine computes.
"""

from __future__ import annotations

import http.server
import json
import threading

import torch


class EngineReplay:
    """engine: "vllm" or "sglang". drift: added to every log-prob of each repeated identical request after
    the first (as vLLM with prefix caching can do), to exercise the repeat probe."""

    def __init__(self, model, tokenizer, engine: str, *, name: str = "replayed-model", drift: float = 0.0):
        self.model, self.tokenizer, self.engine, self.name, self.drift = model, tokenizer, engine, name, drift
        self.seen: dict[str, int] = {}
        self.requests: list[tuple[str, dict]] = []
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._answer(replay.get(self.path))

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                replay.requests.append((self.path, body))
                self._answer(replay.post(self.path, body))

            def _answer(self, data):
                code, data = (404, {"detail": "Not Found"}) if data is None else (200, data)
                out = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # -- the model's numbers, float64 ---------------------------------------------------------------
    def logprobs(self, ids: list[int], key: str) -> torch.Tensor:
        """[T, vocab] log-softmax of the model's logits after each prefix, drifted on repeats."""
        with torch.no_grad():
            logits = self.model(torch.tensor([ids])).logits[0].double()
        repeat = self.seen.get(key, 0)
        self.seen[key] = repeat + 1
        return logits.log_softmax(-1) + (self.drift if repeat else 0.0)

    def text(self, token_id: int) -> str:
        return self.tokenizer.decode([token_id])

    # -- routes ---------------------------------------------------------------------------------------
    def get(self, path: str):
        if path == "/v1/models":
            owner = "vllm" if self.engine == "vllm" else "sglang"
            return {"object": "list", "data": [{"id": self.name, "object": "model", "owned_by": owner,
                                                "max_model_len": 2048}]}
        if path == "/version" and self.engine == "vllm":
            return {"version": "0.11.2"}
        if path == "/get_model_info" and self.engine == "sglang":
            return {"model_path": self.name, "tokenizer_path": self.name, "is_generation": True}
        return None

    def post(self, path: str, body: dict):
        if path == "/v1/completions" and self.engine == "vllm" and "prompt_logprobs" in body:
            return self.vllm(body)
        if path == "/generate" and self.engine == "sglang":
            return self.sglang(body)
        return None

    def vllm(self, body: dict) -> dict:
        ids, k = list(body["prompt"]), int(body["prompt_logprobs"])
        lp = self.logprobs(ids, json.dumps(body))
        prompt = [None]
        for i in range(1, len(ids)):
            row = lp[i - 1]
            entry = {}
            for rank, token in enumerate(row.topk(k).indices.tolist(), start=1):
                entry[str(token)] = {"logprob": row[token].item(), "rank": rank, "decoded_token": self.text(token)}
            own = ids[i]
            entry[str(own)] = {"logprob": row[own].item(), "rank": int((row > row[own]).sum()) + 1,
                               "decoded_token": self.text(own)}
            prompt.append(entry)
        last = lp[-1]
        top = last.topk(int(body["logprobs"]))
        generated = int(top.indices[0])
        return {"id": "cmpl-replay", "object": "text_completion", "model": self.name, "choices": [{
            "index": 0, "text": self.text(generated), "finish_reason": "length",
            "logprobs": {"text_offset": [0], "token_logprobs": [last[generated].item()],
                         "tokens": [f"token_id:{generated}"],
                         "top_logprobs": [{f"token_id:{t}": v for v, t in zip(top.values.tolist(),
                                                                               top.indices.tolist())}]},
            "prompt_logprobs": prompt, "prompt_token_ids": ids, "token_ids": [generated]}],
            "usage": {"prompt_tokens": len(ids), "completion_tokens": 1, "total_tokens": len(ids) + 1}}

    def sglang(self, body: dict) -> dict:
        ids, k = list(body["input_ids"]), int(body["top_logprobs_num"])
        lp = self.logprobs(ids, json.dumps(body))
        tokens = [[None, ids[0], None]]
        tops = [None]
        for i in range(1, len(ids)):
            row = lp[i - 1]
            tokens.append([row[ids[i]].item(), ids[i], None])
            top = row.topk(k)
            tops.append([[v, t, None] for v, t in zip(top.values.tolist(), top.indices.tolist())])
        last = lp[-1]
        top = last.topk(k)
        generated = int(top.indices[0])
        return {"text": self.text(generated), "output_ids": [generated], "meta_info": {
            "id": "replay", "prompt_tokens": len(ids), "completion_tokens": 1,
            "input_token_logprobs": tokens, "input_top_logprobs": tops,
            "output_token_logprobs": [[last[generated].item(), generated, None]],
            "output_top_logprobs": [[[v, t, None] for v, t in zip(top.values.tolist(), top.indices.tolist())]]}}
