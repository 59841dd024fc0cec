"""Filling templates and finding a label's tokens in the result: what label scoring and ICL share.

A template holds {x} (the input) and {y} (the label) once. After filling, the label is located by
characters, and its tokens are those whose bytes overlap it, so a token such as " positive" that also
carries the template's space belongs to the label.
"""

from __future__ import annotations

import re

from ..checks import check_text
from ..errors import InvalidInputError, UnsupportedModelError

_PLACEHOLDER = re.compile(r"\{x\}|\{y\}")
def check_template(template, what: str = "template") -> str:
    if not isinstance(template, str):
        raise InvalidInputError(f"{what} must be a string, got {type(template).__name__}")
    if "{x}" not in template or template.count("{y}") != 1:
        raise InvalidInputError(
            f"{what} must contain the placeholder {{x}} (the input) and {{y}} exactly once (the label); "
            f"got {template!r}"
        )
    return template


def check_label(label, what: str = "label") -> str:
    return check_text(label, what, empty_hint="it would tokenize to no tokens, so it has no probability")


def fill(template: str, x: str, y: str) -> tuple[str, tuple[int, int]]:
    """The template with {x} and {y} replaced in one pass (so braces inside x or y stay literal), and the
    character span of y in the result."""
    parts: list[str] = []
    length = 0
    span = (0, 0)
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[last : match.start()])
        length += match.start() - last
        value = x if match.group() == "{x}" else y
        if match.group() == "{y}":
            span = (length, length + len(y))
        parts.append(value)
        length += len(value)
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), span


def byte_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A character span of text as a span of its UTF-8 bytes."""
    return len(text[: span[0]].encode()), len(text[: span[1]].encode())


def token_spans(lm, ids: list[int], text: str) -> list[tuple[int, int]]:
    """Byte span of each token within text.encode(), from the tokens' own bytes.

    Byte-level BPE tokens concatenate to the text exactly. Otherwise (SentencePiece adds a space in
    front of the first word) the per-token texts, which join to the decoded text, are used; a token that
    holds only part of a character then has zero width at the start of that character.
    """
    target = text.encode()
    pieces = [lm.vocabulary.bytes_of(i) for i in ids]
    if b"".join(pieces) != target:
        pieces = [t.encode() for t in lm.vocabulary.texts(ids)]
        if b"".join(pieces) != target:
            raise UnsupportedModelError(
                f"The tokens of {text[:60]!r} do not spell the text back (the tokenizer of {lm.name} "
                "normalises text), so tokviz cannot tell which tokens belong to the label."
            )
    spans = []
    position = 0
    for piece in pieces:
        spans.append((position, position + len(piece)))
        position += len(piece)
    return spans


def overlapping(spans: list[tuple[int, int]], target: tuple[int, int]) -> list[int]:
    """Indices of the tokens whose bytes overlap target (a zero-width token belongs to the next byte)."""
    start, end = target
    return [i for i, (a, b) in enumerate(spans) if (a < end and b > start if a < b else start <= a < end)]


def check_labels(labels) -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, (list, tuple)):
        raise InvalidInputError(f"labels must be a list of strings, got {type(labels).__name__}")
    if not labels:
        raise InvalidInputError("labels is empty: give at least one label to score")
    for i, label in enumerate(labels):
        check_label(label, f"labels[{i}]")
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise InvalidInputError(f"labels must be distinct; repeated: {', '.join(map(repr, duplicates))}")
    return list(labels)


def check_examples(examples) -> list[tuple[str, str]]:
    if isinstance(examples, str) or not isinstance(examples, (list, tuple)):
        raise InvalidInputError(f"examples must be a list of (x, y) pairs, got {type(examples).__name__}")
    checked = []
    for i, pair in enumerate(examples):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InvalidInputError(f"examples[{i}] must be an (x, y) pair, got {pair!r}")
        x, y = pair
        if not isinstance(x, str):
            raise InvalidInputError(f"examples[{i}] input must be a string, got {type(x).__name__}")
        checked.append((x, check_label(y, f"examples[{i}] label")))
    return checked
