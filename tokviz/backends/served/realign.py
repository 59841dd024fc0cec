"""A served text's echo entries realigned so that position i holds the distribution that predicts token i.

The probe (model.py) found whether entry i describes token i ("aligned") or the one after it ("shifted",
llama-cpp-python for a model without BOS); shifted entries are read one position earlier. A token's own
log-probability is then read from that position's top-k by its text: where several tokens share the text,
or the token is outside the top-k, it has no number (None, with the reason), never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...core.token_info import Candidate
from ...errors import ServerProtocolError
from ..protocol import UNAVAILABLE_ENTROPY

if TYPE_CHECKING:
    from .model import ServedModel

ALIGNED = "aligned"
SHIFTED = "shifted"

UNAVAILABLE_RANK = "known only when the token is inside the server's top-k (k={k}); None otherwise"
UNAVAILABLE_OUTSIDE_TOP_K = ("the server's log-probability for these tokens is shifted (or missing); realigned, it "
                             "is read from the top-k (k={k}) of the distribution that predicts the token, and "
                             "{n} token(s) were outside it")
AMBIGUOUS = ("the server's text for this token is shared by other tokens, so its log-probability cannot be read "
             "from the top-k by text: the number there may be another token's")
UNAVAILABLE_AMBIGUOUS = ("{n} token(s) have a text the server shares with other tokens (it keys candidates by text), "
                         "so their log-probability is unknown rather than possibly another token's")
UNAVAILABLE_SHARED = ("at {n} position(s) the server wrote two candidates under one text, so a text several tokens "
                      "share may hold another token's number: it is left out of the candidates there, and ranks "
                      "there are unknown")
UNAVAILABLE_FIRST = ("the server's first echo entry is null and a completion of the first token alone did not "
                     "give the distribution after it, so the second token has no prediction")


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
    ambiguous: tuple[str, ...] = ()  # texts left out of top: their number may be another token's


@dataclass
class ServedScores:
    """Realigned scores of a text: positions[i] predicts token i (None: no prediction), next = after the last."""

    tokens: list[str]
    positions: list[ServedPosition | None]
    next: ServedPosition | None
    k: int
    unavailable: dict[str, str] = field(default_factory=dict)



def candidate_from_text(served: ServedModel, text: str, logprob: float):
    """A Candidate from the server's (text, logprob): the local token when exactly one has that text, else
    the text's own negative id (ServedVocabulary)."""
    vocabulary = served.vocabulary
    token_id = vocabulary.id_of_text(text)
    prob = min(1.0, math.exp(logprob))
    return Candidate(token_id=token_id, text=vocabulary.piece_text(token_id), prob=prob,
                     bytes=vocabulary.bytes_of(token_id))


def rank_in_top(vocabulary, top: list[tuple[str, float]], token_id: int) -> int | None:
    """The 1-based rank of token_id in a server's ranked top-k [(text, logprob)], or None outside it."""
    ids = [vocabulary.id_of_text(text) for text, _ in top]
    return ids.index(token_id) + 1 if token_id in ids else None


def sorted_top(entry: dict[str, float], k: int) -> list[tuple[str, float]]:
    """A server's {text: logprob} entry as its k most probable (text, logprob), best first."""
    return sorted(entry.items(), key=lambda kv: -kv[1])[:k]


def read_entry(vocabulary, entry: dict[str, float], k: int, *, own_in_top: bool = False,
               own_text: str | None = None) -> tuple[list[tuple[str, float]], tuple[str, ...]]:
    """A server's {text: logprob} entry for a request of k candidates, as (its top-k best first without the
    ambiguous texts, the ambiguous texts).

    A server that keys candidates by text (llama-cpp-python: detokenized with invalid UTF-8 dropped) writes
    the k candidates, then the token itself, into one dict: when two of them share a text, the later (less
    probable) one's number overwrites the other's. The count of keys shows whether that can have happened:
    k + 1 keys mean k distinct candidate texts plus the token's own, so no key was written twice. With
    fewer, a text that several tokens share (vocabulary.shared_text) may hold another token's number: it is
    ambiguous. A text only one token has cannot collide. own_in_top: the token itself is known to be among
    the k (a greedy completion's token is the top-1), so k distinct keys already prove no collision.
    own_text: the text under which the server wrote the echoed token itself last; when several tokens share
    it, that key may hold the echoed token's number under another token's text, whatever the key count.
    """
    ambiguous: tuple[str, ...] = ()
    if len(entry) <= (k - 1 if own_in_top else k):
        ambiguous = tuple(text for text in entry if vocabulary.shared_text(text))
    elif own_text is not None and own_text in entry and vocabulary.shared_text(own_text):
        ambiguous = (own_text,)
    return sorted_top({t: lp for t, lp in entry.items() if t not in ambiguous}, k), ambiguous


def position_rank(vocabulary, position: ServedPosition, token_id: int) -> int | None:
    """The token's 1-based rank in a position's top-k, None outside it or where an ambiguous text was left
    out (its tokens may rank above)."""
    return None if position.ambiguous else rank_in_top(vocabulary, position.top, token_id)


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
    top, shared = read_entry(served.vocabulary, dict(entry), k, own_in_top=True)  # greedy: the top-1
    text_1 = tokens[1]
    ambiguous = (served.id_of_text(text_1) is None or served.vocabulary.shared_text(text_1)
                 if served.tokenizer is not None else text_1 == "")
    if ambiguous or text_1 in shared:
        return ServedPosition(top, None, AMBIGUOUS, shared)
    value = dict(entry).get(text_1)
    if value is not None:
        return ServedPosition(top, value, None, shared)
    return ServedPosition(top, None, f"outside the server's top-k (k={k})", shared)


def score_text(served: ServedModel, text: str, k: int | None = None) -> ServedScores:
    """The log-probabilities of text's tokens from the server, realigned so positions[i] predicts token i."""
    k = max(served.logprobs, k or 0)
    entries = served.prompt_logprobs(text, k)
    n = len(entries.tokens)
    unavailable: dict[str, str] = {}
    positions: list[ServedPosition | None] = [None] * n
    nxt = None
    vocabulary = served.vocabulary
    if served.alignment == ALIGNED:
        for i in range(1, n):
            if entries.top[i] is not None:  # the token's own log-prob is the server's, read by its id
                top, shared = read_entry(vocabulary, entries.top[i], k, own_text=entries.tokens[i])
                positions[i] = ServedPosition(top, entries.token_logprobs[i], ambiguous=shared)
        # the distribution after the prompt: the generated token's entry, when the server echoes it too
        if entries.completion_top is not None:
            top, shared = read_entry(vocabulary, entries.completion_top, k)
            nxt = ServedPosition(top, None, ambiguous=shared)
        else:
            unavailable["next"] = "the server did not echo the completion token's entry (the distribution " \
                                  "after the prompt)"
    elif served.alignment == SHIFTED:
        outside = ambiguous_count = 0
        for i in range(1, n):
            entry = entries.top[i - 1]
            if entry is None:
                continue
            text_i = entries.tokens[i]
            top, shared = read_entry(vocabulary, entry, k, own_text=entries.tokens[i - 1])
            # a text several tokens share cannot say whose number its key holds, collision or not
            ambiguous = served.tokenizer is not None and (served.id_of_text(text_i) is None
                                                          or served.vocabulary.shared_text(text_i))
            if ambiguous or (served.tokenizer is None and text_i == "") or text_i in shared:
                positions[i] = ServedPosition(top, None, AMBIGUOUS, shared)
                ambiguous_count += 1
            elif text_i in entry:
                positions[i] = ServedPosition(top, entry[text_i], None, shared)
            else:
                outside += 1
                positions[i] = ServedPosition(top, None, f"outside the server's top-k (k={k})", shared)
        if entries.top[n - 1] is not None:
            top, shared = read_entry(vocabulary, entries.top[n - 1], k, own_text=entries.tokens[n - 1])
            nxt = ServedPosition(top, None, ambiguous=shared)
        if outside:
            unavailable["logprob"] = UNAVAILABLE_OUTSIDE_TOP_K.format(k=k, n=outside)
        if ambiguous_count:
            unavailable["ambiguous"] = UNAVAILABLE_AMBIGUOUS.format(n=ambiguous_count)
    else:
        raise ServerProtocolError("the server's alignment is unknown: connect() probes it")
    if n > 1 and positions[1] is None:
        positions[1] = _after_first_token(served, entries.tokens, k)
        if positions[1] is None:
            unavailable["first_prediction"] = UNAVAILABLE_FIRST
        elif positions[1].logprob is None and "logprob" not in unavailable:
            unavailable["logprob"] = UNAVAILABLE_OUTSIDE_TOP_K.format(k=k, n=1)
    left_out = sum(1 for p in [*positions, nxt] if p is not None and p.ambiguous)
    if left_out:
        unavailable["candidates"] = UNAVAILABLE_SHARED.format(n=left_out)
    unavailable["entropy"] = UNAVAILABLE_ENTROPY
    unavailable["rank"] = UNAVAILABLE_RANK.format(k=k)
    return ServedScores(list(entries.tokens), positions, nxt, k, unavailable)

