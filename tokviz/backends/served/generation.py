"""generate() for a served model: the server's streamed completion, one token at a time, with the
log-probabilities it reports for each.

The server decodes; tokviz reads. Greedy is temperature 0; sampling sends temperature / top-k / top-p /
seed and switches off the server-only samplers that transformers does not have (llama.cpp's min-p 0.05
and repeat penalty 1.1 by default). One difference stays: llama.cpp applies top-k and top-p before the
temperature, transformers after it, so top-p with a temperature other than 1 keeps other tokens there
(docs/numbers.md). Stop strings are found
here, by the same Completion bookkeeping as a local generation, and end the stream by closing it; so does
Stop (cancel). A stream that breaks after some tokens keeps them: stopped_by="cut_off", with the reason.

Which distribution the server's numbers describe is checked, not assumed: a sampled token's top-k is set
beside the prompt's own next-token distribution (both from the same server, the latter at temperature 0).
If they agree, the server reports the model's raw probabilities (llama-cpp-python, vLLM's default);
otherwise those of the processed distribution it sampled from. What is not reported is None with a reason.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...checks import check_text
from ...core.completion import Completion, StepStats, StopScanner
from ...core.decoding import DecodingParams
from ...core.encoding import tokenize
from ...core.generation_result import Generation
from ...core.prompt_result import prompt_analysis
from ...core.token_info import Candidate, TokenInfo
from ...errors import PromptLogprobsUnsupportedError, ServedContextError, ServerError
from .llama_server import LLAMA_SERVER, candidates_by_id, next_token, read_candidates, read_token
from .llama_server_generation import add_raw_numbers, processed_step
from .prompt import check_fits, served_text_scores
from .realign import UNAVAILABLE_ENTROPY, candidate_from_text, rank_in_top, read_entry

if TYPE_CHECKING:
    from .model import ServedModel

# Samplers some servers apply by default and transformers does not (llama.cpp: min-p 0.05, a repeat penalty
# of 1.1 even before greedy decoding), switched off in every request that decodes.
NEUTRAL_SAMPLERS = {"min_p": 0.0, "repeat_penalty": 1.0, "repetition_penalty": 1.0, "frequency_penalty": 0.0,
                    "presence_penalty": 0.0}

# Top-k log-probabilities of the sampled and the prompt's distribution agree this closely (nats) when the
# server reports raw numbers; temperature or a filter moves them by far more.
SAME_DISTRIBUTION_NATS = 0.05

# How servers spell "no top-k filter": llama.cpp and vLLM take 0, SGLang and older vLLM only -1.
TOP_K_OFF = (0, -1)

UNAVAILABLE_SAMPLED = ("the server reports the model's own (raw) log-probabilities, not those of the distribution "
                       "it sampled from after temperature / top-k / top-p")
UNAVAILABLE_RAW = ("the server reports the log-probabilities of the distribution it sampled from (after temperature "
                   "/ top-k / top-p), not the model's own: prob and rank are unknown, sampled_prob is the server's")
UNAVAILABLE_EOS = ("the server ends at the end-of-text token without sending it, so the generation has no EOS "
                   "token of its own")
UNAVAILABLE_TEXT = ("the server wrote {n} token(s) as empty text (a character split across tokens, whose bytes it "
                    "drops); their bytes are unknown")


def generate_served(served: ServedModel, prompt: str, decoding: DecodingParams, *, alternatives: int,
                    on_token: Callable[[TokenInfo], object] | None, cancel: threading.Event | None,
                    chat: bool, prefix_ids, prompt_tokens) -> Generation:
    """tokviz.generate on a served model (see generate's docstring; same arguments, same result type)."""
    check_text(prompt, "prompt")
    if served.streams_logprobs is False:
        raise PromptLogprobsUnsupportedError(
            f"the server at {served.base_url} streams generated tokens without log-probabilities, which tokviz "
            "shows; llama-cpp-python's server and vLLM send them")
    check_fits(served, prompt, room=decoding.max_new_tokens, what="prompt")  # before scoring it
    by_id = served.engine == LLAMA_SERVER  # token ids in and out; it scores no prompt through echo
    scores = served.score_text(prompt, alternatives) if by_id else served_text_scores(served, prompt, alternatives)
    analysis = prompt_analysis(served, prompt, scores, alternatives)
    room = len(analysis.tokens) + decoding.max_new_tokens
    if served.context_length is not None and room > served.context_length:
        raise ServedContextError(
            f"the prompt is {len(analysis.tokens)} tokens long plus {decoding.max_new_tokens} new tokens, but "
            f"{served.name} accepts at most {served.context_length} tokens (the server's context window)")
    vocabulary = served.vocabulary
    completion = Completion(vocabulary, [], len(analysis.tokens), _eos_ids(served),
                            StopScanner(list(decoding.stop)) if decoding.stop else None, on_token)
    reader = _StreamReader(served, analysis.next, decoding, completion, alternatives, by_id)
    ids_before = tokenize(served, prompt).all_ids if by_id else []
    payload = _payload(served, ids_before if by_id else prompt, decoding)
    if reader.post_sampling:
        payload["post_sampling_probs"] = True  # the sampled distribution now, the raw one by id after
    events = _open_stream(served, payload)
    cancelled = False
    try:
        for event in events:
            if reader.read(event):
                break
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
    except ServerError as error:
        if not completion.tokens:
            raise
        reader.cut_off = f"{error}: the {len(completion.tokens)} token(s) received before it are kept"
    finally:
        events.close()  # closing the stream is how the server learns to stop early
    completion.finish()
    if reader.post_sampling:
        try:
            add_raw_numbers(served, completion, ids_before, reader.processed, alternatives)
        except ServerError as error:
            reader.raw_failed = f"reading the raw numbers of the generated tokens failed: {error}"
    if reader.finish_reason == "stop" and completion.stop_string is None and not cancelled:
        completion.ended_by_eos = True
    stopped_by = "cut_off" if reader.cut_off and not completion.ended_by_eos else completion.stopped_by(cancelled)
    unavailable = reader.unavailable(stopped_by)
    after: list[Candidate] = []
    if stopped_by not in ("eos", "cut_off"):
        after = (_distribution_after_ids(served, ids_before + [t.token_id for t in completion.tokens],
                                         alternatives, unavailable) if by_id
                 else _distribution_after(served, prompt + completion.text, alternatives, unavailable))
    details = {"length_penalty": None, "alternatives": alternatives, "chat": chat, "eos_token_ids": _eos_ids(served),
               "prefix_ids": [], "prompt_tokens": None, "served": served.base_url,
               "reported_logprobs": reader.reported}
    return Generation(prompt=analysis, tokens=completion.tokens, text=completion.text, stopped_by=stopped_by,
                      decoding=decoding, details=details, stop_string=completion.stop_string,
                      unavailable=unavailable, next=after, next_entropy=None)


def _payload(served: ServedModel, prompt: str | list[int], decoding: DecodingParams) -> dict:
    payload = {"model": served.name, "prompt": prompt, "max_tokens": decoding.max_new_tokens, "echo": False,
               "logprobs": served.logprobs, **NEUTRAL_SAMPLERS}
    if decoding.do_sample:
        payload.update(temperature=float(decoding.temperature), top_p=1.0 if decoding.top_p is None else decoding.top_p,
                       top_k=TOP_K_OFF[0] if decoding.top_k is None else decoding.top_k)
        if decoding.seed is not None:
            payload["seed"] = decoding.seed
    else:
        payload["temperature"] = 0.0  # greedy: the filters change nothing
    return payload


def _open_stream(served: ServedModel, payload: dict):
    """The completion's event stream. "No top-k filter" is 0 for llama.cpp (which refuses -1) and -1 for
    SGLang and older vLLM (which refuse 0): the first is tried, and the other when the server refuses it."""
    try:
        return served.stream("/v1/completions", payload)
    except ServerError as error:
        if payload.get("top_k") != TOP_K_OFF[0] or "top_k" not in str(error):
            raise
        return served.stream("/v1/completions", {**payload, "top_k": TOP_K_OFF[1]})


class _StreamReader:
    """Turns the server's streamed events into tokens of a Completion, deciding on the first sampled
    token which distribution the server's numbers describe."""

    def __init__(self, served: ServedModel, prompt_next: list[Candidate], decoding: DecodingParams,
                 completion: Completion, alternatives: int, by_id: bool = False):
        self.served = served
        self.alternatives = alternatives
        self.prompt_next = prompt_next
        self.completion = completion
        self.finish_reason: str | None = None
        self.cut_off: str | None = None
        self.lossy_texts = 0
        # Greedy, or sampling that changes nothing: the sampled distribution is the model's own.
        self.identity = not decoding.do_sample or (decoding.temperature == 1.0 and decoding.top_k is None
                                                   and decoding.top_p in (None, 1.0))
        self.do_sample = decoding.do_sample
        # Whether the drawn token is surely among the server's k reported candidates: greedy takes the top-1,
        # and top-k sampling (k no larger than the server's) draws among the model's k best.
        self.drawn_in_top = not decoding.do_sample or (decoding.top_k is not None
                                                       and 0 < decoding.top_k <= served.logprobs)
        self.reported = "raw" if self.identity else None  # decided on the first sampled token otherwise
        # by id (llama-server), a sampled run streams the processed numbers and reads the raw ones after
        self.post_sampling = by_id and not self.identity
        self.processed: list[tuple[dict[int, float], bool]] = []  # each token's processed candidates
        self.raw_failed: str | None = None
        if self.post_sampling:
            self.reported = "raw and processed"

    def read(self, event: dict) -> bool:
        """Take one event; True when the completion must end (EOS, a stop string)."""
        try:
            choice = event["choices"][0]
        except (KeyError, IndexError, TypeError):
            return False  # e.g. a usage-only event
        self.finish_reason = choice.get("finish_reason") or self.finish_reason
        logprobs = choice.get("logprobs") or {}
        if isinstance(logprobs.get("content"), list):  # by id (llama-server): the ids decode here, exactly
            return any(self.completion.push(*self._token_by_id(entry)) for entry in logprobs["content"])
        tokens = logprobs.get("tokens") or []
        token_logprobs = logprobs.get("token_logprobs") or [None] * len(tokens)
        tops = logprobs.get("top_logprobs") or [None] * len(tokens)
        texts = _split_text(choice.get("text") or "", tokens)
        for token, text, lp, top in zip(tokens, texts, token_logprobs, tops):
            if self.completion.push(*self._token(token, lp, dict(top or {})), text=text):
                return True
        return False

    def _token(self, text: str, logprob: float | None, top: dict[str, float]) -> tuple[int, StepStats | None]:
        vocabulary = self.served.vocabulary
        token_id = vocabulary.id_of_text(text)
        self.lossy_texts += text == ""
        if logprob is None and not top:
            return token_id, None
        if self.reported is None:
            self.reported = "raw" if _same_distribution(vocabulary, top, self.prompt_next) else "processed"
        # A token outside the top-k is added to it by some servers: only the first k have a rank.
        # shared texts left out where a key may have been written twice
        ranked, shared = read_entry(vocabulary, top, self.served.logprobs, own_in_top=self.drawn_in_top)
        rank = None if shared else rank_in_top(vocabulary, ranked, token_id)
        candidates = [candidate_from_text(self.served, t, lp) for t, lp in ranked[: self.alternatives]]
        if self.reported == "raw":
            sampled = logprob if self.identity else None
            return token_id, StepStats(logprob, rank, None, candidates, sampled)
        return token_id, StepStats(None, None, None, candidates, logprob)

    def _token_by_id(self, entry: dict) -> tuple[int, StepStats]:
        if self.post_sampling:
            token_id, stats, kept = processed_step(entry, self.served.logprobs)
            self.processed.append(kept)
            return token_id, stats
        # otherwise greedy or plain sampling: the raw numbers, which are also the sampled ones
        token_id, logprob = read_token(entry)
        top = read_candidates(entry)[: self.served.logprobs]
        ids = [i for i, _ in top]
        rank = ids.index(token_id) + 1 if token_id in ids else None
        candidates = candidates_by_id(self.served.vocabulary, top[: self.alternatives])
        return token_id, StepStats(logprob, rank, None, candidates, logprob)

    def unavailable(self, stopped_by: str) -> dict[str, str]:
        reasons = {"entropy": UNAVAILABLE_ENTROPY}
        if self.reported == "raw" and self.do_sample and not self.identity:
            reasons["sampled_prob"] = UNAVAILABLE_SAMPLED
        if self.reported == "processed":
            reasons["prob"] = UNAVAILABLE_RAW
        if self.raw_failed:
            reasons["prob"] = self.raw_failed
        if stopped_by == "eos":
            reasons["eos_token"] = UNAVAILABLE_EOS
        if self.lossy_texts:
            reasons["token_text"] = UNAVAILABLE_TEXT.format(n=self.lossy_texts)
        if self.cut_off:
            reasons["cut_off"] = self.cut_off
        return reasons


def _same_distribution(vocabulary, top: dict[str, float], prompt_next: list[Candidate]) -> bool:
    """Whether a first sampled token's top-k log-probs are those of the prompt's raw next-token distribution."""
    raw = {c.token_id: math.log(c.prob) for c in prompt_next if c.prob > 0}
    sampled = {vocabulary.id_of_text(t): lp for t, lp in top.items() if not vocabulary.shared_text(t)}
    shared = [i for i in sampled if i in raw]
    return bool(shared) and max(abs(sampled[i] - raw[i]) for i in shared) < SAME_DISTRIBUTION_NATS


def _split_text(text: str, tokens: list[str]) -> list[str]:
    """The event's text divided among its tokens: each token takes its own string where the text goes on
    with it; the last takes the rest (a server holds back a character split across tokens, then sends it
    with the token that completes it)."""
    if len(tokens) <= 1:
        return [text] * len(tokens)
    parts, at = [], 0
    for token in tokens[:-1]:
        take = token if text.startswith(token, at) else ""
        parts.append(take)
        at += len(take)
    return [*parts, text[at:]]


def _distribution_after(served: ServedModel, text: str, alternatives: int, unavailable: dict) -> list[Candidate]:
    """The distribution after the completion: the top-k of a one-token greedy completion of the whole text."""
    try:
        choice = served.completion(text, logprobs=served.logprobs, echo=False, max_tokens=1)
        top = (choice.get("logprobs") or {}).get("top_logprobs") or [None]
    except ServerError as error:
        unavailable["next"] = f"asking for the distribution after the completion failed: {error}"
        return []
    if not top[0]:
        unavailable["next"] = "the server gave no top-k for the token after the completion"
        return []
    ranked, _ = read_entry(served.vocabulary, top[0], served.logprobs, own_in_top=True)  # greedy
    return [candidate_from_text(served, t, lp) for t, lp in ranked[:alternatives]]


def _distribution_after_ids(served: ServedModel, ids: list[int], alternatives: int,
                            unavailable: dict) -> list[Candidate]:
    """The distribution after the completion, by id: the top-k of one more token after all of ids."""
    try:
        top = read_candidates(next_token(served, ids, served.logprobs, None))
    except ServerError as error:
        unavailable["next"] = f"asking for the distribution after the completion failed: {error}"
        return []
    return candidates_by_id(served.vocabulary, top[:alternatives])


def _eos_ids(served: ServedModel) -> list[int]:
    tokenizer = served.tokenizer
    eos = getattr(tokenizer, "eos_token_id", None) if tokenizer is not None else None
    return [] if eos is None else [int(eos)]


