"""Logit lens: what each layer's hidden state would predict if it were the last one."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..backends.local.forward import FinalStates, final_states, project_stats
from ..backends.local.model import LanguageModel
from ..backends.local.model_parts import model_parts
from ..backends.protocol import HIDDEN_STATES, LayerReader, as_backend, require
from ..checks import check_count, renamed_argument
from ..core.encoding import encode
from ..core.stats import RowStats
from ..errors import UnsupportedModelError
from .lens_measures import Trajectory, layer_measures, lens_trajectory, tracked_candidates


@dataclass
class LogitLens:
    """Per layer and position, the top-k of softmax(lm_head(final_norm(h_l))).

    Layer 0 is the embedding output, layer `layers - 1` (= L) the model's own logits. Position i is the
    text's token i (a tokenizer-added BOS is context, not a position); its distribution predicts token
    i + 1. Shapes: top_ids / top_probs [layers][T][k]; target_probs / target_ranks / final_top1_probs
    [layers][T]; first_correct_layer / settled_layer [T]. target_* are None at the last position (no next
    token). target_ranks are 1-based in the full vocabulary. final_top1_probs: probability, at each
    layer, of the token that the last layer ranks first. first_correct_layer: the first layer whose top-1
    is the actual next token (None if none is). settled_layer: the first layer from which the top-1 is
    the final top-1 at every later layer. id_texts: display text of every id in top_ids.
    """

    text: str
    model_name: str
    alternatives: int
    token_ids: list[int]
    token_texts: list[str]
    layers: int
    top_ids: list[list[list[int]]]
    top_probs: list[list[list[float]]]
    target_probs: list[list[float | None]]
    target_ranks: list[list[int | None]]
    final_top1_probs: list[list[float]]
    first_correct_layer: list[int | None]
    settled_layer: list[int]
    id_texts: dict[int, str] = field(default_factory=dict)
    context_ids: list[int] = field(default_factory=list)
    # how token ids turn into text (the view's payload needs it); not part of the result's value
    vocabulary: object = field(default=None, repr=False, compare=False)
    # Whole-distribution measures (lens_measures.py): [layer][position] nats, KL(final || layer) and
    # entropy; tracked[position][token_id] = (probs, ranks) per layer. lens_name: which lens decoded.
    kl_to_final: list[list[float]] | None = None
    entropy: list[list[float]] | None = None
    tracked: list[dict[int, tuple[list[float], list[int]]]] | None = field(default=None, repr=False)
    lens_name: str = "logit lens"

    def __post_init__(self):
        T, L1, k = len(self.token_ids), self.layers, self.alternatives
        if len(self.token_texts) != T:
            raise ValueError(f"token_texts has {len(self.token_texts)} entries for {T} tokens")
        for name in ("top_ids", "top_probs", "target_probs", "target_ranks", "final_top1_probs"):
            grid = getattr(self, name)
            if len(grid) != L1 or any(len(row) != T for row in grid):
                raise ValueError(f"{name} must be [{L1} layers][{T} positions]")
        for name in ("top_ids", "top_probs"):
            if any(len(cell) != k for row in getattr(self, name) for cell in row):
                raise ValueError(f"{name} must hold {k} entries per cell")
        for name in ("first_correct_layer", "settled_layer"):
            if len(getattr(self, name)) != T:
                raise ValueError(f"{name} must have one entry per position ({T})")

    @property
    def num_positions(self) -> int:
        return len(self.token_ids)

    def top1_ids(self) -> list[list[int]]:
        """[layer][position] id of each layer's most probable next token."""
        return [[cell[0] for cell in row] for row in self.top_ids]

    def trajectory(self, position: int, token_id: int) -> Trajectory:
        """token_id's probability and rank at every layer at `position` (tracked tokens: each position's
        top-k candidates at any layer, the actual next token, and logit_lens's track=)."""
        return lens_trajectory(self, position, token_id)

    def to_dict(self) -> dict:
        return {
            "lens_name": self.lens_name,
            "kl_to_final": self.kl_to_final,
            "entropy": self.entropy,
            "text": self.text,
            "model_name": self.model_name,
            "alternatives": self.alternatives,
            "token_ids": self.token_ids,
            "token_texts": self.token_texts,
            "layers": self.layers,
            "top_ids": self.top_ids,
            "top_probs": self.top_probs,
            "target_probs": self.target_probs,
            "target_ranks": self.target_ranks,
            "final_top1_probs": self.final_top1_probs,
            "first_correct_layer": self.first_correct_layer,
            "settled_layer": self.settled_layer,
            "id_texts": {str(i): t for i, t in self.id_texts.items()},
        }

    def __repr__(self) -> str:
        return (f"LogitLens({self.num_positions} positions x {self.layers} layers, alternatives={self.alternatives}, "
                f"model={self.model_name!r})")


def first_correct_and_settled(top1: list[list[int]], next_ids: list[int]) -> tuple[list, list]:
    """first_correct_layer and settled_layer per position from a [layer][position] top-1 grid."""
    layers, positions = len(top1), len(top1[0]) if top1 else 0
    first_correct: list[int | None] = []
    settled: list[int] = []
    for i in range(positions):
        column = [top1[layer][i] for layer in range(layers)]
        target = next_ids[i] if i < len(next_ids) else None
        first_correct.append(next((layer for layer, t in enumerate(column) if t == target), None))
        layer = layers - 1
        while layer > 0 and column[layer - 1] == column[-1]:
            layer -= 1
        settled.append(layer)
    return first_correct, settled


def lens_layer_stats(lm: LanguageModel, out: FinalStates, head, slots: torch.Tensor, rows: torch.Tensor,
                     targets: torch.Tensor, alternatives: int, *, against_final: bool = False) -> list[RowStats]:
    """The logit lens at the positions (slots[i], rows[i]) of one all-layers pass (final_states with
    all_layers=True): per lens layer 0..L, the RowStats of that layer's next-token distribution, targets[i]
    scored and the `alternatives` most probable tokens kept.

    Layers below L go through `head` (the model's own final norm and output head, model_parts(...).logits);
    layer L is the model's own output. against_final: also each layer's probability of the token layer L
    ranks first (also_prob). Only these rows go through the head, one layer at a time.
    """
    L = len(out.layers) - 1

    def layer_stats(layer: int, final_top1: torch.Tensor | None) -> RowStats:
        if layer == L:  # the model's own final states (already normed) and head
            states, project, owned = out.states[slots, rows], out.project, out.owned
        else:
            h = out.layers[layer]
            states, project, owned = h[slots.to(h.device), rows.to(h.device)], head, True
        return project_stats(states, project, targets, alternatives, lm.vocab_size, owned=owned, also=final_top1,
                             entropy=False)

    # The last layer first: its top-1 is the reference every other layer is compared with.
    per_layer: list[RowStats] = [None] * (L + 1)  # type: ignore[list-item]
    per_layer[L] = layer_stats(L, None)
    final_top1 = None
    if against_final:
        final_top1 = per_layer[L].top_ids[:, 0]
        per_layer[L].also_prob = per_layer[L].top_probs[:, 0]
    for layer in range(L):
        per_layer[layer] = layer_stats(layer, final_top1)
    return per_layer


@torch.inference_mode()
def logit_lens(lm: LanguageModel, text: str, *, alternatives: int = 5, top_k: int | None = None, lens=None,
               track=None) -> LogitLens:
    """Run one forward pass over text and read every layer's next-token prediction (the logit lens).

    For hidden state h_l after layer l (l = 0 is the embedding output), the prediction is
    softmax(lm_head(final_norm(h_l))) with the model's own norm and head modules (and its logit softcap,
    if any); the last layer uses the model's own logits, since transformers has already normed it.
    Only the `alternatives` best tokens per cell leave the device, one layer at a time (top_k: the design's
    first name for alternatives, still accepted with a FutureWarning).
    lens: a TunedLens (tokviz.tuned_lens) to decode layers 0..L-1 through its translators instead.
    track: token ids (or texts of one token) whose trajectory to keep at every position, beyond the top-k
    candidates and the next token kept anyway.
    """
    alternatives = renamed_argument(top_k, alternatives, "logit_lens")
    lm = as_backend(lm)
    require(lm, HIDDEN_STATES, "the logit lens")
    check_count(alternatives, "alternatives", lm.vocab_size)
    reader = lm if isinstance(lm, LayerReader) else None  # a model that reads its own layers (nnsight)
    parts = None if reader else model_parts(lm.model)  # fail before the forward pass if it is not supported
    encoded = encode(lm, text)
    if reader and (lens is not None or track):
        raise UnsupportedModelError(f"{lm.name} reads its own layers (reduced to top-k where it runs), so a "
                                    "tuned lens or tracked tokens cannot be applied to its hidden states")
    T = len(encoded.ids)
    # Text position i predicts token i + 1: the rows of tokens 1.. and the one after the last token, whose
    # target is a placeholder (its numbers are dropped below).
    request = encoded.request(range(1, T), with_next=True)
    if reader:
        (per_layer,) = reader.layer_stats([request], alternatives, against_final=True)
    else:
        out = final_states(lm, encoded.tensor(lm.device), all_layers=True)
        if lens is not None:
            out = lens.translate(lm, out)
        rows = torch.tensor(request.rows, device=out.states.device)
        targets = torch.tensor(request.targets)
        per_layer = lens_layer_stats(lm, out, parts.logits, torch.zeros_like(rows), rows, targets, alternatives,
                                     against_final=True)

    top_ids = [s.top_ids.tolist() for s in per_layer]
    has_next = T - 1
    target_probs = [[*s.logprob[:has_next].exp().tolist(), None] for s in per_layer]
    target_ranks = [[*s.rank[:has_next].tolist(), None] for s in per_layer]
    first_correct, settled = first_correct_and_settled([[c[0] for c in row] for row in top_ids], encoded.ids[1:])
    # KL, entropy and trajectories need every layer's whole distribution: only where the states are here.
    measures = None if reader else layer_measures(out, parts.logits, torch.zeros_like(rows), rows,
                                                  tracked_candidates(lm, top_ids, encoded.ids[1:], track))
    vocabulary = lm.vocabulary
    shown = sorted({i for row in top_ids for cell in row for i in cell})
    return LogitLens(
        text=text, model_name=lm.name, alternatives=alternatives, token_ids=list(encoded.ids),
        token_texts=vocabulary.texts(encoded.ids), layers=len(per_layer), top_ids=top_ids,
        top_probs=[s.top_probs.tolist() for s in per_layer], target_probs=target_probs, target_ranks=target_ranks,
        final_top1_probs=[s.also_prob.tolist() for s in per_layer], first_correct_layer=first_correct,
        settled_layer=settled, id_texts={i: vocabulary.piece_text(i) for i in shown},
        context_ids=list(encoded.context), vocabulary=vocabulary,
        kl_to_final=measures and measures.kl_to_final, entropy=measures and measures.entropy,
        tracked=measures and measures.tracked, lens_name="logit lens" if lens is None else lens.name,
    )
