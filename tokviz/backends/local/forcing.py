"""Forced tokens: a completion that starts with tokens chosen by the user instead of by decoding.

This is what a branch is: "what if the model had written this token here?". The prompt may be cut to its
first n tokens (a branch at a prompt token), then the forced tokens follow and decoding continues. The
forced tokens' numbers come from the same teacher-forced pass that scores the prompt, so they are the
model's own probabilities of them; nothing sampled them, so they have no sampled probability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...checks import check_int, is_int
from ...core.completion import StepStats, step_stats
from ...core.encoding import Encoded
from ...core.stats import RowStats
from ...errors import InvalidInputError

if TYPE_CHECKING:
    from .model import LanguageModel


def check_prefix(lm: LanguageModel, prefix_ids) -> list[int]:
    """Token ids to force: a list of ints, each in the vocabulary."""
    if prefix_ids is None:
        return []
    if isinstance(prefix_ids, (str, bytes)) or not hasattr(prefix_ids, "__iter__"):
        raise InvalidInputError(f"prefix_ids must be a list of token ids, got {type(prefix_ids).__name__}")
    ids = list(prefix_ids)
    for i in ids:
        if not is_int(i) or not 0 <= i < lm.vocab_size:
            raise InvalidInputError(f"prefix_ids holds {i!r}, which is not a token id of {lm.name} "
                                    f"(0 to {lm.vocab_size - 1})")
    return [int(i) for i in ids]


def cut_prompt(lm: LanguageModel, encoded: Encoded, prompt_tokens: int | None) -> tuple[Encoded, str | None]:
    """The prompt's first `prompt_tokens` tokens (None: all of them) and their text (None: unchanged)."""
    if prompt_tokens is None:
        return encoded, None
    check_int(prompt_tokens, "prompt_tokens", low=1, high=len(encoded.ids), hint=" (the prompt's length in tokens)")
    ids = encoded.ids[:prompt_tokens]
    return Encoded(encoded.context, ids), "".join(lm.vocabulary.texts(ids))


def split_prompt_stats(stats: RowStats | None, prompt: Encoded, forced: int,
                       vocabulary) -> tuple[RowStats | None, list[StepStats]]:
    """Rows of one teacher-forced pass over prompt + forced tokens -> the prompt's rows, and one StepStats
    per forced token (the model's numbers for it; sampled_logprob None: it was not sampled)."""
    if not forced:
        return stats, []
    prompt_rows = len(prompt.ids) - prompt.first_predicted
    steps = step_stats(vocabulary, stats[prompt_rows : prompt_rows + forced])
    return (stats[:prompt_rows] if prompt_rows > 0 else None), steps
