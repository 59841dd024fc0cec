"""Result objects -> the compact JSON the view draws (docs/view-payload.md).

Only the shown candidates (`alternatives`) travel, never full-vocabulary arrays; probabilities keep 4
significant digits; each token id's display form travels once, in `pieces`, the only place the view
finds a candidate's text. Python sends every number the view shows; the view only formats them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .analysis.token_info import RANK_EDGES, TokenInfo, rank_counts
from .tokens import Vocabulary


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


def candidate_pairs(candidates, pieces: Pieces, alternatives: int | None = None) -> list[list]:
    chosen = candidates if alternatives is None else candidates[:alternatives]
    return [[pieces.add(c.token_id), rounded_prob(c.prob)] for c in chosen]


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
        "top": candidate_pairs(token.top, pieces, alternatives) if token.top else None,
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
    return {
        "alternatives": alternatives,
        "tokens": [token_entry(t, pieces, alternatives) for t in analysis.tokens],
        **next_distribution(analysis.next, analysis.next_entropy, pieces, alternatives),
        "ranks": rank_summary(analysis.tokens),
        "perplexity": rounded(analysis.perplexity),
        "text": analysis.text,
        **unavailable_entry(analysis.unavailable),
        "pieces": pieces.table,
    }


def unavailable_entry(unavailable: dict[str, str]) -> dict:
    """The numbers a result cannot give, each with the reason (a served model's), for the view to say why."""
    return {"unavailable": dict(unavailable)} if unavailable else {}


def was_sampled(generation) -> bool:
    """Whether a Generation's tokens carry a sampled probability: sampling ran, and it could be measured."""
    return bool(generation.params.get("do_sample")) and "sampled_prob" not in generation.unavailable


def generation_payload(tokens: list[TokenInfo], vocabulary: Vocabulary, *, alternatives: int,
                       max_new_tokens: int, sampled: bool, stopped_by: str | None = None, beams=None,
                       beam_tree=None, after=None) -> dict:
    """Generated tokens (possibly still streaming) as a token strip, with beams and the beam tree.

    max_new_tokens: the run's limit, so a streaming view can say how far it is; sampled: whether the tokens
    were sampled (only then do they carry `sp`); after: the finished Generation, whose distribution after
    its last token the strip carries.
    """
    pieces = Pieces(vocabulary)
    payload = {
        "alternatives": alternatives,
        "tokens": [token_entry(t, pieces, alternatives, sampled) for t in tokens],
        "ranks": rank_summary(tokens),
        "stopped_by": stopped_by,
        "max_new_tokens": max_new_tokens,
        "sampled": sampled,
    }
    if after is not None and after.next:
        payload.update(next_distribution(after.next, after.next_entropy, pieces, alternatives))
    if after is not None:
        payload.update(unavailable_entry(after.unavailable))
    forced = [i for i, t in enumerate(tokens) if t.forced]
    if forced:  # the token a branch put in place of the original one: the last of the forced tokens
        payload["branch_point"] = forced[-1]
    if beams:
        payload["beams"] = [
            {"text": b.text, "ids": pieces.add_all(b.token_ids), "score": rounded(b.score)} for b in beams
        ]
    if beam_tree:
        payload["tree"] = [[tree_node(n, pieces) for n in step] for step in beam_tree]
    payload["pieces"] = pieces.table
    return payload


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
            "kept": bool(node.kept)}


def decimals(value: float | None, places: int = 3) -> float | None:
    """A value to a fixed number of decimals, as the view shows it (a log-probability to 3: 4 significant
    digits would turn a whole text's -169.522 into -169.5)."""
    return None if value is None else round(value, places)


def labels_payload(scores) -> dict:
    """LabelScores as bars per label with a per-token breakdown; `normalize` names the score the softmax used."""
    return {
        "labels": list(scores.labels),
        "normalize": scores.normalize,
        "logprob": [decimals(s.logprob) for s in scores.scores],
        "label_logprob": [decimals(s.label_logprob) for s in scores.scores],
        "normalized": [decimals(s.mean_label_logprob) for s in scores.scores],
        "probs": [rounded_prob(p) for p in scores.probs],
        "predicted": scores.predicted,
        "breakdown": [
            [{"t": tok.text, "lp": rounded(tok.logprob), "p": probability(tok.logprob), "in_label": tok.in_label}
             for tok in s.tokens]
            for s in scores.scores
        ],
    }


def icl_payload(curve, strips: list[dict]) -> dict:
    """ICLCurve as a probability-vs-shots plot; strips[k] = the token strip shown for k shots."""
    return {
        "shots": list(curve.shots),
        "answer": curve.answer,
        "mean": [rounded_prob(p) for p in curve.answer_probs],
        "low": [rounded_prob(p) for p in curve.answer_prob_min],
        "high": [rounded_prob(p) for p in curve.answer_prob_max],
        "first_mean": [rounded_prob(p) for p in curve.first_token_probs],
        "rank_mean": [rounded(r) for r in curve.answer_ranks],
        "entropy_mean": [rounded(h) for h in curve.entropies],
        "strips": strips,
        **unavailable_entry(curve.unavailable),
    }


def lens_payload(lens, vocabulary: Vocabulary) -> dict:
    """LogitLens as a layers x positions grid of top-k cells."""
    pieces = Pieces(vocabulary)
    return {
        "layers": lens.layers,
        "positions": lens.num_positions,
        "alternatives": lens.alternatives,
        "input": pieces.add_all(lens.token_ids),
        "input_text": list(lens.token_texts),
        "target": [*lens.token_ids[1:], None],
        "top": [
            [[[pieces.add(i), rounded_prob(p)] for i, p in zip(ids, probs)] for ids, probs in zip(row_ids, row_probs)]
            for row_ids, row_probs in zip(lens.top_ids, lens.top_probs)
        ],
        "target_prob": [[rounded_prob(p) for p in row] for row in lens.target_probs],
        "first_correct": list(lens.first_correct_layer),
        "settled": list(lens.settled_layer),
        "pieces": pieces.table,
    }


# --- Comparison (CompareView, issue 13) -----------------------------------------------------------------


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


# ----- reshape view (ReshapeView) ---------------------------------------------------------------------
# The text before the reshaped position travels as its last CONTEXT_TOKENS tokens (the view's heading).
CONTEXT_TOKENS = 24


def context_tail(vocabulary: Vocabulary, shown_ids: list[int]) -> dict:
    """The end of the text before a position, as the view's heading shows it: the last CONTEXT_TOKENS
    tokens' texts in context, and whether earlier tokens were left out."""
    texts = vocabulary.texts(list(shown_ids)) if shown_ids else []
    return {"context": "".join(texts[-CONTEXT_TOKENS:]), "context_cut": len(texts) > CONTEXT_TOKENS}


def reshape_payload(reshaped, vocabulary: Vocabulary, *, curve=None, about: dict | None = None,
                    actual: int | None = None) -> dict:
    """A Reshaped (tokviz.analysis.reshape) as rows of bars before / after, with its entropies and curve.

    curve: an EntropyCurve (default: reshaped.curve); about: context_tail()'s heading; actual: the id of
    the token that came next in the text (None after the last token), which the view marks.
    """
    pieces = Pieces(vocabulary)
    curve = curve if curve is not None else reshaped.curve
    shown = len(reshaped.tokens)
    return {
        "settings": {"temperature": reshaped.temperature, "top_k": reshaped.top_k, "top_p": reshaped.top_p},
        "rows": [{"id": pieces.add(t.token_id), "r": t.rank, "raw": rounded_prob(t.raw_prob),
                  "p": rounded_prob(t.prob), "cut": t.cut} for t in reshaped.tokens],
        "rest": {"raw": rounded_prob(reshaped.rest_raw), "p": rounded_prob(reshaped.rest_prob),
                 "count": reshaped.vocab_size - shown, "kept": reshaped.rest_kept},
        "h_raw": rounded(reshaped.raw_entropy, 3),
        "h_tempered": rounded(reshaped.tempered_entropy, 3),
        "h": rounded(reshaped.entropy, 3),
        "kept": reshaped.kept,
        "kept_mass": rounded_prob(reshaped.kept_mass),
        "cut_k": reshaped.cut_by_top_k,
        "cut_p": reshaped.cut_by_top_p,
        "vocab": reshaped.vocab_size,
        "curve": None if curve is None else {"t": list(curve.temperatures),
                                             "h": [rounded(h, 3) for h in curve.entropies]},
        **(about or {"context": "", "context_cut": False}),
        "actual": None if actual is None else pieces.add(actual),
        "pieces": pieces.table,
    }


def bayes_payload(result) -> dict:
    """BayesICL as P(outcome) vs n: per group of sequences (one hidden distribution) the model's mean with its
    min-max band and the references' means; per sequence every prediction, for the hovered point."""
    import numpy as np

    def probs(values) -> list:
        """Probabilities (any nesting) rounded as the view shows them; NaN (undefined) becomes null."""
        if isinstance(values, np.ndarray):
            values = values.tolist()
        if isinstance(values, list):
            return [probs(v) for v in values]
        return None if values is None or math.isnan(values) else rounded_prob(float(values))

    def divergence(value: float) -> float | None:
        """A KL or |difference| to 4 significant digits; null when infinite or undefined."""
        return None if not math.isfinite(value) else rounded(float(value))

    valid = result.valid
    groups = []
    for label in result.groups:
        rows = result.select(label)
        curves: dict[str, list] = {name: [] for name in ("mean", "low", "high", "bayes", "laplace", "frequency")}
        for n in range(valid.shape[1]):
            at = rows[valid[rows, n]]
            q = result.model[at, n]  # [sequences, K]
            curves["mean"].append(probs(q.mean(0)))
            curves["low"].append(probs(q.min(0)))
            curves["high"].append(probs(q.max(0)))
            for name in ("bayes", "laplace", "frequency"):
                ref = result.reference(name)[at, n]
                curves[name].append(None if np.isnan(ref).any() else probs(ref.mean(0)))
        hidden = result.hidden[rows[0]]
        groups.append({"label": label, "hidden": None if hidden is None else probs(list(hidden)),
                       "sequences": [int(i) for i in rows], **curves})
    sequences = []
    for i, seq in enumerate(result.sequences):
        length = len(seq)
        sequences.append({
            "label": result.labels[i],
            "group": result.groups.index(result.labels[i]),
            "text": result.texts[i],
            "cuts": list(result.prompt_ends[i]),
            "observed": [result.outcomes.index(o) for o in seq],
            "p": probs(result.token_probs[i, :length]),
            "q": probs(result.model[i, :length]),
            "outside": probs(result.outside[i, :length]),
            "bayes": probs(result.bayes[i, :length]),
            "laplace": probs(result.laplace[i, :length]),
            "frequency": [None, *probs(result.frequency[i, 1:length])],
        })
    summary = result.distances()
    return {
        "outcomes": list(result.outcomes),
        "outcome_tokens": list(result.outcome_tokens),
        "n": list(range(valid.shape[1])),
        "alpha": rounded(result.alpha),
        "strength": rounded(result.strength),
        "alpha_at_bound": bool(result.alpha_at_bound),
        "alpha_windows": [{"first": a, "last": b, "alpha": divergence(x)}
                          for (a, b), x in zip(result.windows, result.alpha_by_window)],
        "summary": {
            "tv": {name: divergence(v) for name, v in summary["tv"].items()},
            "kl": {name: divergence(v) for name, v in summary["kl"].items()},
            "outside": probs(float(np.mean(result.outside[valid]))),
        },
        "groups": groups,
        "sequences": sequences,
    }
