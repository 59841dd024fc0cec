"""tokviz.connect: a model served by an OpenAI-compatible server, listed, checked and probed."""

from __future__ import annotations

import urllib.parse

from ...checks import check_int, check_text
from ...errors import InvalidInputError, ServerProtocolError, UnknownServedModelError
from .http import excerpt, request_json
from .model import DEFAULT_LOGPROBS, ServedModel
from .native import detect_engine


def connect(base_url: str, model: str | None = None, *, api_key: str | None = None, timeout: float = 30.0,
            tokenizer=None, logprobs: int = DEFAULT_LOGPROBS, probe: bool = True) -> ServedModel:
    """A model served at base_url by an OpenAI-compatible server (e.g. "http://127.0.0.1:8000" or ".../v1").

    model: the server's model id (None: the only one it serves). tokenizer: the model's tokenizer (object,
    or a name / path for AutoTokenizer); None loads the default model's when the server serves its GGUF.
    logprobs: the top-k asked of the server at every position (vLLM allows 20 unless started with a larger
    --max-logprobs; llama-cpp-python has no limit): more candidates, and more realigned log-probabilities.
    On connect tokviz lists the server's models and asks which engine answers: vLLM, SGLang and llama.cpp's
    llama-server are spoken natively (token ids in, ids, log-probs and ranks out; needs the tokenizer here),
    any other server through the OpenAI echo path, whose alignment it probes.
    """
    check_text(base_url, "base_url")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
        raise InvalidInputError(f"timeout must be a positive number of seconds, got {timeout!r}")
    check_int(logprobs, "logprobs", low=1)
    url = base_url.strip().rstrip("/")
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidInputError(f"base_url must be an http(s) URL like 'http://127.0.0.1:8000', got {base_url!r}")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    listing = request_json(url, "GET", "/v1/models", None, api_key, timeout)
    served = [m for m in listing.get("data", []) if isinstance(m, dict) and "id" in m] if isinstance(
        listing, dict) else []
    if not served:
        raise ServerProtocolError(f"the server at {url} lists no models at /v1/models: {excerpt(listing)}")
    ids = [m["id"] for m in served]
    if model is None:
        if len(ids) > 1:
            raise InvalidInputError(f"the server at {url} serves several models; pass model= one of {ids}")
        entry = served[0]
    else:
        matches = [m for m in served if m["id"] == model]
        if not matches:
            raise UnknownServedModelError(f"the server at {url} does not serve {model!r}; it serves {ids}")
        entry = matches[0]
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}  # llama-server nests it there
    context = next((where[key] for where in (entry, meta)
                    for key in ("max_model_len", "context_length", "n_ctx", "max_context_length")
                    if isinstance(where.get(key), int) and where[key] > 0), None)
    lm = ServedModel(url, entry["id"], api_key=api_key, timeout=float(timeout),
                     tokenizer=_load_tokenizer(tokenizer, entry["id"]), context_length=context, logprobs=logprobs)
    if lm.tokenizer is not None:  # the native paths send token ids: they need the model's tokenizer here
        lm.engine, lm.engine_version = detect_engine(lm, listing)
    if probe:
        lm.run_probe()
    return lm


def _load_tokenizer(tokenizer, model_id: str):
    if tokenizer is not None and not isinstance(tokenizer, str):
        return tokenizer
    from transformers import AutoTokenizer

    if isinstance(tokenizer, str):
        return AutoTokenizer.from_pretrained(tokenizer)
    from ..local.loading import DEFAULT_MODEL_GGUF, default_model_dir

    if model_id.replace("\\", "/").rsplit("/", 1)[-1] == DEFAULT_MODEL_GGUF:
        return AutoTokenizer.from_pretrained(default_model_dir())
    return None

