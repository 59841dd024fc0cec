"""llama.cpp's own server (`llama-server`, C++), spoken through its native /completion by token id.

It scores no prompt tokens, but it takes token ids as the prompt, keeps the previous request's cache
(`cache_prompt`) and reports, for each token it generates, the token's id and its log-probability under the
model's raw next-token distribution (the whole vocabulary's softmax, taken before the sampler chain), plus
the top `n_probs` by id (tools/server/server-context.cpp, populate_token_probs; tools/server/server-task.cpp,
probs_vector_to_json: `completion_probabilities[i] = {id, token, bytes, logprob, top_logprobs: [{id, token,
bytes, logprob}]}`).

So the distribution before prompt position p is read by asking for one token after ids[:p] with that token
forced to be ids[p] by a logit bias. The bias acts inside the sampler chain, after the raw probabilities were
taken, so the reported log-probability is the model's own for ids[p], exact even outside the top-k; its rank
is known only inside the top-k. Each position costs one request and one decode step (the prefix is cached).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ...core.token_info import Candidate
from ...errors import ServerProtocolError
from .http import excerpt
from .native_position import NativePosition

if TYPE_CHECKING:
    from .model import ServedModel

LLAMA_SERVER = "llama-server"
OWNER = "llamacpp"  # what llama-server writes as owned_by in /v1/models
FORCE = 1.0e4  # a logit bias no logit gap can overcome: the forced token is always the one sampled
# llama-server writes log(0) as the lowest float32 (its JSON library would turn -inf into null)
LOG_ZERO_BELOW = -1.0e30


def is_llama_server(listing: dict, props: dict | None) -> bool:
    """Whether /v1/models and /props are llama-server's: every model owned by "llamacpp", and props naming
    the build."""
    owners = {m.get("owned_by") for m in listing.get("data", []) if isinstance(m, dict)}
    return owners == {OWNER} and isinstance(props, dict) and "build_info" in props


def _logprob(value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ServerProtocolError(f"llama-server sent a log-probability that is not a number: {value!r}")
    return -math.inf if value <= LOG_ZERO_BELOW else float(value)


def read_candidates(entry: dict) -> list[tuple[int, float]]:
    """[(id, logprob)] of one completion_probabilities entry's top_logprobs, best first."""
    top = entry.get("top_logprobs")
    if not isinstance(top, list):
        raise ServerProtocolError(f"llama-server answered without top_logprobs (n_probs): {excerpt(entry)}")
    try:
        pairs = [(int(c["id"]), _logprob(c["logprob"])) for c in top]
    except (KeyError, TypeError, ValueError):
        raise ServerProtocolError(
            f"llama-server's top_logprobs lack ids or log-probabilities: {excerpt(top)}") from None
    return sorted(pairs, key=lambda pair: -pair[1])


def candidates_by_id(vocabulary, top: list[tuple[int, float]]) -> list[Candidate]:
    """Candidates of [(id, logprob)], their text and bytes from the local vocabulary."""
    return [Candidate(token_id=i, text=vocabulary.piece_text(i), prob=min(1.0, math.exp(lp)),
                      bytes=vocabulary.bytes_of(i)) for i, lp in top]


def read_token(entry: dict) -> tuple[int, float]:
    """(id, logprob) of the token one completion_probabilities entry describes."""
    try:
        return int(entry["id"]), _logprob(entry["logprob"])
    except (KeyError, TypeError, ValueError):
        raise ServerProtocolError(
            f"llama-server's token entry lacks its id or log-probability: {excerpt(entry)}") from None


def next_token(served: ServedModel, prefix: list[int], k: int, forced: int | None) -> dict:
    """The completion_probabilities entry of one token generated after prefix (forced to be `forced`)."""
    payload = {"prompt": prefix, "n_predict": 1, "n_probs": k, "cache_prompt": True, "temperature": 0.0,
               "return_tokens": True, "post_sampling_probs": False}
    if forced is not None:
        payload["logit_bias"] = [[forced, FORCE]]
    data = served.request("POST", "/completion", payload)
    entries = data.get("completion_probabilities") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        raise ServerProtocolError(
            f"llama-server answered /completion without completion_probabilities: {excerpt(data)}")
    return entries[0]


def llama_server_positions(served: ServedModel, ids: list[int], k: int, needed: set[int] | None = None):
    """native_positions for llama-server: per position p of ids the distribution predicting ids[p] (None for
    the first, and for positions not in `needed`), and the one after the last token."""
    wanted = set(range(1, len(ids) + 1)) if needed is None else set(needed)
    positions: list[NativePosition | None] = [None] * len(ids)
    after = NativePosition([])
    for p in sorted(w for w in wanted if 1 <= w <= len(ids)):
        forced = ids[p] if p < len(ids) else None
        entry = next_token(served, ids[:p], k, forced)
        top = read_candidates(entry)[:k]
        if forced is None:
            after = NativePosition(top)
            continue
        token_id, logprob = read_token(entry)
        inside = [i for i, _ in top]
        rank = inside.index(forced) + 1 if forced in inside else None
        if token_id != forced:  # the bias did not hold (a server that ignores logit_bias): only the top-k is known
            logprob = dict(top).get(forced)
        positions[p] = NativePosition(top, logprob, rank)
    return positions, after
