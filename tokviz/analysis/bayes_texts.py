"""The texts Bayesian ICL reads: a sequence of outcomes written into a template, tokenised, with the token
of every observation located (the model's prediction of an outcome is read right before that token)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.encoding import Encoded, encode
from ..errors import InvalidInputError
from .templates import byte_span, overlapping, token_spans

PLACEHOLDER = "{sequence}"
DEFAULT_TEMPLATE = "Here is a sequence of coin flips (H = heads, T = tails): {sequence}"
DEFAULT_SEPARATOR = ", "


def check_template(template) -> tuple[str, str]:
    if not isinstance(template, str) or template.count(PLACEHOLDER) != 1:
        raise InvalidInputError(f"template must be a string holding {PLACEHOLDER} exactly once (where the outcomes "
                                f"go), got {template!r}")
    prefix, suffix = template.split(PLACEHOLDER)
    return prefix, suffix


@dataclass
class WrittenSequence:
    """One sequence written out: its tokens and, per observation, the text token holding it."""

    text: str
    encoded: Encoded
    positions: list[int]
    starts: list[int]  # character offset where each observation's token starts


def write_sequence(lm, seq: list[str], prefix: str, suffix: str, separator: str, what: str) -> WrittenSequence:
    """The text of a sequence, tokenised, with each observation's token located; every observation must be
    exactly one token that ends where the outcome ends (it may carry the separator's space)."""
    text = prefix + separator.join(seq) + suffix
    encoded = encode(lm, text, what=what)
    spans = token_spans(lm, encoded.ids, text)
    data = text.encode()
    positions, starts = [], []
    at = len(prefix)
    for j, outcome in enumerate(seq):
        if j:
            at += len(separator)
        begin, end = byte_span(text, (at, at + len(outcome)))
        inside = overlapping(spans, (begin, end))
        if len(inside) != 1 or spans[inside[0]][1] != end:
            pieces = [lm.vocabulary.texts([encoded.ids[i]])[0] for i in inside]
            raise InvalidInputError(
                f"outcome {outcome!r} is not one token where {what} puts it (observation {j}): it is tokenised as "
                f"{pieces!r} in {text[:80]!r}. Each outcome must be a single token after the separator: choose "
                f"other outcomes or another separator (byte-level tokenizers keep a leading space with a letter, "
                f"e.g. ', ' with 'H' and 'T'; digits are split from the space before them)."
            )
        if inside[0] < encoded.first_predicted:
            raise InvalidInputError(f"the first outcome starts {what}, so nothing predicts it: put text before "
                                    f"{PLACEHOLDER} in the template")
        positions.append(inside[0])
        starts.append(len(data[: spans[inside[0]][0]].decode("utf-8", "replace")))
        at += len(outcome)
    return WrittenSequence(text, encoded, positions, starts)


def outcome_token_ids(lm, outcomes: tuple[str, ...], prefix: str, suffix: str, separator: str) -> list[int]:
    """Each outcome's token id, from a probe text holding it twice (after the prefix and after the separator):
    both must be the same single token, and the outcomes' tokens must differ."""
    ids = []
    for outcome in outcomes:
        probe = write_sequence(lm, [outcome, outcome], prefix, suffix, separator,
                               f"the probe text for outcome {outcome!r}")
        first, later = (probe.encoded.ids[p] for p in probe.positions)
        if first != later:
            shown = lm.vocabulary.texts([first, later])
            raise InvalidInputError(
                f"outcome {outcome!r} is tokenised as {shown[0]!r} after the template's prefix but as {shown[1]!r} "
                f"after the separator {separator!r}: end the prefix the way the separator ends"
            )
        ids.append(first)
    if len(set(ids)) != len(ids):
        raise InvalidInputError(f"two outcomes are the same token: {list(outcomes)!r} -> {ids}")
    return ids
