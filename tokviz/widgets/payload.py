"""Result objects -> the payloads the view draws (docs/view-payload.md); a strip's token entries then
travel packed as binary chunks (token_table.py).

Only the shown candidates (`alternatives`) travel, never full-vocabulary arrays; probabilities keep 4
significant digits; each token id's display form travels once, in `pieces`, the only place the view
finds a candidate's text. Python sends every number the view shows; the view only formats them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..core.token_info import RANK_EDGES, TokenInfo, rank_counts
from ..core.tokens import Vocabulary
from .token_table import pack_tokens


def rounded(value: float | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    return float(f"{value:.{digits}g}")


def rounded_prob(p: float | None) -> float | None:
    """A probability to 4 significant digits, counted from 1 when it is that close to 1: 0.999996 stays
    below 1 (as 1 - 4e-6), so the view never shows a rounded 100% for a value that is not."""
    if p is None:
        return None
    shown = rounded(p)
    if shown >= 1.0 > p:
        shown = 1.0 - rounded(1.0 - p)
    return shown


def probability(logprob: float | None) -> float | None:
    """exp(logprob), rounded as payload probabilities are; None stays None."""
    return None if logprob is None else rounded_prob(math.exp(logprob))


class Pieces:
    """Collects the display form of every token id a payload mentions."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.table: dict[str, object] = {}

    def add(self, token_id: int) -> int:
        key = str(token_id)
        if key not in self.table:
            vocabulary = self.vocabulary
            if vocabulary.is_special(token_id):
                self.table[key] = {"special": vocabulary.bytes_of(token_id).decode("utf-8", "replace")}
            elif vocabulary.is_partial(token_id):
                self.table[key] = {"bytes": vocabulary.bytes_of(token_id).hex()}
            else:
                self.table[key] = vocabulary.piece_text(token_id)
        return token_id

    def add_all(self, token_ids: Iterable[int]) -> list[int]:
        return [self.add(i) for i in token_ids]


def pending_bytes(data: bytes) -> bytes:
    """The bytes at the end of `data` that start a UTF-8 character `data` does not finish."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return b""  # ASCII: nothing pending after it
        if byte >= 0xC0:  # a lead byte: how long its character is
            length = 4 if byte >= 0xF0 else 3 if byte >= 0xE0 else 2
            return data[-back:] if back < length else b""
    return b""


def candidate_pairs(candidates, pieces: Pieces, alternatives: int | None = None, sampled: bool = False) -> list[list]:
    """[id, prob] per shown candidate; sampled: [id, prob, sampled prob] where the sampled one is known."""
    chosen = candidates if alternatives is None else candidates[:alternatives]
    return [[pieces.add(c.token_id), rounded_prob(c.prob)]
            + ([rounded_prob(c.sampled_prob)] if sampled and c.sampled_prob is not None else [])
            for c in chosen]


def sampled_surprisal_bits(p: float | None) -> float | None:
    """-log2 of a sampled probability, in bits to the 2 decimals the charts show (None: not known)."""
    return None if p is None or p <= 0 else decimals(-math.log2(p), 2)


def token_entry(token: TokenInfo, pieces: Pieces, alternatives: int | None = None, sampled: bool = False) -> dict:
    entry = {
        "id": pieces.add(token.token_id),
        "t": token.text,
        "p": rounded_prob(token.prob),
        "lp": decimals(token.logprob),
        "s": decimals(token.surprisal_bits, 2),  # bits, to the 2 decimals the tooltip shows
        "r": token.rank,
        "h": rounded(token.entropy, 3),
        # a served model's token may have candidates but no number of its own (outside the server's top-k)
        "top": candidate_pairs(token.top, pieces, alternatives, sampled and token.generated) if token.top else None,
    }
    pending = pending_bytes(token.bytes) if token.text else b""
    if pending:  # the token's text is followed by the first bytes of a character the next token completes
        entry["pending"] = pending.hex()
    if token.forced:  # put there by a branch, not chosen by decoding
        entry["f"] = 1
    if token.generated:
        entry["g"] = 1
        if sampled:  # greedy and beam search sample nothing: no second probability to show
            entry["sp"] = rounded_prob(token.sampled_prob)
            entry["ss"] = sampled_surprisal_bits(token.sampled_prob)
    return entry


def rank_summary(tokens: list[TokenInfo]) -> dict:
    """How many tokens fell within the model's top 1 / 10 / 100 / 1000 and beyond (the GLTR-style bar)."""
    return {"edges": list(RANK_EDGES), "counts": rank_counts(tokens)}


def next_distribution(next_candidates, entropy: float | None, pieces: Pieces, alternatives: int) -> dict:
    """The distribution after the last token: the shown candidates, the probability of every other token
    together (`rest`, so the bars add up to 1) and the entropy (nats)."""
    shown = next_candidates[:alternatives]
    rest = max(0.0, 1.0 - sum(float(c.prob) for c in shown)) if shown else None
    return {"next": candidate_pairs(shown, pieces), "next_rest": rounded(rest), "next_h": rounded(entropy, 3)}


def analysis_payload(analysis, vocabulary: Vocabulary, alternatives: int | None = None) -> dict:
    """A PromptAnalysis as a token strip."""
    pieces = Pieces(vocabulary)
    alternatives = alternatives or analysis.alternatives
    entries = [token_entry(t, pieces, alternatives) for t in analysis.tokens]
    return {
        "alternatives": alternatives,
        **next_distribution(analysis.next, analysis.next_entropy, pieces, alternatives),
        "ranks": rank_summary(analysis.tokens),
        "perplexity": rounded(analysis.perplexity),
        "text": analysis.text,
        **unavailable_entry(analysis.unavailable),
        **chunked_tokens(entries, pieces),
    }


def chunked_tokens(entries: list[dict], pieces: Pieces) -> dict:
    """A strip's tokens as binary chunks (token_table.py), with the pieces no chunk carries."""
    chunks, rest = pack_tokens(entries, pieces.table)
    return {"length": len(entries), "chunks": chunks, "pieces": rest}


def unavailable_entry(unavailable: dict[str, str]) -> dict:
    """The numbers a result cannot give, each with the reason (a served model's), for the view to say why."""
    return {"unavailable": dict(unavailable)} if unavailable else {}


def was_sampled(generation) -> bool:
    """Whether a Generation's tokens carry a sampled probability: sampling ran, and it could be measured."""
    return bool(generation.params.get("do_sample")) and "sampled_prob" not in generation.unavailable


def generation_payload(tokens: list[TokenInfo], vocabulary: Vocabulary, *, alternatives: int,
                       max_new_tokens: int, sampled: bool, stopped_by: str | None = None, beams=None,
                       beam_tree=None, after=None, decoding=None) -> dict:
    """Generated tokens (possibly still streaming) as a token strip, with beams and the beam tree.

    max_new_tokens: the run's limit, so a streaming view can say how far it is; sampled: whether the tokens
    were sampled (only then do they carry `sp`); after: the finished Generation, whose distribution after
    its last token the strip carries; decoding: the run's DecodingParams (a sampled run's strip then says
    what its temperature / top-k / top-p did).
    """
    pieces = Pieces(vocabulary)
    entries = [token_entry(t, pieces, alternatives, sampled) for t in tokens]
    payload = {
        "alternatives": alternatives,
        "stopped_by": stopped_by,
        "max_new_tokens": max_new_tokens,
        "sampled": sampled,
        **generation_summary(tokens, alternatives=alternatives, sampled=sampled, decoding=decoding),
    }
    if after is not None and after.next:
        payload.update(next_distribution(after.next, after.next_entropy, pieces, alternatives))
    if after is not None:
        payload.update(unavailable_entry(after.unavailable))
    if beams:
        payload["beams"] = [
            {"text": b.text, "ids": pieces.add_all(b.token_ids), "score": rounded(b.score),
             "logprob_sum": rounded(b.logprob_sum), "length": b.length, "length_penalty": b.length_penalty}
            for b in beams
        ]
    if beam_tree:
        payload["tree"] = [[tree_node(n, pieces) for n in step] for step in beam_tree]
    payload.update(chunked_tokens(entries, pieces))
    return payload


def generation_summary(tokens: list[TokenInfo], *, alternatives: int, sampled: bool, decoding=None) -> dict:
    """What a generation's strip says of the whole run so far: its rank bands, what a sampled run's
    settings did, and the token a branch put in place of the original one (the last forced token)."""
    summary = {"ranks": rank_summary(tokens)}
    if sampled and decoding is not None:
        summary["sampling_effect"] = sampling_effect(tokens, decoding, alternatives)
    forced = [i for i, t in enumerate(tokens) if t.forced]
    if forced:
        summary["branch_point"] = forced[-1]
    return summary


def branches_payload(tree, vocabulary: Vocabulary) -> dict:
    """The runs of a BranchTree, for the view's branch switch: where each left its parent and with which
    token, and how it ended."""
    pieces = Pieces(vocabulary)
    runs = []
    for branch in tree.branches:
        generation = branch.generation
        runs.append({
            "id": branch.id, "parent": branch.parent,
            "source": branch.at[0] if branch.at else None, "index": branch.at[1] if branch.at else None,
            "token": None if branch.token_id is None else pieces.add(branch.token_id),
            "generated": len(generation.tokens) if generation else 0,
            "stopped_by": generation.stopped_by if generation else None,
        })
    return {"branches": runs, "pieces": pieces.table}


def tree_node(node, pieces: Pieces) -> dict:
    """One live beam after one step, with its token's own log-probability and probability."""
    return {"parent": None if node.parent < 0 else node.parent, "id": pieces.add(node.token_id),
            "score": rounded(node.score), "lp": rounded(node.logprob), "p": probability(node.logprob),
            "kept": bool(node.kept), "best": bool(node.best)}


def decimals(value: float | None, places: int = 3) -> float | None:
    """A value to a fixed number of decimals, as the view shows it (a log-probability to 3: 4 significant
    digits would turn a whole text's -169.522 into -169.5)."""
    return None if value is None else round(value, places)


def sampling_effect(tokens: list[TokenInfo], decoding, alternatives: int) -> dict:
    """What a sampled run's temperature / top-k / top-p did to the probabilities of the tokens it drew (the
    view's "after temperature/top-k/top-p" switch shows these numbers): their mean probability under the
    model and under the distribution drawn from, how many were made more / less likely, and how many of
    each token's shown candidates could not be drawn at all."""
    drawn = [t for t in tokens if t.generated and not t.forced and t.prob is not None and t.sampled_prob is not None]
    shown = [t.top[:alternatives] for t in drawn]
    known = [cands for cands in shown if cands and all(c.sampled_prob is not None for c in cands)]
    return {
        "temperature": decoding.temperature, "top_k": decoding.top_k, "top_p": decoding.top_p,
        "tokens": len(drawn),
        "mean_p": rounded_prob(sum(t.prob for t in drawn) / len(drawn)) if drawn else None,
        "mean_sp": rounded_prob(sum(t.sampled_prob for t in drawn) / len(drawn)) if drawn else None,
        "raised": sum(t.sampled_prob > t.prob for t in drawn),
        "lowered": sum(t.sampled_prob < t.prob for t in drawn),
        # per token, its shown candidates that top-k / top-p removed (sampled probability 0)
        "removed": rounded(sum(sum(c.sampled_prob == 0 for c in cands) for cands in known) / len(known), 3)
        if known else None,
    }
