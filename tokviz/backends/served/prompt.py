"""score_text for a served model: the server's realigned top-k log-probabilities as a text's TextScores.

What a server cannot give is None, never estimated: entropy always (only the top-k comes back), rank when
the token is outside the top-k, a log-prob the realignment cannot read (shifted servers). The reasons are
in PromptAnalysis.unavailable.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ...core.encoding import tokenize
from ...core.prompt_result import TextScores
from ...core.token_info import Candidate, TokenInfo
from ...errors import ServedContextError
from .realign import ServedPosition, candidate_from_text, position_rank, score_text

if TYPE_CHECKING:
    from .model import ServedModel

UNAVAILABLE_IDS = ("the server tokenized the text differently from the local tokenizer (or none is loaded): "
                   "tokens are the server's texts, and a text no single local token has gets a negative id")


def check_fits(served: ServedModel, text: str, *, room: int = 0, what: str = "text") -> None:
    """Refuse a text that, with `room` tokens still to come, does not fit the server's context (where the
    server says it and the tokenizer is here to count)."""
    if served.context_length is None or served.tokenizer is None:
        return
    length = len(tokenize(served, text).all_ids)
    if length + room > served.context_length:
        extra = f" plus {room} new tokens" if room else ""
        raise ServedContextError(f"{what} is {length} tokens long{extra}, but {served.name} accepts at most "
                                 f"{served.context_length} tokens (the server's context window)")


def served_text_scores(served: ServedModel, text: str, alternatives: int) -> TextScores:
    """A text's tokens with the server's realigned numbers: the local tokenizer's ids when it split the text as
    the server did, else the server's texts (with negative ids for texts no single local token has)."""
    check_fits(served, text)
    scores = score_text(served, text, alternatives)
    unavailable = dict(scores.unavailable)
    vocabulary = served.vocabulary
    ids, texts = _local_tokens(served, text, scores.tokens)
    if ids is None:
        unavailable["token_ids"] = UNAVAILABLE_IDS
        ids, texts = [vocabulary.id_of_text(t) for t in scores.tokens], list(scores.tokens)

    def top_of(position: ServedPosition) -> list[Candidate]:
        return [candidate_from_text(served, t, lp) for t, lp in position.top[:alternatives]]

    tokens: list[TokenInfo] = []
    for i, (token_id, token_text, position) in enumerate(zip(ids, texts, scores.positions)):
        raw = vocabulary.bytes_of(token_id)
        if position is None:
            tokens.append(TokenInfo(index=i, token_id=token_id, text=token_text, bytes=raw, prob=None,
                                    logprob=None, rank=None, entropy=None))
            continue
        rank = position_rank(vocabulary, position, token_id)
        logprob = position.logprob
        tokens.append(TokenInfo(
            index=i, token_id=token_id, text=token_text, bytes=raw,
            prob=None if logprob is None else min(1.0, math.exp(logprob)), logprob=logprob, rank=rank,
            entropy=None, top=top_of(position)))
    return TextScores(tokens=tokens, next=top_of(scores.next) if scores.next is not None else [], next_entropy=None,
                      context_ids=[], unavailable=unavailable)


def _local_tokens(served: ServedModel, text: str, server_tokens: list[str]):
    """(ids, texts) from the local tokenizer when it splits text as the server did, else Nones."""
    if served.tokenizer is None:
        return None, None
    encoded = tokenize(served, text)
    vocabulary = served.vocabulary
    if len(encoded.ids) != len(server_tokens):
        return None, None
    for token_id, server_text in zip(encoded.ids, server_tokens):
        if vocabulary.lossy_text(token_id) != server_text:
            return None, None
    return encoded.ids, vocabulary.texts(encoded.ids)
