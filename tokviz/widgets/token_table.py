"""A token strip's tokens as typed binary columns, in chunks (docs/view-payload.md, "Token tables").

The view gets each number in the smallest form that gives back the payload's own value bit for bit:
ids, ranks and counts as unsigned integers; log-probabilities and surprisals as fixed-point integers (the
decimals the payload keeps); probabilities and entropies as 16-bit decimal codes (a mantissa of their
significant digits and a decade). The rare value a code cannot hold exactly (a probability counted from
1, one below the lowest decade) travels beside its column, in `exceptions`. Each candidate travels once,
as an id and a probability; each token id's display form travels once, in the chunk that first needs it.
"""

from __future__ import annotations

import numpy as np

# A chunk holds at most this many tokens (about half a MB at 10 alternatives), so no message is large.
CHUNK_TOKENS = 8192
NULL, EXCEPTION, ZERO = 0, 1, 2  # decimal codes with a meaning of their own; the decades start at 3
FIRST_CODE = 3
# Exact doubles of 10**k, as both sides parse them from decimal text (js/src/token_table.js).
POW10 = [float(f"1e{k}") for k in range(309)]
_POW10 = np.array(POW10)
DIGITS = {"prob": 4, "entropy": 3}  # significant digits of probabilities and of entropies (nats)
FLAG_GENERATED, FLAG_FORCED, FLAG_SAMPLED = 1, 2, 4  # `g`, `f`, and carries `sp` / `ss`
# A column stays in its narrow type, with the values that do not fit listed apart, while those are this rare.
RARE = 1 / 100


def _uint(values: np.ndarray) -> np.ndarray:
    top = int(values.max()) if values.size else 0
    return values.astype("<u1" if top < 2**8 else "<u2" if top < 2**16 else "<u4")


def _as_float(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _exceptions(values: list, where: np.ndarray) -> dict:
    return {str(i): values[i] for i in np.flatnonzero(where)}


def _narrow_or_wide(fits_narrow: np.ndarray, known: np.ndarray) -> bool:
    """Whether a column goes in its narrow type: all known values fit but a rare few."""
    return int(np.count_nonzero(known & ~fits_narrow)) <= RARE * max(1, int(np.count_nonzero(known)))


def _fixed(values: list, places: int):
    """Values kept to `places` decimals, as integers (i2 or i4; the type's minimum is null)."""
    v = _as_float(values)
    known = ~np.isnan(v)
    finite = known & np.isfinite(v) & (np.abs(v) < 2e9 / POW10[places])
    q = np.zeros(v.shape, dtype=np.int64)
    q[finite] = np.rint(v[finite] * POW10[places])
    exact = finite & (q / POW10[places] == np.where(finite, v, 0))
    narrow = _narrow_or_wide(exact & (np.abs(q) < 2**15), known)
    limit = 2**15 if narrow else 2**31
    exact &= np.abs(q) < limit
    q[~exact] = -limit  # null, or listed in the exceptions
    meta = ["fixed", places]
    return q.astype("<i2" if narrow else "<i4"), meta, _exceptions(values, known & ~exact)


def decimal_value(mantissa: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """mantissa * 10**exponent (exponent < 0) as both sides compute it: one or two exact divisions."""
    k = -exponent
    first = mantissa / _POW10[np.minimum(k, 22)]
    return np.where(k > 22, first / _POW10[np.clip(k - 22, 0, 308)], first)


def _decimal(values: list, kind: str):
    """Values rounded to a few significant digits, as codes: 3 + decade * span + (mantissa - 10**(digits-1)),
    in u2 where their decades fit, else u4."""
    digits = DIGITS[kind]
    span = 9 * 10 ** (digits - 1)
    v = _as_float(values)
    known = ~np.isnan(v)
    positive = np.isfinite(v) & (v > 0)
    exponent = np.zeros(v.shape, dtype=np.int64)
    exponent[positive] = np.floor(np.log10(v[positive])).astype(np.int64) - (digits - 1)
    mantissa = np.zeros(v.shape, dtype=np.int64)
    fits = positive & (exponent < 0) & (exponent > -308)
    mantissa[fits] = np.rint(v[fits] * _POW10[-exponent[fits]])
    # log10 can land one decade off at a power of ten: such values go to the exceptions
    fits &= (mantissa >= 10 ** (digits - 1)) & (mantissa < 10**digits)
    fits &= np.where(fits, decimal_value(mantissa, np.where(fits, exponent, -1)), np.nan) == v
    top = int(exponent[fits].max()) if fits.any() else 0
    narrow_decades = (2**16 - FIRST_CODE) // span
    narrow = _narrow_or_wide(fits & (exponent > top - narrow_decades), known & (v != 0))
    lowest = top - narrow_decades + 1 if narrow else (int(exponent[fits].min()) if fits.any() else 0)
    fits &= exponent >= lowest
    codes = np.full(v.shape, NULL, dtype=np.int64)
    codes[v == 0] = ZERO
    codes[fits] = FIRST_CODE + (exponent[fits] - lowest) * span + mantissa[fits] - 10 ** (digits - 1)
    outside = known & (v != 0) & ~fits
    codes[outside] = EXCEPTION
    meta = ["decimal", digits, lowest]  # the span is 9 * 10**(digits - 1)
    return codes.astype("<u2" if narrow else "<u4"), meta, _exceptions(values, outside)


class _Writer:
    def __init__(self):
        self.columns: list[list] = []
        self.exceptions: dict[str, dict] = {}
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, name: str, array: np.ndarray, meta: list | None = None, exceptions: dict | None = None):
        """A column: [name, type, byte offset, count] and its codec (none: plain integers)."""
        data = array.tobytes()
        self.columns.append([name, array.dtype.str[1:], self.size, int(array.size), *(meta or [])])
        if exceptions:
            self.exceptions[name] = exceptions
        pad = -len(data) % 4  # every column starts 4-byte aligned, so the view reads it as a typed array
        self.parts.append(data + b"\0" * pad)
        self.size += len(data) + pad


def default_text(piece) -> str:
    """A token's text when nothing else is said: its piece's text, a special token's name, or "" for
    a piece that is only part of a character."""
    if isinstance(piece, str):
        return piece
    return piece.get("special", "")


def pack_chunk(entries: list[dict], start: int, pieces: dict, carried: set[str]) -> dict:
    """Token entries (payload.token_entry) from index `start` as one chunk. pieces: the display form of
    every id they mention; carried: the ids earlier chunks (or the strip) already carry, which this one
    then joins."""
    top = [e["top"] or [] for e in entries]
    flat = [c for cands in top for c in cands]
    sampled = [("sp" in e) for e in entries]
    writer = _Writer()
    writer.add("id", _uint(np.array([e["id"] for e in entries], dtype=np.int64)))
    writer.add("p", *_decimal([e["p"] for e in entries], "prob"))
    writer.add("lp", *_fixed([e["lp"] for e in entries], 3))
    writer.add("s", *_fixed([e["s"] for e in entries], 2))
    writer.add("r", _uint(np.array([e["r"] or 0 for e in entries], dtype=np.int64)))  # ranks start at 1: 0 = null
    writer.add("h", *_decimal([e["h"] for e in entries], "entropy"))
    flags = [FLAG_GENERATED * ("g" in e) + FLAG_FORCED * ("f" in e) + FLAG_SAMPLED * s
             for e, s in zip(entries, sampled)]
    writer.add("flags", np.array(flags, dtype="<u1"))
    # how many candidates each token has (0: none, `top` null); they follow one another in top_id / top_p
    writer.add("top_n", _uint(np.array([len(c) for c in top], dtype=np.int64)))
    writer.add("top_id", _uint(np.array([c[0] for c in flat], dtype=np.int64)))
    writer.add("top_p", *_decimal([c[1] for c in flat], "prob"))
    if any(sampled):
        writer.add("sp", *_decimal([e.get("sp") for e in entries], "prob"))
        writer.add("ss", *_fixed([e.get("ss") for e in entries], 2))
        # a candidate's sampled probability, where known (null: absent)
        writer.add("top_sp", *_decimal([c[2] if len(c) > 2 else None for c in flat], "prob"))
    mentioned = {str(e["id"]) for e in entries} | {str(c[0]) for c in flat}
    new = sorted(mentioned - carried, key=int)
    carried.update(new)
    chunk = {"start": start, "length": len(entries), "columns": writer.columns, "data": b"".join(writer.parts),
             "pieces": {key: pieces[key] for key in new}}
    if writer.exceptions:  # per column, the values its codes cannot hold, by index
        chunk["exceptions"] = writer.exceptions
    texts = {str(i): e["t"] for i, e in enumerate(entries) if e["t"] != default_text(pieces[str(e["id"])])}
    if texts:  # text in context that is not the piece's own (a character completed across tokens)
        chunk["text"] = texts
    pending = {str(i): e["pending"] for i, e in enumerate(entries) if "pending" in e}
    if pending:
        chunk["pending"] = pending
    return chunk


def pack_tokens(entries: list[dict], pieces: dict) -> tuple[list[dict], dict]:
    """A strip's token entries as chunks of at most CHUNK_TOKENS, and the pieces no chunk carries (those
    of the strip's other ids: the next-token candidates, beams), which stay with the strip."""
    carried: set[str] = set()
    chunks = [pack_chunk(entries[i:i + CHUNK_TOKENS], i, pieces, carried)
              for i in range(0, len(entries), CHUNK_TOKENS)]
    return chunks, {key: shown for key, shown in pieces.items() if key not in carried}
