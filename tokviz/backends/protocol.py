"""The backend protocol: everything an analysis may ask of a model, and the one way to say "it cannot".

A backend runs a model somewhere (in this process, on a server, ...). Analyses receive any object that
implements `Backend` and call only what it declares; they never ask which backend they got. A capability a
backend lacks is listed in `unsupported` (capability -> the reason, in words a user can act on) and an
analysis that needs it calls `require` first, which raises the one error for it, `CapabilityError`.

Numbers a backend cannot know are NaN in the statistics of `score` (rank 0, top-k id -1, no entropy);
`missing_numbers` explains them, and the analyses turn them into None or, where they cannot do without,
into `NumberUnavailableError` carrying the backend's explanation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import torch

from ..errors import CapabilityError, InvalidInputError, NumberUnavailableError

if TYPE_CHECKING:
    from ..core.decoding import DecodingParams
    from ..core.encoding import Request
    from ..core.generation_result import Generation
    from ..core.prompt_result import TextScores
    from ..core.stats import RowStats
    from ..core.token_info import TokenInfo

# Capabilities an analysis may require (keys of Backend.unsupported).
TOKEN_IDS = "token_ids"  # work on token ids: needs the model's tokenizer here
BEAMS = "beams"  # beam search
BRANCHES = "branches"  # force chosen token ids into a generation, or cut a prompt at a token
CHAT = "chat"  # wrap a prompt in the tokenizer's chat template
HIDDEN_STATES = "hidden_states"  # every layer's hidden states and the model's modules (lens, layer law, studies)
LOGITS = "logits"  # the whole next-token logits at a position (reshaping a distribution)
MODULES = "modules"  # run the model's own modules in this process (layer importance edits them)

# score() without entropies (a backend that sees only each position's top-k): the one reason analyses give.
UNAVAILABLE_ENTROPY = ("a served model returns only the top-k log-probabilities of each position, not the "
                       "whole distribution, so its entropy is unknown")


@runtime_checkable
class Backend(Protocol):
    """What tokviz needs of a model. `tokviz.load_model` and `tokviz.connect` return backends; a third
    party's object that implements these members works with every analysis whose capabilities it has."""

    name: str  # the model's name in results
    tokenizer: Any  # a Hugging Face tokenizer, or None (then TOKEN_IDS is unsupported)
    context_length: int | None  # tokens it accepts (None: it does not say)

    @property
    def label(self) -> str:
        """A short name for a status line (may say where the model runs)."""

    @property
    def vocabulary(self) -> Any:
        """Token ids to text and bytes: a tokviz.core.tokens.Vocabulary or one with the same methods."""

    @property
    def vocab_size(self) -> int | None:
        """Size of the id space the statistics index (None: unknown)."""

    @property
    def max_alternatives(self) -> int:
        """The most candidates per position it can report."""

    @property
    def unsupported(self) -> Mapping[str, str]:
        """Capabilities it lacks, each with the reason."""

    def score(self, requests: list[Request], alternatives: int = 1, *,
              batch_size: int | None = None) -> tuple[list[RowStats], int]:
        """The scoring core: each request's rows' statistics, and how many passes it took."""

    def score_text(self, text: str, alternatives: int) -> TextScores:
        """A text's tokens with their numbers, the distribution after it, and what it cannot give."""

    def generate(self, prompt: str, decoding: DecodingParams, *, alternatives: int,
                 on_token: Callable[[TokenInfo], object] | None, cancel: threading.Event | None, chat: bool,
                 prefix_ids: list[int] | None, prompt_tokens: int | None) -> Generation:
        """A completion of prompt with every token's numbers (the arguments are already checked)."""

    def missing_numbers(self, what: str, count: int) -> str:
        """Why `count` log-probabilities that `what` needs are unknown (NaN in score's statistics)."""


@runtime_checkable
class LayerReader(Protocol):
    """A backend that reads its own layers where the model runs (nnsight, maybe on a remote cluster) and
    returns only reduced numbers. Studies over layers call these instead of running the model's modules."""

    @property
    def num_layers(self) -> int:
        """Decoder blocks L (the lens has layers 0..L: the embedding output, then each block)."""

    def layer_stats(self, requests: list[Request], alternatives: int, *,
                    against_final: bool = False) -> list[list[RowStats]]:
        """Per request, per lens layer 0..L: the RowStats (no entropy) of its rows under
        softmax(head(final_norm(h_l))), layer L being the model's own logits. against_final: also_prob is
        each layer's probability of the token layer L ranks first."""

    def layer_features(self, ids: list[int]) -> list[torch.Tensor]:
        """Per layer 1..L, the hidden states of positions 0..T-2 of ids [T-1, hidden] on the CPU: layers below
        L through the final norm's kind without its gain, layer L the model's own normed final state."""


# Makers of backends for models that are not backends themselves (an nnsight model): (accepts, make).
_ADAPTERS: list[tuple[Callable[[Any], bool], Callable[[Any], Backend]]] = []


def register_adapter(accepts: Callable[[Any], bool], make: Callable[[Any], Backend]) -> None:
    """Let every analysis accept objects for which accepts(obj) holds, as the backend make(obj)."""
    _ADAPTERS.append((accepts, make))


def as_backend(lm):
    """lm itself when it is a backend; the registered adapter's backend for one it accepts; else lm."""
    if isinstance(lm, Backend):
        return lm
    for accepts, make in _ADAPTERS:
        if accepts(lm):
            return make(lm)
    return lm


def check_backend(lm, what: str = "this analysis") -> Backend:
    """lm as a backend (as_backend), when it is one; else a clear error naming what to pass."""
    lm = as_backend(lm)
    if not isinstance(lm, Backend):
        raise InvalidInputError(
            f"{what} needs a model: tokviz.load_model(...), tokviz.connect(...), or an object implementing "
            f"tokviz.Backend, or an nnsight model; got {type(lm).__name__}")
    return lm


def require(lm, capability: str, what: str) -> None:
    """Stop with CapabilityError when lm cannot do `capability`, which `what` needs."""
    check_backend(lm, what)
    reason = lm.unsupported.get(capability)
    if reason is not None:
        raise CapabilityError(f"{what} cannot run on {lm.name}: {reason}", capability=capability)


def require_known(lm, logprobs: torch.Tensor, what: str) -> None:
    """Stop with NumberUnavailableError, in the backend's words, when score() left a log-probability that
    `what` needs unknown (NaN)."""
    missing = int(torch.isnan(logprobs).sum())
    if missing:
        raise NumberUnavailableError(lm.missing_numbers(what, missing))
