"""The two ways compare lines tokens up: by character spans (one text, two tokenizations) and by matching
token text (two texts)."""

from __future__ import annotations

import difflib

from ..core.token_info import TokenInfo
from ..errors import InvalidInputError
from .compare_result import ComparedUnit, UnitSide


def align_by_characters(tokens_a: list[TokenInfo], tokens_b: list[TokenInfo]) -> list[ComparedUnit]:
    """Units of two tokenizations of one text: minimal runs that end at the same character offset."""
    groups_a, groups_b = _groups(tokens_a), _groups(tokens_b)
    units: list[ComparedUnit] = []
    i = j = 0
    start = 0
    while i < len(groups_a) and j < len(groups_b):
        run_a, end_a = list(groups_a[i][0]), groups_a[i][1]
        run_b, end_b = list(groups_b[j][0]), groups_b[j][1]
        i, j = i + 1, j + 1
        while end_a != end_b:
            if end_a < end_b and i < len(groups_a):
                run_a += groups_a[i][0]
                end_a = groups_a[i][1]
                i += 1
            elif end_b < end_a and j < len(groups_b):
                run_b += groups_b[j][0]
                end_b = groups_b[j][1]
                j += 1
            else:  # cannot happen for one text; guards against a malformed result
                raise InvalidInputError("the two token sequences do not cover the same text")
        units.append(ComparedUnit(len(units), UnitSide(tuple(run_a), start, end_a),
                                  UnitSide(tuple(run_b), start, end_b)))
        start = end_a
    if i < len(groups_a) or j < len(groups_b):
        raise InvalidInputError("the two token sequences do not cover the same text")
    return units


def _groups(tokens: list[TokenInfo]) -> list[tuple[list[TokenInfo], int]]:
    """Tokens grouped so each group ends on a character boundary, with that boundary's character offset.
    A token whose bytes end inside a character joins the token that completes the character; trailing
    tokens that never complete one join the last group."""
    groups: list[tuple[list[TokenInfo], int]] = []
    run: list[TokenInfo] = []
    offset = 0
    for token in tokens:
        run.append(token)
        offset += len(token.text)
        if token.text and not _ends_inside_character(token.bytes):
            groups.append((run, offset))
            run = []
    if run:
        if groups:
            groups[-1][0].extend(run)
            groups[-1] = (groups[-1][0], offset)
        else:
            groups.append((run, offset))
    return groups


def _ends_inside_character(data: bytes) -> bool:
    """True when `data` ends with the first bytes of a UTF-8 character it does not finish."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return False
        if byte >= 0xC0:  # a lead byte: how long its character is
            return back < (4 if byte >= 0xF0 else 3 if byte >= 0xE0 else 2)
    return False


def align_by_tokens(tokens_a: list[TokenInfo], tokens_b: list[TokenInfo]) -> tuple[list[ComparedUnit], int | None]:
    """Units of two token sequences aligned by token text: the common prefix first, then difflib's matching
    blocks; unmatched tokens are one-sided units (a's before b's). Also the first unit that is not a match."""
    keys_a, keys_b = [_key(t) for t in tokens_a], [_key(t) for t in tokens_b]
    starts_a, starts_b = _starts(tokens_a), _starts(tokens_b)
    prefix = 0
    while prefix < min(len(keys_a), len(keys_b)) and keys_a[prefix] == keys_b[prefix]:
        prefix += 1
    units: list[ComparedUnit] = []

    def side(tokens, starts, k):
        return UnitSide((tokens[k],), starts[k], starts[k + 1])

    def add(ka: int | None, kb: int | None):
        units.append(ComparedUnit(len(units), None if ka is None else side(tokens_a, starts_a, ka),
                                  None if kb is None else side(tokens_b, starts_b, kb)))

    for k in range(prefix):
        add(k, k)
    matcher = difflib.SequenceMatcher(None, keys_a[prefix:], keys_b[prefix:], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for k in range(a1 - a0):
                add(prefix + a0 + k, prefix + b0 + k)
            continue
        for k in range(prefix + a0, prefix + a1):
            add(k, None)
        for k in range(prefix + b0, prefix + b1):
            add(None, k)
    divergence = prefix if prefix < len(units) else None
    return units, divergence


def _key(token: TokenInfo):
    """What two tokens must share to match: their text, or the raw bytes of a token with no text."""
    return token.text if token.text else token.bytes


def _starts(tokens: list[TokenInfo]) -> list[int]:
    """Character offset where each token's text starts, plus the end of the last one."""
    starts = [0]
    for t in tokens:
        starts.append(starts[-1] + len(t.text))
    return starts
