"""The native paths of engines that name tokens by id: vLLM's prompt_logprobs and SGLang's /generate.

Both take the prompt as token ids and answer every position with ids, so nothing is realigned or looked up
by text (no shift to probe, no candidate texts to collide). Shapes, from each engine's own source (vLLM at
commit d5dba2d7, SGLang at commit c60799d0; docs/numbers.md):
- vLLM (vllm/entrypoints/openai/completion/protocol.py, vllm/logprobs.py): /v1/completions with
  `prompt_logprobs=k` gives `choices[0].prompt_logprobs`, per prompt position None (the first) or
  {"<id>": {"logprob", "rank", "decoded_token"}} holding the top-k and the prompt token itself with its
  rank in the whole vocabulary; `return_token_ids` adds `prompt_token_ids`; `return_tokens_as_token_ids`
  keys the generated token's `logprobs.top_logprobs` by "token_id:<id>". GET /version names the engine.
- SGLang (python/sglang/srt/entrypoints/http_server.py, managers/tokenizer_manager.py): /generate with
  `input_ids`, `return_logprob`, `logprob_start_len=0`, `top_logprobs_num=k` gives `meta_info`
  `input_token_logprobs` = [[logprob, id, text], ...] (the first logprob None), `input_top_logprobs` =
  per position None or [[logprob, id, text], ...], and `output_*` the same for generated tokens. GET
  /get_model_info names the engine. Its entropy field is one number per request, not per token: unused.
- llama.cpp's llama-server: one /completion per position, by id (llama_server.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

from ...core.stats import RowStats
from ...errors import ServerError, ServerProtocolError
from .http import excerpt
from .llama_server import LLAMA_SERVER, is_llama_server, llama_server_positions
from .native_position import NativePosition

if TYPE_CHECKING:
    from ...core.encoding import Request
    from .model import ServedModel

VLLM = "vllm"
SGLANG = "sglang"
OPENAI = "openai"  # any other OpenAI-compatible server: the echo path (model.py, realign.py)
NATIVE = (VLLM, SGLANG, LLAMA_SERVER)


def detect_engine(served: ServedModel, listing: dict) -> tuple[str, str | None]:
    """(engine, version) of the server: llama-server lists its models as owned by "llamacpp" and answers
    GET /props, vLLM answers GET /version, SGLang GET /get_model_info; else the OpenAI echo path."""
    owners = {m.get("owned_by") for m in listing.get("data", []) if isinstance(m, dict)}
    if owners == {"llamacpp"}:
        try:
            props = served.request("GET", "/props")
        except ServerError:
            props = None
        if is_llama_server(listing, props):
            return LLAMA_SERVER, str(props["build_info"])
    for path, engine in (("/version", VLLM), ("/get_model_info", SGLANG)):
        try:
            answer = served.request("GET", path)
        except ServerError:
            continue
        if engine == VLLM and isinstance(answer, dict) and isinstance(answer.get("version"), str) and (
                "vllm" in owners or not owners - {None}):
            return VLLM, answer["version"]
        if engine == SGLANG and isinstance(answer, dict) and "model_path" in answer:
            return SGLANG, None
    return OPENAI, None


def native_positions(served: ServedModel, ids: list[int], k: int, needed: set[int] | None = None
                     ) -> tuple[list[NativePosition | None], NativePosition]:
    """Per position i of ids, the distribution that predicts ids[i] (None for the first), and the one after.
    needed: the positions (len(ids) for the one after) the caller reads; an engine that pays per position
    (llama-server) asks only for those, the others answer every position in one request."""
    if served.engine == LLAMA_SERVER:
        return llama_server_positions(served, ids, k, needed)
    if served.engine == VLLM:
        return _vllm(served, ids, k)
    if served.engine == SGLANG:
        return _sglang(served, ids, k)
    raise ServerProtocolError(f"{served.engine!r} has no native path")


def _vllm(served: ServedModel, ids: list[int], k: int):
    data = served.request("POST", "/v1/completions", {
        "model": served.name, "prompt": ids, "max_tokens": 1, "temperature": 0.0, "prompt_logprobs": k,
        "logprobs": k, "return_token_ids": True, "return_tokens_as_token_ids": True})
    try:
        choice = data["choices"][0]
        entries = choice["prompt_logprobs"]
        after = choice["logprobs"]["top_logprobs"][0]
    except (KeyError, IndexError, TypeError):
        raise ServerProtocolError(f"vLLM answered without prompt_logprobs: {excerpt(data)}") from None
    echoed = choice.get("prompt_token_ids")
    if (echoed is not None and list(echoed) != list(ids)) or len(entries) != len(ids):
        raise ServerProtocolError("vLLM's prompt token ids are not the ones sent")
    positions: list[NativePosition | None] = [None]
    for token_id, entry in zip(ids[1:], entries[1:]):
        table = {int(i): value for i, value in entry.items()}
        top = sorted(((i, v["logprob"]) for i, v in table.items() if v.get("rank") is not None and v["rank"] <= k),
                     key=lambda pair: -pair[1])
        own = table.get(token_id)
        positions.append(NativePosition(top, own["logprob"] if own else None, own.get("rank") if own else None))
    nxt = sorted(((int(key.split(":", 1)[1]), lp) for key, lp in after.items()), key=lambda pair: -pair[1])[:k]
    return positions, NativePosition(nxt)


def _sglang(served: ServedModel, ids: list[int], k: int):
    data = served.request("POST", "/generate", {
        "input_ids": ids, "sampling_params": {"max_new_tokens": 1, "temperature": 0.0}, "return_logprob": True,
        "logprob_start_len": 0, "top_logprobs_num": k, "return_text_in_logprobs": False})
    try:
        meta = data["meta_info"]
        tokens, tops = meta["input_token_logprobs"], meta["input_top_logprobs"]
        after = meta["output_top_logprobs"][0]
    except (KeyError, IndexError, TypeError):
        raise ServerProtocolError(
            f"SGLang answered /generate without input log-probabilities: {excerpt(data)}") from None
    if [int(t[1]) for t in tokens] != list(ids) or len(tops) != len(ids):
        raise ServerProtocolError("SGLang's input token ids are not the ones sent")
    positions: list[NativePosition | None] = [None]
    for (logprob, token_id, _), top in zip(tokens[1:], tops[1:]):
        ranked = sorted(((int(i), lp) for lp, i, *_ in top or []), key=lambda pair: -pair[1])[:k]
        inside = [i for i, _ in ranked]
        positions.append(NativePosition(ranked, logprob, inside.index(token_id) + 1 if token_id in inside else None))
    nxt = sorted(((int(i), lp) for lp, i, *_ in after or []), key=lambda pair: -pair[1])[:k]
    return positions, NativePosition(nxt)


def native_score(served: ServedModel, requests: list[Request], alternatives: int) -> list[RowStats]:
    """score() through the native path: one request per sequence, its ids sent as they are."""
    k = max(served.logprobs, alternatives)
    out = []
    for request in requests:
        needed = {row + 1 for row in request.rows}
        positions, after = native_positions(served, list(request.ids), k, needed)
        logprob, rank, top_ids, top_probs = [], [], [], []
        for row, target in zip(request.rows, request.targets):
            position = after if row + 1 >= len(request.ids) else positions[row + 1]
            actual = request.ids[row + 1] if row + 1 < len(request.ids) else None
            value = math.nan
            known_rank = 0  # unknown (backends.protocol)
            if position is not None and target == actual and position.logprob is not None:
                value, known_rank = position.logprob, position.rank or 0
            elif position is not None:
                inside = [i for i, _ in position.top]
                if target in inside:
                    value, known_rank = position.top[inside.index(target)][1], inside.index(target) + 1
            logprob.append(value)
            rank.append(known_rank)
            shown = ((position.top if position else []) + [(-1, -math.inf)] * alternatives)[:alternatives]
            top_ids.append([i for i, _ in shown])
            top_probs.append([math.exp(lp) for _, lp in shown])
        out.append(RowStats(logprob=torch.tensor(logprob, dtype=torch.float64), rank=torch.tensor(rank),
                            entropy=None, top_ids=torch.tensor(top_ids, dtype=torch.long).reshape(-1, alternatives),
                            top_probs=torch.tensor(top_probs, dtype=torch.float32).reshape(-1, alternatives)))
    return out


def repeat_probe(served: ServedModel, ids: list[int], k: int) -> float:
    """Send one request twice and return the largest change of any log-probability both answers hold (0.0
    for an engine that answers identical requests identically; vLLM's prefix caching need not: vllm #42019)."""
    sample = set(range(1, len(ids) + 1, 8)) | {len(ids)}  # an engine that pays per position answers these only
    first, second = (native_positions(served, ids, k, sample) for _ in range(2))
    largest = 0.0
    for a, b in zip([*first[0], first[1]], [*second[0], second[1]]):
        if a is None or b is None:
            continue
        values = dict(a.top)
        for token_id, lp in b.top:
            if token_id in values:
                largest = max(largest, abs(values[token_id] - lp))
        if a.logprob is not None and b.logprob is not None:
            largest = max(largest, abs(a.logprob - b.logprob))
    return largest
