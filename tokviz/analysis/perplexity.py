"""Perplexity of texts of any length: a sliding window in which every token after the first is scored once."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..backends.protocol import require_known
from ..checks import check_int
from ..core.encoding import Encoded, tokenize
from ..errors import InvalidInputError


@dataclass
class Perplexity:
    """perplexity = exp(-total_logprob / scored_tokens) over every token but the first (which has no
    context). bits_per_byte = -total_logprob / ln 2 / scored_bytes: comparable across tokenizers.
    windows: forward passes used; each scored token saw at least window - stride tokens of context,
    except those in the first window."""

    model_name: str
    num_tokens: int
    scored_tokens: int
    scored_bytes: int
    total_logprob: float
    perplexity: float
    bits_per_byte: float
    window: int
    stride: int
    windows: int

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __repr__(self) -> str:
        return (f"Perplexity({self.perplexity:.3f} over {self.scored_tokens} tokens, "
                f"{self.bits_per_byte:.3f} bits/byte, {self.windows} windows of {self.window})")


def _check_window(lm, window: int | None, stride: int | None, context: int,
                  length: int) -> tuple[int, int]:
    # A server that does not say its context length: the whole text is one window unless told otherwise.
    limit = lm.context_length - context if lm.context_length is not None else max(length, 2)
    window = limit if window is None else window
    check_int(window, "window", low=2, high=limit, hint=" (the context length)")
    stride = window // 2 if stride is None else stride
    check_int(stride, "stride", low=1, high=window - 1,
              hint=" (window - 1: windows must overlap so every token after the first is scored with some context)")
    return window, stride


def perplexity(lm, text: str, *, window: int | None = None, stride: int | None = None) -> Perplexity:
    """Perplexity and bits per byte of text, however long.

    The model reads windows of `window` tokens (default: its context length) that start every `stride`
    tokens (default: window // 2); each window scores only the tokens no earlier window scored, so every
    token after the first is scored exactly once. For a text that fits one window this equals
    tokviz.analyze(lm, text).perplexity.
    """
    encoded = tokenize(lm, text)
    window, stride = _check_window(lm, window, stride, len(encoded.context), len(encoded.ids))
    ids = encoded.ids
    total, scored, scored_bytes, windows = 0.0, 0, 0, 0
    scored_until = encoded.first_predicted
    start = 0
    while scored_until < len(ids):
        end = min(start + window, len(ids))
        # Each window is a text of its own (with the same context): score the tokens no window has scored.
        chunk = Encoded(context=encoded.context, ids=ids[start:end])
        first = max(scored_until - start, chunk.first_predicted)
        (stats,), _ = lm.score([chunk.request(range(first, end - start))])
        require_known(lm, stats.logprob, "perplexity")
        total += float(stats.logprob.sum())
        scored += end - start - first
        scored_bytes += sum(len(lm.vocabulary.bytes_of(i)) for i in chunk.ids[first:])
        scored_until, windows = end, windows + 1
        start += stride
    if scored == 0:
        raise InvalidInputError("text is a single token: there is nothing to score (the first token has no context)")
    return Perplexity(
        model_name=lm.name, num_tokens=len(ids), scored_tokens=scored, scored_bytes=scored_bytes,
        total_logprob=total, perplexity=math.exp(-total / scored),
        bits_per_byte=-total / math.log(2) / max(scored_bytes, 1), window=window, stride=stride, windows=windows,
    )
