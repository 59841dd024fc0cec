"""CompareView: two results lined up unit by unit (tokviz.compare), side A over side B, each unit coloured by
the log-probability difference B - A on a diverging scale, the first difference marked; hover for numbers."""

from __future__ import annotations

import traitlets as t

from ..analysis.compare_result import Comparison
from ..core.token_info import TokenInfo
from .payload import Pieces, decimals, pending_bytes, rounded, rounded_prob
from .view_base import ResultView


class CompareView(ResultView):
    """CompareView(comparison): a Comparison from tokviz.compare(...)."""

    _kind = t.Unicode("compare").tag(sync=True)
    result_type = Comparison

    def payload(self, comparison: Comparison) -> dict:
        return compare_payload(comparison)


class _ResultBytes:
    """Stands in for a Vocabulary when a comparison does not know a side's tokenizer: each token's bytes come
    from the results themselves, and no token is known to be special (it shows as its text, not a tag)."""

    def __init__(self, tokens):
        self._bytes = {t.token_id: t.bytes for t in tokens}

    def bytes_of(self, token_id: int) -> bytes:
        return self._bytes[token_id]

    def is_special(self, token_id: int) -> bool:
        return False

    def is_partial(self, token_id: int) -> bool:
        return not self.piece_text(token_id) and bool(self._bytes[token_id])

    def piece_text(self, token_id: int) -> str:
        try:
            return self._bytes[token_id].decode("utf-8")
        except UnicodeDecodeError:
            return ""


def compared_token(token: TokenInfo, pieces: Pieces) -> dict:
    """One token of a compared unit: id, text in context, probability and log-probability as the strip has them."""
    entry = {"id": pieces.add(token.token_id), "t": token.text, "p": rounded_prob(token.prob),
             "lp": decimals(token.logprob)}
    pending = pending_bytes(token.bytes) if token.text else b""
    if pending:
        entry["pending"] = pending.hex()
    if token.generated:
        entry["g"] = 1
    return entry


def compared_side(side, pieces: Pieces) -> dict | None:
    """One side of a unit: its tokens, character span, summed log-probability and that probability."""
    if side is None:
        return None
    return {"toks": [compared_token(t, pieces) for t in side.tokens], "start": side.start, "end": side.end,
            "lp": decimals(side.logprob), "p": rounded_prob(side.prob)}


def compare_payload(comparison) -> dict:
    """A Comparison as two aligned rows of units (docs/view-payload.md, "Comparison")."""
    sides = []
    for which in (0, 1):
        vocabulary = comparison.vocabularies[which]
        if vocabulary is None:
            vocabulary = _ResultBytes(t for u in comparison.units if (s := u.side(which)) is not None for t in s.tokens)
        sides.append(Pieces(vocabulary))
    return {
        "names": list(comparison.names),
        "models": list(comparison.models),
        "alignment": comparison.alignment,
        "units": [{"a": compared_side(u.a, sides[0]), "b": compared_side(u.b, sides[1]), "d": decimals(u.difference)}
                  for u in comparison.units],
        "mean_d": decimals(comparison.mean_difference),
        "ppl": [rounded(p) for p in comparison.perplexities],
        "aligned": comparison.aligned,
        "divergence": comparison.divergence,
        "divergence_char": comparison.divergence_char,
        "generated_from": list(comparison.generated_from),
        "pieces": [sides[0].table, sides[1].table],
    }
