"""Reshape: one position's next-token distribution under temperature, top-k and top-p, from kept logits.

`position_logits` (position_logits.py) runs the model once and returns the raw logits of one position;
`reshape` then applies the sampling settings to those logits without running the model again, exactly as
tokviz's own sampling does (generate's `sampling_warpers`, transformers' warpers in transformers' order):

1. temperature: the logits divided by T (float32, as transformers does before it samples); T = 0 means
   greedy: all probability on the most probable token (the first one, if tied), filters ignored;
2. top-k (0 = off): every token whose tempered logit is below the k-th largest is cut (tokens tied with the
   k-th are all kept, so more than k may stay);
3. top-p (1.0 = off): among what top-k kept, the least probable tokens are cut for as long as together they
   hold at most 1 - p of the (renormalised) probability; the most probable token is always kept.

Which tokens survive is decided by transformers' own warpers on the float32 logits (the very objects
`generate` samples through), so the kept set is the one sampling would use, boundary cases included. The
probabilities are then a float64 softmax of the temperature-scaled logits over the kept tokens.
`entropy_curve` gives the same entropy over a grid of temperatures. The result types are in reshape_result.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from transformers import TopKLogitsWarper, TopPLogitsWarper

from ..backends.local.generation_hooks import sampling_warpers
from ..backends.local.model import LanguageModel
from ..checks import check_count, check_int
from ..core.decoding import LIMITS
from ..errors import InvalidInputError
from .reshape_result import EntropyCurve, Reshaped, ReshapedToken

# A kept set this small is shown whole (beyond `show`): with top-k 20 or a sharp top-p the view lists
# every token that can still be sampled; a larger kept set is summarised in `rest_*`.
SHOW_KEPT_UP_TO = 50
# The entropy curve: this many equal steps from temperature 0 to max(CURVE_MAX_T, the temperature shown
# rounded up to a multiple of 0.5).
CURVE_STEPS = 40
CURVE_MAX_T = 2.0
CUT_REASONS = ("top-k", "top-p", "greedy")


@dataclass(frozen=True)
class _Settings:
    temperature: float
    top_k: int
    top_p: float

    @property
    def filters(self) -> tuple[int | None, float | None]:
        """top-k / top-p as sampling_warpers takes them (None = off)."""
        return (self.top_k or None), (None if self.top_p >= 1.0 else self.top_p)


def check_settings(temperature=1.0, top_k=0, top_p=1.0) -> _Settings:
    """The settings, checked against decoding.LIMITS as the widget checks them: temperature >= 0 (0 = greedy),
    top_k a positive integer or 0 (off), top_p in (0, 1] (1.0 = off). None also means off for the filters."""
    temperature = LIMITS["temperature"].check(temperature, "temperature", hint=" (0 = greedy)")
    top_k = 0 if top_k is None else LIMITS["top_k"].check_setting(top_k, "top_k")
    top_p = 1.0 if top_p is None else LIMITS["top_p"].check_setting(top_p, "top_p")
    return _Settings(float(temperature), int(top_k), float(top_p))


def _check_logits(logits) -> torch.Tensor:
    if not isinstance(logits, torch.Tensor) or logits.dim() != 1 or logits.numel() == 0:
        raise InvalidInputError("logits must be a 1-D tensor over the vocabulary (e.g. from position_logits)")
    if not logits.is_floating_point():
        raise InvalidInputError(f"logits must be floating point, got {logits.dtype}")
    if torch.isnan(logits).any() or not torch.isfinite(logits).any() or (logits == math.inf).any():
        raise InvalidInputError("logits must not hold NaN or +inf, and at least one must be finite")
    return logits


def _cuts(scores: torch.Tensor, settings: _Settings) -> tuple[torch.Tensor, torch.Tensor]:
    """Run sampling's own warpers on float32 scores [V]: which tokens top-k cuts, and which top-p cuts."""
    x = scores[None]
    cut = {TopKLogitsWarper: torch.zeros_like(scores, dtype=torch.bool)}
    cut[TopPLogitsWarper] = cut[TopKLogitsWarper]
    for warper in sampling_warpers(settings.temperature, *settings.filters, num_beams=1, eos_ids=[]):
        before = torch.isfinite(x)
        x = warper(None, x)
        if type(warper) in cut:
            cut[type(warper)] = (before & ~torch.isfinite(x))[0]
    return cut[TopKLogitsWarper], cut[TopPLogitsWarper]


def _entropy(x: torch.Tensor) -> float:
    """Entropy (nats) of softmax(x), float64, where -inf entries hold no probability."""
    finite = torch.isfinite(x)
    z = x[finite]
    log_norm = torch.logsumexp(z, 0)
    return float(log_norm - (torch.softmax(z, 0) * z).sum())


@torch.inference_mode()
def reshape(logits: torch.Tensor, *, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, show: int = 10,
            include: Iterable[int] = (), curve: bool = False, lm: LanguageModel | None = None) -> Reshaped:
    """The distribution of `logits` reshaped by temperature, top-k and top-p, as tokviz samples from it.

    temperature >= 0 (0 = greedy: all probability on the most probable token); top_k: keep the k most
    probable tokens (0 = off); top_p: keep the smallest most-probable set holding at least p (1.0 = off).
    show: how many of the raw distribution's most probable tokens to list (every kept token is listed as
    well when at most SHOW_KEPT_UP_TO are kept); include: token ids always listed (e.g. the token that
    actually came next); curve: also compute the entropy over a grid of temperatures (same filters);
    lm: give token texts to the listed tokens. No model is run.
    """
    logits = _check_logits(logits)
    settings = check_settings(temperature, top_k, top_p)
    vocab = logits.numel()
    show = check_count(show, "show", vocab)
    include = [check_int(i, "include", low=0, high=vocab - 1, hint=" (token ids)") for i in include]

    raw32 = logits.float()
    raw = logits.double()
    finite = torch.isfinite(raw)
    if settings.temperature == 0:  # greedy: the argmax (as transformers' greedy search picks it) takes all
        best = int(torch.argmax(raw32))
        kept_mask = torch.zeros_like(finite)
        kept_mask[best] = True
        cut_k = cut_p = torch.zeros_like(finite)
        tempered_probs = kept_mask.double()
        probs = tempered_probs
        tempered_entropy = entropy = 0.0
        kept_mass = 1.0
        greedy_cut = finite & ~kept_mask
    else:
        cut_k, cut_p = _cuts(raw32, settings)
        kept_mask = finite & ~cut_k & ~cut_p
        scaled = raw / settings.temperature
        tempered_probs = torch.softmax(scaled, 0)
        filtered = scaled.masked_fill(~kept_mask, -math.inf)
        probs = torch.softmax(filtered, 0)
        tempered_entropy = _entropy(scaled)
        entropy = _entropy(filtered)
        kept_mass = float(tempered_probs[kept_mask].sum())
        greedy_cut = torch.zeros_like(finite)
    raw_probs = torch.softmax(raw, 0)
    kept = int(kept_mask.sum())

    listed = min(vocab, max(show, kept if kept <= SHOW_KEPT_UP_TO else 0))
    top_ids = torch.topk(raw32, listed).indices.tolist()
    ids = top_ids + sorted({i for i in include if i not in set(top_ids)}, key=lambda i: -float(raw32[i]))
    index = torch.tensor(ids, dtype=torch.long, device=raw.device)
    ranks = (1 + (raw32[None, :] > raw32[index][:, None]).sum(-1)).tolist()
    reasons = torch.full((len(ids),), -1, dtype=torch.long, device=raw.device)
    for code, mask in enumerate((cut_k, cut_p, greedy_cut)):
        reasons[mask[index]] = code
    values = [v.tolist() for v in (raw_probs[index], probs[index], tempered_probs[index])]
    vocabulary = lm.vocabulary if lm is not None else None
    tokens = [
        ReshapedToken(token_id=i, raw_prob=values[0][j], prob=values[1][j], tempered_prob=values[2][j],
                      cut=None if reasons[j] < 0 else CUT_REASONS[int(reasons[j])], rank=ranks[j],
                      text=None if vocabulary is None else vocabulary.piece_text(i),
                      bytes=b"" if vocabulary is None else vocabulary.bytes_of(i))
        for j, i in enumerate(ids)
    ]
    tokens.sort(key=lambda t: (t.rank, t.token_id))
    shown = torch.zeros_like(finite)
    shown[index] = True
    return Reshaped(
        temperature=settings.temperature, top_k=settings.top_k, top_p=settings.top_p, tokens=tokens,
        raw_entropy=_entropy(raw), tempered_entropy=tempered_entropy, entropy=entropy, kept=kept,
        kept_mass=kept_mass, cut_by_top_k=int(cut_k.sum()), cut_by_top_p=int(cut_p.sum()), vocab_size=vocab,
        rest_raw=max(0.0, float(raw_probs[~shown].sum())), rest_prob=max(0.0, float(probs[~shown].sum())),
        rest_kept=int((kept_mask & ~shown).sum()),
        curve=entropy_curve(logits, curve_temperatures(settings.temperature), top_k=settings.top_k,
                            top_p=settings.top_p) if curve else None,
    )


def curve_temperatures(temperature: float = 1.0) -> list[float]:
    """The curve's grid: CURVE_STEPS equal steps from 0 to max(CURVE_MAX_T, temperature rounded up to 0.5)."""
    top = max(CURVE_MAX_T, math.ceil(temperature * 2) / 2)
    return [round(top * i / CURVE_STEPS, 10) for i in range(CURVE_STEPS + 1)]


@torch.inference_mode()
def entropy_curve(logits: torch.Tensor, temperatures: Iterable[float], *, top_k: int = 0,
                  top_p: float = 1.0) -> EntropyCurve:
    """Entropy (nats) of the reshaped distribution at each temperature (0 = greedy: 0), at fixed top-k /
    top-p: at every temperature the same numbers as reshape(...).entropy.

    Faster than one reshape per temperature (whose top-p sorts the vocabulary each time): dividing by a
    positive temperature keeps the order of the logits, so they are sorted once, and top-k / top-p are
    computed as transformers' warpers compute them on the sorted float32 values (the k-th largest value;
    the softmax's running sum from the least probable token). The warpers see the very same sequence of
    values after their own sort, so the kept values, and the entropy, are the same.
    """
    logits = _check_logits(logits)
    temperatures = [check_settings(t, top_k, top_p).temperature for t in temperatures]
    settings = check_settings(1.0, top_k, top_p)
    k, p = settings.filters
    order = torch.argsort(logits.float())
    sorted32, sorted64 = logits.float()[order], logits.double()[order]
    finite = torch.isfinite(sorted32)
    vocab = sorted32.numel()
    starts: dict[float, int] = {}  # per positive temperature: the first kept position in the sorted order
    for t in temperatures:
        if t == 0 or t in starts:
            continue
        scaled = sorted32 / t  # TemperatureLogitsWarper: scores / temperature
        start = int((~finite).sum())  # -inf logits are never kept
        if k is not None and k < vocab:  # TopKLogitsWarper: remove scores < the k-th largest
            start = max(start, int((scaled < scaled[vocab - k]).sum()))
        if p is not None:  # TopPLogitsWarper on the (already sorted) top-k-filtered scores
            cumulative = scaled.masked_fill(torch.arange(vocab, device=scaled.device) < start, -math.inf)
            cumulative = cumulative.softmax(dim=-1).cumsum(dim=-1)
            start = max(start, min(vocab - 1, int((cumulative <= (1 - p)).sum())))
        starts[t] = start
    entropies = {0.0: 0.0}
    if starts:  # the entropies of all temperatures in one float64 batch
        ts = torch.tensor(list(starts), dtype=torch.float64, device=sorted64.device)
        first = torch.tensor(list(starts.values()), device=sorted64.device)
        keep = torch.arange(vocab, device=sorted64.device)[None, :] >= first[:, None]
        z = (sorted64[None, :] / ts[:, None]).masked_fill(~keep, -math.inf)
        log_norm = torch.logsumexp(z, 1)
        mean = (torch.exp(z - log_norm[:, None]) * z.masked_fill(~keep, 0.0)).sum(1)
        entropies |= dict(zip(starts, (log_norm - mean).tolist()))
    return EntropyCurve(temperatures=temperatures, entropies=[entropies[t] for t in temperatures])
