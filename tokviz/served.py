"""Models served over HTTP by an OpenAI-compatible server (`tokviz.connect`).

Prompt tokens are scored with `/v1/completions` and `echo=true, logprobs=k`: the legacy completions
format gives, per prompt token, `tokens` (its text), `token_logprobs`, `top_logprobs` (a {text: logprob}
dict of the k most probable tokens, plus the token itself) and `text_offset`; the first entry is null.

Servers are checked, not trusted: on connect a probe whose answer is certain (a pattern repeated until
the next word is obvious) tells whether entry i describes the distribution that predicts token i
(`alignment = "aligned"`) or the one after it (`"shifted"`, as llama-cpp-python 0.3.36 does for a model
without BOS). Shifted numbers are realigned (the distribution that predicts token i is entry i - 1's);
anything else is refused. See docs/numbers.md, "Served models".

Only the standard library speaks HTTP here. The API key is sent in the Authorization header and kept
nowhere else: not in a repr, an error, a result or a payload.
"""

from __future__ import annotations

import http.client
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from .checks import check_int, check_text
from .errors import (
    InvalidInputError,
    PromptLogprobsUnsupportedError,
    ServedContextError,
    ServedUnsupportedError,
    ServerAuthError,
    ServerError,
    ServerProtocolError,
    ServerTimeoutError,
    ServerUnreachableError,
    UnknownServedModelError,
)
from .served_vocabulary import ServedVocabulary

# The probe: counting "1, 2, 3, ..., 30", whose continuation is certain from the middle on (the default
# 135M model puts the right token on top at 54 of 54 late positions; a repeated four-word pattern was
# too weak for it), so the entry describing the distribution before each late token must have that
# token on top.
PROBE_TEXT = ", ".join(str(i) for i in range(1, 31))
# Fraction of the probe's late positions that must agree with one alignment (and at most 1 - this with the other).
PROBE_AGREEMENT = 0.8
# Top-k asked of the server for every scored text (vLLM caps prompt log-probs at 20 by default).
DEFAULT_LOGPROBS = 20

# Samplers some servers apply by default and transformers does not (llama.cpp: min-p 0.05, a repeat penalty
# of 1.1 even before greedy decoding), switched off in every request that decodes.
NEUTRAL_SAMPLERS = {"min_p": 0.0, "repeat_penalty": 1.0, "repetition_penalty": 1.0, "frequency_penalty": 0.0,
                    "presence_penalty": 0.0}

ALIGNED = "aligned"
SHIFTED = "shifted"

UNAVAILABLE_ENTROPY = ("a served model returns only the top-k log-probabilities of each position, not the "
                       "whole distribution, so its entropy is unknown")
UNAVAILABLE_RANK = "known only when the token is inside the server's top-k (k={k}); None otherwise"
UNAVAILABLE_OUTSIDE_TOP_K = ("the server's log-probability for these tokens is shifted (or missing); realigned, it "
                             "is read from the top-k (k={k}) of the distribution that predicts the token, and "
                             "{n} token(s) were outside it")
UNAVAILABLE_FIRST = ("the server's first echo entry is null and a completion of the first token alone did not "
                     "give the distribution after it, so the second token has no prediction")


class _Secret:
    """An API key that prints as <hidden> (repr, str, vars(), a traceback's locals)."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None):
        self._value = value

    def reveal(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>" if self._value else "None"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("an API key is not pickled")


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


class ServedModel:
    """A model behind an OpenAI-compatible server, accepted by `analyze` like a local LanguageModel.

    name: the server's model id. base_url: the server's root (without /v1). tokenizer / vocabulary: the
    model's own tokenizer when one was given or could be loaded locally (token ids, bytes and text then
    come out exactly as for a local model), else None (the server's token strings are used). context_length:
    the server's context window when it says, else None. alignment: what the probe found ("aligned" or
    "shifted"); probe: the probe's counts.
    """

    def __init__(self, base_url: str, name: str, *, api_key: str | None, timeout: float, tokenizer=None,
                 context_length: int | None = None, logprobs: int = DEFAULT_LOGPROBS):
        self.base_url = base_url
        self.name = name
        self._api_key = _Secret(api_key)
        self.timeout = timeout
        self.tokenizer = tokenizer
        self.context_length = context_length
        self.logprobs = logprobs
        self.alignment: str | None = None
        self.probe: dict = {}
        self.streams_logprobs: bool | None = None  # whether streamed completions carry log-probabilities
        self._vocabulary = None

    # -- what analyses ask of a model --------------------------------------------------------------
    @property
    def vocabulary(self) -> ServedVocabulary:
        """Token ids and display: the local tokenizer's where it matches the server's text (see
        served_vocabulary.py); made on first use."""
        if self._vocabulary is None:
            self._vocabulary = ServedVocabulary(self.tokenizer)
        return self._vocabulary

    @property
    def vocab_size(self) -> int | None:
        return None if self.tokenizer is None else len(self.vocabulary)

    def id_of_text(self, text: str) -> int | None:
        """The local token id of a server token text, or None when no single local token has it."""
        return self.vocabulary.local_id(text)

    @property
    def label(self) -> str:
        """A short name for a status line: the model id's last path part, and where it is served."""
        return f"{self.name.replace(chr(92), '/').rsplit('/', 1)[-1]} (served at {self.base_url})"

    def __repr__(self) -> str:
        return f"ServedModel({self.name!r}, base_url={self.base_url!r}, alignment={self.alignment!r})"

    def __getstate__(self):
        raise TypeError("a ServedModel holds a connection (and maybe an API key): it is not pickled")

    # -- HTTP ---------------------------------------------------------------------------------------
    def request(self, method: str, path: str, payload: dict | None = None) -> dict:
        """One JSON request to the server; every fault becomes a ServerError naming what to check."""
        return _request(self.base_url, method, path, payload, self._api_key.reveal(), self.timeout)

    def stream(self, path: str, payload: dict) -> Iterator[dict]:
        """The events of one streamed request (`"stream": true` is added); closing the iterator closes the
        connection, which is how a generation stops early."""
        response = _open(self.base_url, "POST", path, {**payload, "stream": True}, self._api_key.reveal(),
                         self.timeout)
        return _events(response, self.base_url, path, self.timeout)

    def completion(self, prompt: str, *, logprobs: int, echo: bool = True, max_tokens: int = 1) -> dict:
        """The first choice of /v1/completions for prompt, greedy (temperature 0)."""
        payload = {"model": self.name, "prompt": prompt, "echo": echo, "logprobs": logprobs,
                   "max_tokens": max_tokens, "temperature": 0.0}
        data = self.request("POST", "/v1/completions", payload)
        try:
            return data["choices"][0]
        except (KeyError, IndexError, TypeError):
            raise ServerProtocolError(
                f"the server at {self.base_url} answered /v1/completions without choices: {_excerpt(data)}"
            ) from None

    def prompt_logprobs(self, text: str, k: int) -> PromptEntries:
        """The raw echo log-probabilities of text's tokens, checked to be present and consistent."""
        choice = self.completion(text, logprobs=k)
        logprobs = choice.get("logprobs")
        if not isinstance(logprobs, dict) or not isinstance(logprobs.get("tokens"), list):
            raise PromptLogprobsUnsupportedError(
                f"the server at {self.base_url} returned no log-probabilities for the prompt (echo=true with "
                "logprobs): tokviz needs a server that scores prompt tokens (llama-cpp-python's server or "
                "vLLM do; llama.cpp's C++ server, TGI and hosted OpenAI models do not)")
        tokens = logprobs["tokens"]
        token_logprobs = logprobs.get("token_logprobs") or [None] * len(tokens)
        top = logprobs.get("top_logprobs") or [None] * len(tokens)
        if not tokens:
            raise PromptLogprobsUnsupportedError(
                f"the server at {self.base_url} ignored echo=true: it returned no prompt tokens")
        if not "".join(tokens)[:1] == text[:1]:
            raise ServerProtocolError(
                f"the server at {self.base_url} echoed tokens that do not start the text ({tokens[0]!r} for "
                f"{text[:20]!r}): it ignored echo=true, or dropped a leading special token (llama-cpp-python drops "
                "one it takes for the start-of-text token); tokviz cannot line its numbers up with the text")
        if len(token_logprobs) != len(tokens) or len(top) != len(tokens):
            raise ServerProtocolError("the server's tokens, token_logprobs and top_logprobs differ in length")
        if len(tokens) > 1 and all(t is None for t in top[1:]):
            raise PromptLogprobsUnsupportedError(
                f"the server at {self.base_url} returned prompt tokens without their top log-probabilities")
        top = [dict(t) if t else None for t in top]
        # Servers that echo the completion token too (vLLM) add its entry after the prompt's: cut there.
        offsets = logprobs.get("text_offset")
        after = None
        if isinstance(offsets, list) and len(offsets) == len(tokens):
            n = sum(1 for offset in offsets if isinstance(offset, int) and offset < len(text))
            if 0 < n < len(tokens):
                after = top[n]
                tokens, token_logprobs, top = tokens[:n], token_logprobs[:n], top[:n]
        return PromptEntries(list(tokens), list(token_logprobs), top, after)

    # -- the probe ----------------------------------------------------------------------------------
    def run_probe(self) -> str:
        """Find how the server aligns echo entries with tokens (sets and returns self.alignment)."""
        text = PROBE_TEXT
        entries = self.prompt_logprobs(text, 5)
        n = len(entries.tokens)
        late = range(n // 2, n - 1)  # positions where the pattern is certain; the last has no successor
        before = after = counted = 0
        for i in late:
            top = entries.top[i]
            if not top:
                continue
            best = max(top.items(), key=lambda kv: kv[1])[0]
            counted += 1
            before += best == entries.tokens[i]
            after += best == entries.tokens[i + 1]
        self.probe = {"text": text, "tokens": n, "positions": counted, "top1_is_token": before,
                      "top1_is_next_token": after}
        if counted and before >= PROBE_AGREEMENT * counted and after <= (1 - PROBE_AGREEMENT) * counted:
            self.alignment = ALIGNED
        elif counted and after >= PROBE_AGREEMENT * counted and before <= (1 - PROBE_AGREEMENT) * counted:
            self.alignment = SHIFTED
        else:
            raise ServerProtocolError(
                f"could not tell how the server at {self.base_url} aligns prompt log-probabilities with tokens: "
                f"on a repeated pattern, the top-1 of {before} of {counted} late entries was the entry's own "
                f"token and of {after} the next token (tokviz needs one of them at >= {PROBE_AGREEMENT:.0%}); "
                "refusing rather than showing numbers that may be shifted")
        self._probe_stream()
        return self.alignment

    def _probe_stream(self):
        """Check the numbers of generated tokens too, on the path generate() takes (a streamed completion):
        greedy decoding picks each entry's top-1, so an entry whose top-1 is not its own token describes
        another position. Sets self.streams_logprobs: True (checked), False (none reported)."""
        tokens = matched = 0
        payload = {"model": self.name, "prompt": PROBE_TEXT, "max_tokens": 4, "logprobs": 5, "temperature": 0.0,
                   **NEUTRAL_SAMPLERS}  # a repeat penalty would steer even greedy decoding off the top-1
        for event in self.stream("/v1/completions", payload):
            choice = (event.get("choices") or [{}])[0] if isinstance(event, dict) else {}
            logprobs = choice.get("logprobs") or {}
            for token, top in zip(logprobs.get("tokens") or [], logprobs.get("top_logprobs") or []):
                if top:
                    tokens += 1
                    matched += max(top, key=top.get) == token
        self.probe.update(stream_tokens=tokens, stream_top1_is_token=matched)
        self.streams_logprobs = tokens > 0
        if tokens and matched < tokens:
            raise ServerProtocolError(
                f"the server at {self.base_url} streams generated tokens whose log-probabilities describe another "
                f"position: greedy decoding chose its entry's top-1 for only {matched} of {tokens} tokens; refusing "
                "rather than showing numbers that may be shifted")


@dataclass
class PromptEntries:
    """The server's echo entries as it returned them: entry i = (tokens[i], token_logprobs[i], top[i])."""

    tokens: list[str]
    token_logprobs: list[float | None]
    top: list[dict[str, float] | None]
    completion_top: dict[str, float] | None = None  # the first completion token's entry, when echoed


@dataclass
class ServedPosition:
    """The realigned distribution that predicts one token: its top-k [(text, logprob)], best first, and the
    token's log-prob (None with a reason when the server's answer cannot give it)."""

    top: list[tuple[str, float]]
    logprob: float | None
    reason: str | None = None


@dataclass
class ServedScores:
    """Realigned scores of a text: positions[i] predicts token i (None: no prediction), next = after the last."""

    tokens: list[str]
    positions: list[ServedPosition | None]
    next: ServedPosition | None
    k: int
    unavailable: dict[str, str] = field(default_factory=dict)


def refuse_served(lm, what: str, needs: str = "every layer's hidden states") -> None:
    """A clear error for an analysis a server cannot feed (it returns only each position's top-k)."""
    if isinstance(lm, ServedModel):
        raise ServedUnsupportedError(
            f"{what} needs {needs}, which an OpenAI-compatible server does not return ({lm.name} is served at "
            f"{lm.base_url}); load the model locally with tokviz.load_model (quantization='4bit' for a big one)")


def require_tokenizer(lm) -> None:
    """Analyses that work on token ids need the model's tokenizer here; a served model may have none."""
    if isinstance(lm, ServedModel) and lm.tokenizer is None:
        raise ServedUnsupportedError(
            f"this analysis works on token ids and needs {lm.name}'s tokenizer here (the server names tokens only "
            "by their text): pass tokenizer= (a Hugging Face name or path) to tokviz.connect")


def check_alternatives(served: ServedModel, alternatives) -> int:
    """Candidates per position: 1 .. the top-k the server is asked for (vLLM refuses more than 20 by default)."""
    return check_int(alternatives, "alternatives", low=1, high=served.logprobs,
                     hint=f" (a served model reports at most the server's top {served.logprobs})")


def candidate_from_text(served: ServedModel, text: str, logprob: float):
    """A Candidate from the server's (text, logprob): the local token when exactly one has that text, else
    the text's own negative id (ServedVocabulary)."""
    from .analysis.token_info import Candidate

    vocabulary = served.vocabulary
    token_id = vocabulary.id_of_text(text)
    prob = min(1.0, math.exp(logprob))
    return Candidate(token_id=token_id, text=vocabulary.piece_text(token_id), prob=prob,
                     bytes=vocabulary.bytes_of(token_id))


def sorted_top(entry: dict[str, float], k: int) -> list[tuple[str, float]]:
    """A server's {text: logprob} entry as its k most probable (text, logprob), best first."""
    return sorted(entry.items(), key=lambda kv: -kv[1])[:k]


def _after_first_token(served: ServedModel, tokens: list[str], k: int) -> ServedPosition | None:
    """The distribution that predicts token 1, which echo leaves null: a completion (no echo) of the first
    token alone, whose generated token's top-k is the distribution after it. None when the first token's
    text does not come back as one prompt token."""
    choice_data = served.request("POST", "/v1/completions", {
        "model": served.name, "prompt": tokens[0], "echo": False, "logprobs": k, "max_tokens": 1,
        "temperature": 0.0})
    try:
        choice = choice_data["choices"][0]
        prompt_tokens = choice_data.get("usage", {}).get("prompt_tokens")
        entry = choice["logprobs"]["top_logprobs"][0]
    except (KeyError, IndexError, TypeError):
        return None
    if not entry or prompt_tokens not in (1, 2):  # 2: a server that adds BOS
        return None
    top = dict(entry)
    text_1 = tokens[1]
    ambiguous = served.id_of_text(text_1) is None if served.tokenizer is not None else text_1 == ""
    if ambiguous:
        return ServedPosition(sorted_top(top, k), None, "ambiguous token text")
    if text_1 in top:
        return ServedPosition(sorted_top(top, k), top[text_1])
    return ServedPosition(sorted_top(top, k), None, f"outside the server's top-k (k={k})")


def score_text(served: ServedModel, text: str, k: int | None = None) -> ServedScores:
    """The log-probabilities of text's tokens from the server, realigned so positions[i] predicts token i."""
    k = max(served.logprobs, k or 0)
    entries = served.prompt_logprobs(text, k)
    n = len(entries.tokens)
    unavailable: dict[str, str] = {}
    positions: list[ServedPosition | None] = [None] * n
    nxt = None
    if served.alignment == ALIGNED:
        for i in range(1, n):
            if entries.top[i] is not None:
                positions[i] = ServedPosition(sorted_top(entries.top[i], k), entries.token_logprobs[i])
        # the distribution after the prompt: the generated token's entry, when the server echoes it too
        if entries.completion_top is not None:
            nxt = ServedPosition(sorted_top(entries.completion_top, k), None)
        else:
            unavailable["next"] = "the server did not echo the completion token's entry (the distribution " \
                                  "after the prompt)"
    elif served.alignment == SHIFTED:
        outside = 0
        for i in range(1, n):
            entry = entries.top[i - 1]
            if entry is None:
                continue
            text_i = entries.tokens[i]
            ambiguous = served.tokenizer is not None and served.id_of_text(text_i) is None
            if ambiguous or (served.tokenizer is None and text_i == ""):
                positions[i] = ServedPosition(sorted_top(entry, k), None,
                                              "the server's text for this token is shared by other tokens, so "
                                              "its log-probability cannot be read from the top-k by text")
            elif text_i in entry:
                positions[i] = ServedPosition(sorted_top(entry, k), entry[text_i])
            else:
                outside += 1
                positions[i] = ServedPosition(sorted_top(entry, k), None, f"outside the server's top-k (k={k})")
        if entries.top[n - 1] is not None:
            nxt = ServedPosition(sorted_top(entries.top[n - 1], k), None)
        if outside:
            unavailable["logprob"] = UNAVAILABLE_OUTSIDE_TOP_K.format(k=k, n=outside)
    else:
        raise ServerProtocolError("the server's alignment is unknown: connect() probes it")
    if n > 1 and positions[1] is None:
        positions[1] = _after_first_token(served, entries.tokens, k)
        if positions[1] is None:
            unavailable["first_prediction"] = UNAVAILABLE_FIRST
        elif positions[1].logprob is None and "logprob" not in unavailable:
            unavailable["logprob"] = UNAVAILABLE_OUTSIDE_TOP_K.format(k=k, n=1)
    unavailable["entropy"] = UNAVAILABLE_ENTROPY
    unavailable["rank"] = UNAVAILABLE_RANK.format(k=k)
    return ServedScores(list(entries.tokens), positions, nxt, k, unavailable)


# -- connect ----------------------------------------------------------------------------------------
def connect(base_url: str, model: str | None = None, *, api_key: str | None = None, timeout: float = 30.0,
            tokenizer=None, logprobs: int = DEFAULT_LOGPROBS, probe: bool = True) -> ServedModel:
    """A model served at base_url by an OpenAI-compatible server (e.g. "http://127.0.0.1:8000" or ".../v1").

    model: the server's model id (None: the only one it serves). tokenizer: the model's tokenizer (object,
    or a name / path for AutoTokenizer); None loads the default model's when the server serves its GGUF.
    logprobs: the top-k asked of the server at every position (vLLM allows 20 unless started with a larger
    --max-logprobs; llama-cpp-python has no limit): more candidates, and more realigned log-probabilities.
    On connect tokviz lists the server's models, then probes how it aligns log-probabilities.
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
    listing = _request(url, "GET", "/v1/models", None, api_key, timeout)
    served = [m for m in listing.get("data", []) if isinstance(m, dict) and "id" in m] if isinstance(
        listing, dict) else []
    if not served:
        raise ServerProtocolError(f"the server at {url} lists no models at /v1/models: {_excerpt(listing)}")
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
    context = next((entry[key] for key in ("max_model_len", "context_length", "n_ctx", "max_context_length")
                    if isinstance(entry.get(key), int) and entry[key] > 0), None)
    lm = ServedModel(url, entry["id"], api_key=api_key, timeout=float(timeout),
                     tokenizer=_load_tokenizer(tokenizer, entry["id"]), context_length=context, logprobs=logprobs)
    if probe:
        lm.run_probe()
    return lm


def _load_tokenizer(tokenizer, model_id: str):
    if tokenizer is not None and not isinstance(tokenizer, str):
        return tokenizer
    from transformers import AutoTokenizer

    if isinstance(tokenizer, str):
        return AutoTokenizer.from_pretrained(tokenizer)
    from .models import DEFAULT_MODEL_GGUF, default_model_dir

    if model_id.replace("\\", "/").rsplit("/", 1)[-1] == DEFAULT_MODEL_GGUF:
        return AutoTokenizer.from_pretrained(default_model_dir())
    return None


def _excerpt(data, limit: int = 300) -> str:
    text = data if isinstance(data, str) else json.dumps(data)[:limit]
    return text[:limit] + ("..." if len(text) > limit else "")


def _open(base_url: str, method: str, path: str, payload: dict | None, api_key: str | None, timeout: float):
    """The server's HTTP response to one request; every fault before the answer starts is a ServerError."""
    url = base_url + path
    headers = {"Accept": "application/json"}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as error:
        detail = _redact(error.read().decode("utf-8", errors="replace"), api_key)
        raise _http_error(error.code, url, detail) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise _timeout(base_url, path, timeout) from None
        raise ServerUnreachableError(
            f"no server answers at {base_url} ({_redact(str(reason), api_key)}): is it running, and is the URL "
            "right?") from None
    except TimeoutError:
        raise _timeout(base_url, path, timeout) from None
    except (ConnectionError, OSError, http.client.HTTPException) as error:
        raise _dropped(base_url, path, error) from None


def _timeout(base_url: str, path: str, timeout: float) -> ServerTimeoutError:
    return ServerTimeoutError(f"the server at {base_url} did not answer {path} within {timeout:g} s")


def _dropped(base_url: str, path: str, error: BaseException) -> ServerUnreachableError:
    return ServerUnreachableError(f"the connection to {base_url} dropped during {path} ({type(error).__name__})")


def _request(base_url: str, method: str, path: str, payload: dict | None, api_key: str | None,
             timeout: float):
    response = _open(base_url, method, path, payload, api_key, timeout)
    try:
        with response:
            raw = response.read()
    except TimeoutError:
        raise _timeout(base_url, path, timeout) from None
    except (ConnectionError, OSError, http.client.HTTPException) as error:  # reset or dropped mid-answer
        raise _dropped(base_url, path, error) from None
    try:
        return json.loads(raw)
    except ValueError:
        raise ServerProtocolError(
            f"{base_url + path} did not answer with JSON (is {base_url} an OpenAI-compatible server?): "
            f"{_excerpt(_redact(raw.decode('utf-8', errors='replace'), api_key))}") from None


def _events(response, base_url: str, path: str, timeout: float) -> Iterator[dict]:
    """The JSON events of a server-sent-events answer (`data: {...}` lines), until `data: [DONE]`. A
    connection lost or silent for `timeout` seconds mid-answer is a ServerUnreachableError / ServerTimeoutError."""
    with response:
        while True:
            try:
                line = response.readline()
            except TimeoutError:
                raise _timeout(base_url, path, timeout) from None
            except (ConnectionError, OSError, http.client.HTTPException) as error:
                raise _dropped(base_url, path, error) from None
            if not line:
                raise ServerUnreachableError(
                    f"the connection to {base_url} dropped during {path} (the stream ended without [DONE])")
            line = line.strip()
            if not line.startswith(b"data:"):
                continue  # blank separators, comments (": ping"), event names
            data = line[len(b"data:"):].strip()
            if data == b"[DONE]":
                return
            try:
                event = json.loads(data)
            except ValueError:
                raise ServerProtocolError(f"{base_url + path} streamed an event that is not JSON: "
                                          f"{_excerpt(data.decode('utf-8', errors='replace'))}") from None
            if isinstance(event, dict) and "error" in event:
                raise ServerError(f"{base_url + path} reported an error mid-stream: {_excerpt(event['error'])}")
            yield event


def _http_error(code: int, url: str, detail: str) -> ServerError:
    excerpt = _excerpt(detail)
    if code in (401, 403):
        return ServerAuthError(f"the server refused the request to {url} (HTTP {code}): the API key is missing "
                               "or wrong")
    if code == 404:
        lowered = detail.lower()
        if "model" in lowered and "not" in lowered and "found" in lowered and "/v1/" in url:
            return UnknownServedModelError(f"{url}: HTTP 404, the server does not serve that model: {excerpt}")
        return ServerProtocolError(f"{url} does not exist (HTTP 404): is the base URL right? tokviz expects an "
                                   "OpenAI-compatible server's root, e.g. http://127.0.0.1:8000")
    lowered = detail.lower()
    if "context" in lowered and any(w in lowered for w in ("exceed", "longer", "maximum", "too long")):
        return ServedContextError(f"the prompt is longer than the server's context window: {excerpt}")
    return ServerError(f"{url} answered HTTP {code}: {excerpt}")
