"""score_text through an engine's native path: the text encoded here, its ids sent, every number by id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.encoding import encode
from ...core.prompt_result import TextScores, encoded_scores
from ..protocol import UNAVAILABLE_ENTROPY
from .llama_server import LLAMA_SERVER
from .native import SGLANG
from .prompt import check_fits

if TYPE_CHECKING:
    from .model import ServedModel

UNAVAILABLE_RANK_NATIVE = ("{engine} gives a token's rank only through its top-k (k={k}): None outside it; vLLM "
                           "gives every prompt token's rank")
UNAVAILABLE_REPEAT = ("two identical requests to this server gave log-probabilities differing by up to {x:.2g} nats "
                      "(vLLM with prefix caching can: vllm issue #42019); numbers may change between runs")
REPEAT_TOLERANCE = 1e-4  # nats: float noise of one engine's kernels stays far below this


def native_text_scores(served: ServedModel, text: str, alternatives: int) -> TextScores:
    check_fits(served, text)
    encoded = encode(served, text)
    (stats,), _ = served.score([encoded.request(with_next=True)], alternatives)
    scores = encoded_scores(served.vocabulary, encoded, stats)
    unavailable = {"entropy": UNAVAILABLE_ENTROPY}
    if served.engine in (SGLANG, LLAMA_SERVER):
        unavailable["rank"] = UNAVAILABLE_RANK_NATIVE.format(engine=served.engine, k=max(served.logprobs, alternatives))
    if served.repeat_change is not None and served.repeat_change > REPEAT_TOLERANCE:
        unavailable["repeat"] = UNAVAILABLE_REPEAT.format(x=served.repeat_change)
    scores.unavailable = unavailable
    return scores
