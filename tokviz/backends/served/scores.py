"""The scoring core for a served model: score()'s requests answered by the server's realigned top-k.

A request is token ids; a server takes text. With the model's tokenizer loaded locally the ids are written
back as text (leading special tokens left to the server, which adds its own), scored with echo, and the
server's tokens must be the request's ids again, or nothing is read. Every number the analyses need is
the log-probability of a target token; it comes from the server's token log-prob (the target is the
token there) or from the position's top-k. A target outside the top-k has no number: NaN here, never a
guess. The analyses show it as None where a token may lack one (a strip, a label's template) and stop with
a clear error (backends.protocol.require_known) where they cannot do without it (perplexity, an ICL answer, a label).
Entropy is never known (None); a rank is 0 where unknown.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

from ...core.encoding import Request
from ...core.stats import RowStats
from ...errors import NumberUnavailableError, ServerProtocolError
from .realign import ServedPosition, position_rank, score_text

if TYPE_CHECKING:
    from .model import ServedModel


def score_served(served: ServedModel, requests: list[Request], alternatives: int) -> tuple[list[RowStats], int]:
    """score() for a served model: one echo request per request (plus the first token's completion)."""
    return [_score_one(served, request, alternatives) for request in requests], len(requests)


def _score_one(served: ServedModel, request: Request, alternatives: int) -> RowStats:
    vocabulary = served.vocabulary
    ids = request.ids
    context = next((i for i, token_id in enumerate(ids) if not vocabulary.is_special(token_id)), len(ids))
    text = "".join(vocabulary.texts(ids[context:]))
    scores = score_text(served, text, alternatives)
    own = ids[context:]
    if [vocabulary.lossy_text(i) for i in own] != scores.tokens:
        raise ServerProtocolError(
            f"the server split {text[:60]!r} into other tokens than the local tokenizer ({len(scores.tokens)} "
            f"against {len(own)}), so its numbers cannot be matched with the tokens asked for")
    logprob, rank, top_ids, top_probs = [], [], [], []
    for row, target in zip(request.rows, request.targets):
        j = row + 1 - context  # the text token this row predicts (len(own): the one after the text)
        position = scores.next if j == len(own) else scores.positions[j] if j >= 1 else None
        if position is None:
            raise NumberUnavailableError(
                f"the server gives no distribution before token {j} of {text[:60]!r} (its first token follows "
                "only the server's own start-of-text token)")
        ranked = [(vocabulary.id_of_text(t), lp) for t, lp in position.top]
        if j == len(own):  # the distribution after the text: its target is a placeholder
            logprob.append(math.nan)
        else:
            logprob.append(_target_logprob(position, ranked, target, own[j]))
        rank.append(position_rank(vocabulary, position, target) or 0)  # 0: unknown (backends.protocol)
        shown = (ranked + [(-1, -math.inf)] * alternatives)[:alternatives]
        top_ids.append([i for i, _ in shown])
        top_probs.append([math.exp(lp) for _, lp in shown])
    return RowStats(logprob=torch.tensor(logprob, dtype=torch.float64), rank=torch.tensor(rank, dtype=torch.long),
                    entropy=None, top_ids=torch.tensor(top_ids, dtype=torch.long).reshape(-1, alternatives),
                    top_probs=torch.tensor(top_probs, dtype=torch.float32).reshape(-1, alternatives))


def _target_logprob(position: ServedPosition, ranked: list[tuple[int, float]], target: int, actual: int) -> float:
    """The target's log-probability from the server's answer at one position; NaN when it holds none."""
    if target == actual:
        return math.nan if position.logprob is None else position.logprob
    return next((lp for token_id, lp in ranked if token_id == target), math.nan)
