"""Reading a token strip's binary chunks back into token entries, as the view does (js/src/token_table.js):
for Python code that looks at what a widget sends (`strip_tokens(w.analysis_data)`)."""

from __future__ import annotations

import numpy as np

from .token_table import (
    EXCEPTION,
    FIRST_CODE,
    FLAG_FORCED,
    FLAG_GENERATED,
    FLAG_SAMPLED,
    NULL,
    POW10,
    ZERO,
    decimal_value,
    default_text,
)


def _column(chunk: dict, column: list) -> list:
    name, kind, offset, count, *codec = column
    raw = np.frombuffer(chunk["data"], dtype="<" + kind, count=count, offset=offset)
    exceptions = chunk.get("exceptions", {}).get(name, {})
    if not codec:
        return [int(v) for v in raw]
    if codec[0] == "fixed":
        null = np.iinfo(raw.dtype).min
        scale = POW10[codec[1]]
        return [exceptions.get(str(i)) if q == null else float(q / scale) for i, q in enumerate(raw.tolist())]
    codes = raw.astype(np.int64)
    digits, lowest = codec[1], codec[2]
    decade, mantissa = np.divmod(np.maximum(codes - FIRST_CODE, 0), 9 * 10 ** (digits - 1))
    decoded = decimal_value(mantissa + 10 ** (digits - 1), decade + lowest).tolist()
    special = {NULL: None, ZERO: 0.0}
    return [exceptions[str(i)] if code == EXCEPTION else special[code] if code in special else decoded[i]
            for i, code in enumerate(codes.tolist())]


def _texts(chunk: dict, ids: list[int], pieces: dict) -> list[str]:
    """Each token's text in context: the chunk's own where it says one, else its piece's."""
    texts = chunk.get("text", {})
    return [texts.get(str(i), default_text(pieces[str(token_id)])) for i, token_id in enumerate(ids)]


def read_chunk(chunk: dict, pieces: dict) -> list[dict]:
    """A chunk's tokens as payload entries. pieces: every piece the strip has carried so far."""
    columns = {c[0]: _column(chunk, c) for c in chunk["columns"]}
    texts, pending = _texts(chunk, columns["id"], pieces), chunk.get("pending", {})
    entries, next_candidate = [], 0
    for i in range(chunk["length"]):
        flags = columns["flags"][i]
        n = columns["top_n"][i]
        top = None
        if n:
            top = []
            for j in range(next_candidate, next_candidate + n):
                cand = [columns["top_id"][j], columns["top_p"][j]]
                if "top_sp" in columns and columns["top_sp"][j] is not None:
                    cand.append(columns["top_sp"][j])
                top.append(cand)
            next_candidate += n
        token_id = columns["id"][i]
        entry = {"id": token_id, "t": texts[i],
                 "p": columns["p"][i], "lp": columns["lp"][i], "s": columns["s"][i], "r": columns["r"][i] or None,
                 "h": columns["h"][i], "top": top}
        if str(i) in pending:
            entry["pending"] = pending[str(i)]
        if flags & FLAG_FORCED:
            entry["f"] = 1
        if flags & FLAG_GENERATED:
            entry["g"] = 1
        if flags & FLAG_SAMPLED:
            entry["sp"], entry["ss"] = columns["sp"][i], columns["ss"][i]
        entries.append(entry)
    return entries


def strip_tokens(strip: dict, chunks: list[dict] | None = None) -> list[dict]:
    """Every token entry of a strip payload (an `analysis_data` / `generation_data` value). chunks: all of
    the strip's chunks where the payload carries only the first ones (a long strip sends the rest apart)."""
    chunks = strip.get("chunks", []) if chunks is None else chunks
    pieces = dict(strip.get("pieces", {}))
    entries: list[dict] = []
    for chunk in chunks:
        pieces.update(chunk["pieces"])
        entries.extend(read_chunk(chunk, pieces))
    return entries


def strip_text(strip: dict) -> str:
    """The text of a strip payload's tokens as they read in context, without decoding their numbers."""
    pieces = dict(strip.get("pieces", {}))
    parts: list[str] = []
    for chunk in strip.get("chunks", []):
        pieces.update(chunk["pieces"])
        ids = next(_column(chunk, c) for c in chunk["columns"] if c[0] == "id")
        parts.extend(_texts(chunk, ids, pieces))
    return "".join(parts)


def strip_pieces(strip: dict, chunks: list[dict] | None = None) -> dict:
    """The display form of every id a strip payload mentions: its own table and its chunks'."""
    pieces = dict(strip.get("pieces", {}))
    for chunk in strip.get("chunks", []) if chunks is None else chunks:
        pieces.update(chunk["pieces"])
    return pieces
