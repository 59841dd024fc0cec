"""Plain-text tables of tokens for terminals and reprs: columns aligned by display width, not by len().

A CJK character takes two terminal columns and a combining mark none, so `str.ljust` misaligns them. A
token that carries only part of a UTF-8 character has no text of its own; it is shown by its bytes, as
the view's byte badges show it: <e6 88>.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Terminal columns `text` takes: wide (CJK, fullwidth) characters 2, combining and format marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, align: str = "<") -> str:
    """text padded with spaces to `width` display columns (align "<" left, ">" right)."""
    fill = " " * max(0, width - display_width(text))
    return text + fill if align == "<" else fill + text


def token_label(text: str, raw: bytes) -> str:
    """A token as one cell: its text quoted with escapes (so spaces and newlines show), or its bytes."""
    if text == "" and raw:
        return "<" + " ".join(f"{b:02x}" for b in raw) + ">"
    return repr(text)


def prob_cell(p: float | None) -> str:
    """A probability with four decimals, or two significant digits below 0.001 (never a bare 0.0000)."""
    if p is None:
        return ""
    return f"{p:.4f}" if p >= 1e-3 or p == 0 else f"{p:.1e}"


def candidate_list(candidates, count: int) -> str:
    """The first `count` candidates as "label prob, label prob, ..."."""
    return ", ".join(f"{token_label(c.text, c.bytes)} {c.prob:.3f}" for c in candidates[:count])


def render(columns: list[tuple[str, int, str]], rows: list[list[str]]) -> list[str]:
    """Lines of a table: columns = (title, minimum width, align); the last column is never padded."""
    widths = [max([minimum, display_width(title)] + [display_width(r[i]) for r in rows])
              for i, (title, minimum, _) in enumerate(columns)]
    lines = []
    for cells in [[title for title, _, _ in columns], *rows]:
        padded = [pad(cell, widths[i], columns[i][2]) for i, cell in enumerate(cells[:-1])]
        lines.append("  ".join([*padded, cells[-1]]).rstrip())
    return lines
