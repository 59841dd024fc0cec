"""Turning text into the token ids the analyses run on, with the checks every analysis needs."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..backends.protocol import TOKEN_IDS, require
from ..checks import check_text
from ..errors import InvalidInputError


@dataclass(frozen=True)
class Request:
    """Score the next-token distribution at positions `rows` of the sequence `ids`, each against the token
    in `targets` (made by Encoded.request, the one place that aligns rows with the tokens they predict)."""

    ids: list[int]
    rows: list[int]
    targets: list[int]


@dataclass
class Encoded:
    """Token ids of a text: `context` = special tokens the tokenizer adds in front (e.g. BOS), shown
    nowhere but fed to the model; `ids` = the text's own tokens, the ones displayed."""

    context: list[int]
    ids: list[int]

    @property
    def all_ids(self) -> list[int]:
        return self.context + self.ids

    def tensor(self, device) -> torch.Tensor:
        return torch.tensor([self.all_ids], dtype=torch.long, device=device)

    # The one place that aligns logit rows with tokens: the distribution at position p predicts the token
    # at p + 1, and text token i sits at position len(context) + i.
    @property
    def first_predicted(self) -> int:
        """Index of the first text token the model predicts: 0 after a context (BOS); else 1, since the
        first token of a bare text follows nothing."""
        return 0 if self.context else 1

    def row_of(self, i: int) -> int:
        """The position whose next-token distribution predicts text token i."""
        return len(self.context) + i - 1

    def request(self, tokens=None, *, with_next: bool = False) -> Request:
        """Ask the scoring core for text tokens `tokens` (indices; default: every predicted one), each
        scored by the distribution before it, and with_next for the distribution after the last token
        (scored against a placeholder). The sequence ends with the last token scored (later ones cannot
        change the rows asked for)."""
        tokens = list(range(self.first_predicted, len(self.ids)) if tokens is None else tokens)
        if tokens and min(tokens) < self.first_predicted:
            raise ValueError(f"text token {min(tokens)} has no prediction (nothing comes before it)")
        rows = [self.row_of(i) for i in tokens]
        targets = [self.ids[i] for i in tokens]
        if with_next:
            rows.append(len(self.all_ids) - 1)
            targets.append(0)
        return Request(ids=self.all_ids[: max(rows, default=-1) + 2], rows=rows, targets=targets)


def tokenize(lm, text: str, *, what: str = "text") -> Encoded:
    """Encode text, keeping any leading special tokens as context; no length limit."""
    check_text(text, what)
    require(lm, TOKEN_IDS, "this analysis, which works on token ids,")
    tokenizer = lm.tokenizer
    plain = tokenizer(text, add_special_tokens=False)["input_ids"]
    full = tokenizer(text, add_special_tokens=True)["input_ids"]
    context: list[int] = []
    if len(full) > len(plain) and full[len(full) - len(plain) :] == plain:
        context = full[: len(full) - len(plain)]
    if not plain:
        raise InvalidInputError(f"{what} {text!r} tokenizes to no tokens")
    return Encoded(context=list(context), ids=list(plain))


def encode(lm, text: str, *, what: str = "text", room: int = 0) -> Encoded:
    """tokenize(), checking that the text (plus `room` tokens still to be added) fits the context."""
    encoded = tokenize(lm, text, what=what)
    length = len(encoded.all_ids)
    if lm.context_length is not None and length + room > lm.context_length:  # None: a server that does not say
        extra = f" plus {room} new tokens" if room else ""
        raise InvalidInputError(
            f"{what} is {length} tokens long{extra}, but {lm.name} accepts at most "
            f"{lm.context_length} tokens (its context window). Shorten it (to score a long text, tokviz.perplexity "
            f"slides a window over it)."
        )
    return encoded
