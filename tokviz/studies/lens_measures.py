"""Whole-distribution measures of a lens, per layer and position: KL to the final layer, entropy, and the
probability and rank of chosen tokens (their trajectories through the layers).

These need every layer's full next-token distribution, not only its top-k, so they run one layer at a
time over the few rows a lens result shows: [rows, vocabulary] float32 log-probabilities per layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..backends.local.forward import FinalStates
from ..checks import check_int, is_int
from ..errors import InvalidInputError


@dataclass
class LayerMeasures:
    """kl_to_final / entropy: [layer][row] in nats. tracked[row][token_id] = ([prob per layer], [rank per
    layer]), ranks 1-based in the full vocabulary (ties share the better rank)."""

    kl_to_final: list[list[float]]
    entropy: list[list[float]]
    tracked: list[dict[int, tuple[list[float], list[int]]]]


@dataclass(frozen=True)
class Trajectory:
    """One token's probability and rank at every lens layer (0..L) at one position."""

    position: int
    token_id: int
    token_text: str
    probs: list[float]
    ranks: list[int]


def layer_log_probs(out: FinalStates, head, slots: torch.Tensor, rows: torch.Tensor, layer: int) -> torch.Tensor:
    """[N, V] float32 log-probabilities of lens layer `layer` at (slots[i], rows[i]); the last layer is
    the model's own output, the others go through `head` (final norm + unembedding)."""
    L = len(out.layers) - 1
    if layer == L:
        logits = out.project(out.states[slots, rows])
    else:
        h = out.layers[layer]
        logits = head(h[slots.to(h.device), rows.to(h.device)])
    logits = logits if logits.dtype == torch.float64 else logits.float()
    return torch.log_softmax(logits, dim=-1)


def kl_from(reference: torch.Tensor, logp: torch.Tensor) -> torch.Tensor:
    """KL(reference || p) per row, in nats, from log-probabilities; 0 * log 0 counts as 0."""
    p_ref = reference.exp()
    return torch.where(p_ref > 0, p_ref * (reference - logp), torch.zeros_like(p_ref)).sum(-1)


def layer_measures(out: FinalStates, head, slots: torch.Tensor, rows: torch.Tensor,
                   candidates: list[list[int]]) -> LayerMeasures:
    """KL(final || layer), entropy and the trajectories of candidates[i] (token ids) at row i, for every
    lens layer of one all-layers pass (lens.lens_layer_stats's numbering)."""
    L = len(out.layers) - 1
    final = layer_log_probs(out, head, slots, rows, L)
    kl, entropy = [], []
    tracked: list[dict[int, tuple[list[float], list[int]]]] = [
        {int(t): ([], []) for t in ids} for ids in candidates]
    for layer in range(L + 1):
        logp = final if layer == L else layer_log_probs(out, head, slots, rows, layer)
        kl.append(kl_from(final, logp).clamp_min(0).tolist() if layer < L else [0.0] * len(rows))
        entropy.append((-(logp.exp() * logp).nansum(-1)).tolist())
        # Rank = 1 + how many tokens are strictly more probable: a binary search in the sorted row.
        ordered = torch.sort(-logp, dim=-1).values
        for i, ids in enumerate(candidates):
            if not ids:
                continue
            index = torch.tensor(ids, dtype=torch.long, device=logp.device)
            values = logp[i, index]
            ranks = torch.searchsorted(ordered[i].contiguous(), (-values).contiguous(), side="left") + 1
            for t, v, r in zip(ids, values.exp().tolist(), ranks.tolist()):
                tracked[i][int(t)][0].append(v)
                tracked[i][int(t)][1].append(int(r))
    return LayerMeasures(kl_to_final=kl, entropy=entropy, tracked=tracked)


def tracked_candidates(lm, top_ids: list[list[list[int]]], next_ids: list[int], track) -> list[list[int]]:
    """Per position, the tokens whose trajectory is kept: every top-k candidate at any layer, the actual
    next token, and `track` (token ids, or texts that are one token each)."""
    if isinstance(track, (str, int)):
        raise InvalidInputError("track must be a list of token ids or one-token texts, e.g. track=[' Paris']")
    extra = [_track_id(lm, t) for t in (track or [])]
    positions = len(top_ids[0]) if top_ids else 0
    out = []
    for i in range(positions):
        ids = {t for row in top_ids for t in row[i]} | set(extra)
        if i < len(next_ids):
            ids.add(next_ids[i])
        out.append(sorted(ids))
    return out


def _track_id(lm, token) -> int:
    if isinstance(token, str):
        ids = lm.tokenizer.encode(token, add_special_tokens=False)
        if len(ids) != 1:
            raise InvalidInputError(f"track entry {token!r} is {len(ids)} tokens; give one-token texts or token ids")
        return int(ids[0])
    if not is_int(token) or not 0 <= int(token) < lm.vocab_size:
        raise InvalidInputError(f"track entry {token!r} is not a token id in 0..{lm.vocab_size - 1}")
    return int(token)


def lens_trajectory(lens, position: int, token_id: int) -> Trajectory:
    """A LogitLens's stored trajectory of token_id at position (see LogitLens.trajectory)."""
    position = check_int(position, "position", low=0, high=lens.num_positions - 1)
    if lens.tracked is None:
        raise InvalidInputError("this LogitLens holds no trajectories (made without lens measures)")
    token_id = check_int(token_id, "token_id", low=0)
    kept = lens.tracked[position]
    if token_id not in kept:
        raise InvalidInputError(
            f"token {token_id} was not tracked at position {position}: only the top-{lens.alternatives} "
            f"candidates of some layer and the next token are; pass track=[{token_id}] to logit_lens")
    probs, ranks = kept[token_id]
    text = lens.vocabulary.piece_text(token_id) if lens.vocabulary is not None else lens.id_texts.get(token_id, "")
    return Trajectory(position=position, token_id=token_id, token_text=text, probs=list(probs), ranks=list(ranks))
