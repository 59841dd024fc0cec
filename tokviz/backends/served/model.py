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

from collections.abc import Iterator
from types import MappingProxyType

from ...errors import PromptLogprobsUnsupportedError, ServerProtocolError
from ..protocol import BEAMS, BRANCHES, CHAT, HIDDEN_STATES, LOGITS, TOKEN_IDS
from .generation import NEUTRAL_SAMPLERS, generate_served
from .http import Secret, events, excerpt, open_response, request_json
from .native import NATIVE, OPENAI, native_score, repeat_probe
from .native_text import native_text_scores
from .prompt import served_text_scores
from .realign import ALIGNED, SHIFTED, PromptEntries
from .scores import score_served
from .vocabulary import ServedVocabulary

# The probe: counting "1, 2, 3, ..., 30", whose continuation is certain from the middle on (the default
# 135M model puts the right token on top at 54 of 54 late positions; a repeated four-word pattern was
# too weak for it), so the entry describing the distribution before each late token must have that
# token on top.
PROBE_TEXT = ", ".join(str(i) for i in range(1, 31))
# Fraction of the probe's late positions that must agree with one alignment (and at most 1 - this with the other).
PROBE_AGREEMENT = 0.8
# Top-k asked of the server for every scored text (vLLM caps prompt log-probs at 20 by default).
DEFAULT_LOGPROBS = 20


# What a served model cannot do, and why (TokenViz shows these as the reason a control is switched off).
BEAMS_REFUSED = ("beam search is not part of the OpenAI completions API, so a served model cannot run it "
                 "(num_beams must be 1); load the model locally with tokviz.load_model to see beams")
CHAT_REFUSED = ("chat=True writes the chat template's special tokens into the prompt, and servers echo those "
                "differently (llama-cpp-python drops a leading one as its start-of-text token), so the prompt's "
                "numbers could not be lined up with its tokens; send the text itself with chat=False")
BRANCH_REFUSED = ("a served model continues a text, not token ids, so it cannot force tokens (prefix_ids) or cut the "
                  "prompt at a token (prompt_tokens); change the prompt's text instead")
NOT_RETURNED = "which an OpenAI-compatible server does not return"
LOCALLY = "load the model locally with tokviz.load_model (quantization='4bit' for a big one)"
SERVER_REFUSALS = MappingProxyType({
    BEAMS: BEAMS_REFUSED, CHAT: CHAT_REFUSED, BRANCHES: BRANCH_REFUSED,
    HIDDEN_STATES: f"it needs every layer's hidden states, {NOT_RETURNED}; {LOCALLY}",
    LOGITS: f"it needs the whole next-token logits, {NOT_RETURNED}; {LOCALLY}",
})
NO_TOKENIZER = ("it works on token ids and needs the model's tokenizer here (the server names tokens only by their "
                "text): pass tokenizer= (a Hugging Face name or path) to tokviz.connect")


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
        self._api_key = Secret(api_key)
        self.timeout = timeout
        self.tokenizer = tokenizer
        self.context_length = context_length
        self.logprobs = logprobs
        self.alignment: str | None = None
        self.probe: dict = {}
        self.streams_logprobs: bool | None = None  # whether streamed completions carry log-probabilities
        self.engine = OPENAI  # which engine answers (native.detect_engine): its best path is used
        self.engine_version: str | None = None
        self.repeat_change: float | None = None  # largest change between two identical requests (probe)
        self._vocabulary = None

    # -- what analyses ask of a model --------------------------------------------------------------
    @property
    def vocabulary(self) -> ServedVocabulary:
        """Token ids and display: the local tokenizer's where it matches the server's text (see
        vocabulary.py); made on first use."""
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

    # -- the backend protocol ------------------------------------------------------------------------
    @property
    def max_alternatives(self) -> int:
        return self.logprobs

    @property
    def unsupported(self):
        if self.tokenizer is None:
            return MappingProxyType({**SERVER_REFUSALS, TOKEN_IDS: NO_TOKENIZER})
        return SERVER_REFUSALS

    def score(self, requests, alternatives: int = 1, *, batch_size: int | None = None):
        if self.engine in NATIVE:
            return native_score(self, requests, alternatives), len(requests)
        return score_served(self, requests, alternatives)

    def score_text(self, text: str, alternatives: int):
        if self.engine in NATIVE:
            return native_text_scores(self, text, alternatives)
        return served_text_scores(self, text, alternatives)

    def generate(self, prompt: str, decoding, **run):
        return generate_served(self, prompt, decoding, **run)

    def missing_numbers(self, what: str, count: int) -> str:
        if self.engine in NATIVE:
            return (f"{what} needs the log-probability of {count} token(s) outside the top {self.logprobs} that "
                    f"{self.engine} reports at their position; ask for more (tokviz.connect(..., logprobs=K))")
        return (f"{what} needs the log-probability of {count} token(s) that the server's answer does not hold: they "
                f"are outside the top {self.logprobs} it reports there (its prompt numbers are shifted, so a token's "
                "own log-probability is read from the top-k). Ask for more candidates (tokviz.connect(..., "
                "logprobs=K); llama-cpp-python has no limit, vLLM's is --max-logprobs) or use a server whose prompt "
                "log-probabilities are aligned (vLLM)")

    def __repr__(self) -> str:
        return f"ServedModel({self.name!r}, base_url={self.base_url!r}, alignment={self.alignment!r})"

    def __getstate__(self):
        raise TypeError("a ServedModel holds a connection (and maybe an API key): it is not pickled")

    # -- HTTP ---------------------------------------------------------------------------------------
    def request(self, method: str, path: str, payload: dict | None = None) -> dict:
        """One JSON request to the server; every fault becomes a ServerError naming what to check."""
        return request_json(self.base_url, method, path, payload, self._api_key.reveal(), self.timeout)

    def stream(self, path: str, payload: dict) -> Iterator[dict]:
        """The events of one streamed request (`"stream": true` is added); closing the iterator closes the
        connection, which is how a generation stops early."""
        response = open_response(self.base_url, "POST", path, {**payload, "stream": True}, self._api_key.reveal(),
                         self.timeout)
        return events(response, self.base_url, path, self.timeout)

    def completion(self, prompt: str, *, logprobs: int, echo: bool = True, max_tokens: int = 1) -> dict:
        """The first choice of /v1/completions for prompt, greedy (temperature 0)."""
        payload = {"model": self.name, "prompt": prompt, "echo": echo, "logprobs": logprobs,
                   "max_tokens": max_tokens, "temperature": 0.0}
        data = self.request("POST", "/v1/completions", payload)
        try:
            return data["choices"][0]
        except (KeyError, IndexError, TypeError):
            raise ServerProtocolError(
                f"the server at {self.base_url} answered /v1/completions without choices: {excerpt(data)}"
            ) from None

    def prompt_logprobs(self, text: str, k: int) -> PromptEntries:
        """The raw echo log-probabilities of text's tokens, checked to be present and consistent."""
        choice = self.completion(text, logprobs=k)
        logprobs = choice.get("logprobs")
        if not isinstance(logprobs, dict) or not isinstance(logprobs.get("tokens"), list):
            raise PromptLogprobsUnsupportedError(
                f"the server at {self.base_url} returned no log-probabilities for the prompt (echo=true with "
                "logprobs): tokviz needs a server that scores prompt tokens (llama-cpp-python's server or "
                "vLLM do; TGI and hosted OpenAI models do not), or the model's tokenizer here (tokenizer=) to "
                "speak llama.cpp's llama-server, vLLM or SGLang by token id")
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
        """Find how the server aligns echo entries with tokens (sets and returns self.alignment). An engine
        with a native path names tokens by id: it is checked instead for identical answers to identical
        requests (self.repeat_change)."""
        if self.engine in NATIVE:
            ids = self.tokenizer(PROBE_TEXT)["input_ids"]
            self.repeat_change = repeat_probe(self, ids, 5)
            self.probe = {"text": PROBE_TEXT, "tokens": len(ids), "repeat_change": self.repeat_change}
            self.alignment = ALIGNED
            return self.alignment
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

