"""The raw next-token logits of one position, kept so that reshape can reshape them without running the
model again: after a text's token, after a list of ids, or before a token of an earlier result."""

from __future__ import annotations

import torch

from ..backends.local.forward import final_states
from ..backends.local.model import LanguageModel
from ..backends.protocol import LOGITS, require
from ..checks import check_int
from ..core.encoding import Encoded, encode
from ..errors import InvalidInputError


@torch.inference_mode()
def next_logits(lm: LanguageModel, ids: list[int]) -> torch.Tensor:
    """The raw logits (float32, on the model's device, 1-D over the vocabulary) of the distribution after
    the token ids `ids`, fed as they are (any BOS included by the caller). One forward pass; only the last
    position goes through the output head."""
    if not isinstance(ids, (list, tuple)) or not ids or not all(isinstance(i, int) for i in ids):
        raise InvalidInputError("ids must be a non-empty list of token ids")
    if not all(0 <= i < lm.vocab_size for i in ids):
        raise InvalidInputError(f"token ids must be between 0 and {lm.vocab_size - 1} (the vocabulary)")
    if lm.context_length is not None and len(ids) > lm.context_length:
        raise InvalidInputError(f"{len(ids)} tokens, but {lm.name} accepts at most {lm.context_length} tokens")
    out = final_states(lm, torch.tensor([list(ids)], dtype=torch.long, device=lm.device))
    return out.project(out.states[0, -1:])[0].float().clone()


def prefix_ids(encoded: Encoded, position: int | None) -> list[int]:
    """The ids before text token `position` (context included), i.e. what the model saw when it predicted
    that token; None: the whole text (the distribution after its last token)."""
    if position is None:
        return encoded.all_ids
    n = len(encoded.ids)
    check_int(position, "position", hint=" (an index into the text's tokens, or None for after the last one)")
    if not 0 <= position < n:
        raise InvalidInputError(f"position {position} is out of range: the text has {n} tokens (0 to {n - 1}); "
                                "None = the distribution after the last token")
    if position < encoded.first_predicted:
        raise InvalidInputError(
            f"token {position} has no prediction: nothing comes before it (the tokenizer adds no BOS token); "
            f"the first predicted token is {encoded.first_predicted}")
    return encoded.all_ids[: encoded.row_of(position) + 1]


def position_logits(lm: LanguageModel, text: str, position: int | None = None) -> torch.Tensor:
    """The raw next-token logits (1-D float32 tensor over the vocabulary) of the distribution that predicts
    text token `position` (an index into the text's tokens as analyze() lists them), or, for None, of the
    distribution after the last token. The text is checked as analyze checks it (not empty, fits the
    context); a position without a prediction (the first token of a text without BOS) is an error."""
    require(lm, LOGITS, "reshaping a distribution")
    encoded = encode(lm, text)
    return next_logits(lm, prefix_ids(encoded, position))


def result_prefix(result, source: str = "prompt", index: int | None = None) -> tuple[list[int], int | None]:
    """What the model saw before one token of a PromptAnalysis or Generation, and that token's id.

    source "prompt": index into the prompt's tokens (None: after the last prompt token); "generated": index
    into the generated tokens (None: after the last generated token). Returns (ids including any BOS context,
    the id of the token at that place or None)."""
    prompt = getattr(result, "prompt", result)
    if not hasattr(prompt, "token_ids") or not hasattr(prompt, "context_ids"):
        raise InvalidInputError(f"expected a PromptAnalysis or Generation, got {type(result).__name__}")
    if source not in ("prompt", "generated"):
        raise InvalidInputError(f'source must be "prompt" or "generated", got {source!r}')
    context, prompt_ids = list(prompt.context_ids), list(prompt.token_ids)
    if source == "prompt":
        if index is None:
            return context + prompt_ids, None
        return prefix_ids(Encoded(context, prompt_ids), index), prompt_ids[index]
    if result is prompt:
        raise InvalidInputError('source "generated" needs a Generation')
    generated = list(result.token_ids)
    if index is None:
        return context + prompt_ids + generated, None
    check_int(index, "index", low=0, high=len(generated) - 1,
              hint=" (an index into the generated tokens, or None for after the last one)")
    return context + prompt_ids + generated[:index], generated[index]
