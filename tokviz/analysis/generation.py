"""generate(): a completion of a prompt with every new token's probability, rank, entropy and alternatives."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..backends.protocol import BEAMS, BRANCHES, CHAT, check_backend, require
from ..checks import check_bool
from ..core.decoding import DecodingParams
from ..core.generation_result import Generation
from ..core.token_info import TokenInfo
from ..errors import InvalidInputError
from .prompt import check_alternatives


def generate(
    lm,
    prompt: str,
    *,
    max_new_tokens: int = 20,
    do_sample: bool = False,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    num_beams: int = 1,
    stop: str | list[str] | None = None,
    seed: int | None = None,
    alternatives: int = 10,
    on_token: Callable[[TokenInfo], object] | None = None,
    cancel: threading.Event | None = None,
    chat: bool = False,
    prefix_ids: list[int] | None = None,
    prompt_tokens: int | None = None,
) -> Generation:
    """Generate a completion of `prompt`, recording every token's numbers.

    Greedy by default; do_sample=True samples with temperature / top_k / top_p (seed makes it
    reproducible, without disturbing the global RNG); num_beams > 1 runs beam search (with do_sample:
    beam sampling). Sampling settings are ignored when do_sample is False, as in transformers.
    stop: a string or list of strings; the completion ends right before the first one (excluded, as in
    OpenAI's API). A token that straddles the stop string is kept whole in `tokens`, but `text` is cut.
    on_token(TokenInfo) is called for each token as it is chosen (greedy and sampling); while the text
    could still turn into a stop string, tokens are held back until that is decided. With beams it is
    called at the end, for the best beam's tokens. cancel: a threading.Event; when set, generation
    stops after the current step and returns what it has (stopped_by="cancelled").
    chat=True wraps the prompt in the tokenizer's chat template as a user message.
    prefix_ids: token ids the completion starts with, forced rather than chosen (a branch: "what if the
    model had written this?"); they are tokens of the result with `forced=True` and the model's own numbers,
    and max_new_tokens more follow. prompt_tokens: keep only the prompt's first n tokens (a branch that
    replaces prompt token n), exactly as tokenized, without tokenizing the shorter text again.
    """
    lm = check_backend(lm, "generate")
    decoding = DecodingParams(max_new_tokens=max_new_tokens, do_sample=do_sample, temperature=temperature,
                              top_k=top_k, top_p=top_p, num_beams=num_beams, seed=seed, stop=stop)
    check_alternatives(lm, alternatives)
    if on_token is not None and not callable(on_token):
        raise InvalidInputError(f"on_token must be a function taking a TokenInfo, got {type(on_token).__name__}")
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise InvalidInputError(f"cancel must be a threading.Event, got {type(cancel).__name__}")
    check_bool(chat, "chat")
    if num_beams > 1:
        require(lm, BEAMS, "beam search")
    if chat:
        require(lm, CHAT, "chat=True")
    if prefix_ids or prompt_tokens is not None:
        require(lm, BRANCHES, "a branch (prefix_ids / prompt_tokens)")
    return lm.generate(prompt, decoding, alternatives=alternatives, on_token=on_token, cancel=cancel, chat=chat,
                       prefix_ids=prefix_ids, prompt_tokens=prompt_tokens)
