"""Generation through llama-server by id, with both distributions of a sampled token.

llama-server streams each generated token's id with either the raw numbers (`logprob`, `top_logprobs`) or,
with `post_sampling_probs`, those of the distribution it sampled from after its sampler chain (`prob`,
`top_probs`; a candidate the chain removed is left out). One request cannot give both. So a sampled run
(other than plain temperature 1) streams the processed numbers, and once the stream ends the raw ones are
read by id at each generated position (the token forced, as for a prompt: llama_server.py) and set beside
them. Greedy and plain sampling stream the raw numbers, which are then also the sampled ones.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from ...core.completion import StepStats, generated_token
from ...errors import ServerProtocolError
from .http import excerpt
from .llama_server import candidates_by_id, llama_server_positions

if TYPE_CHECKING:
    from ...core.completion import Completion
    from .model import ServedModel


def processed_step(entry: dict, asked: int) -> tuple[int, StepStats, tuple[dict[int, float], bool]]:
    """The token of a post-sampling stream entry, with only its sampled probability known for now, and its
    processed candidates {id: probability} with whether they are all the chain kept (the server lists
    min(asked, what the chain kept), leaving out zeros; so fewer than asked means complete)."""
    try:
        token_id, prob = int(entry["id"]), float(entry["prob"])
        top = {int(c["id"]): float(c["prob"]) for c in entry["top_probs"]}
    except (KeyError, TypeError, ValueError):
        raise ServerProtocolError(
            f"llama-server's post-sampling entry lacks ids or probabilities: {excerpt(entry)}") from None
    sampled = math.log(prob) if prob > 0 else -math.inf
    return token_id, StepStats(None, None, None, [], sampled), (top, len(top) < asked)


def add_raw_numbers(served: ServedModel, completion: Completion, ids_before: list[int],
                    processed: list[tuple[dict[int, float], bool]], alternatives: int) -> None:
    """Set each generated token's raw log-prob, rank and candidates (read by id after the stream) beside the
    processed numbers it was streamed with; candidates get their processed probability where it is known
    (0 for one the chain removed, None where the list was cut at k)."""
    tokens = completion.tokens
    if not tokens:
        return
    ids = ids_before + [t.token_id for t in tokens]
    start = len(ids_before)
    positions, _ = llama_server_positions(served, ids, served.logprobs, {start + i for i in range(len(tokens))})
    for i, (token, (kept, complete)) in enumerate(zip(tokens, processed)):
        position = positions[start + i]
        candidates = [replace(c, sampled_prob=kept.get(c.token_id, 0.0 if complete else None))
                      for c in candidates_by_id(served.vocabulary, position.top[:alternatives])]
        sampled = None if token.sampled_prob is None else math.log(token.sampled_prob)
        stats = StepStats(position.logprob, position.rank, None, candidates, sampled)
        fresh = generated_token(served.vocabulary, token.index, token.token_id, token.text, stats)
        fresh.forced = token.forced
        tokens[i] = fresh
