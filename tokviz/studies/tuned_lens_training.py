"""Training the tuned lens (tuned_lens.py) on text the model generates itself: no data download.

1. Sample `sequences` texts of `length` tokens from the model (seeded; temperature 1, no truncation),
   each starting from the tokenizer's BOS (or EOS) token.
2. One all-layers pass over them: every layer's hidden state and the final layer's distribution.
3. Adam on the translators (zero-initialised residual W_l, b_l: the identity), minimising
   sum_l mean over tokens of KL(final || softmax(head(translator_l(h_l)))), the paper's objective; each
   step draws `batch` tokens. The model's own parameters are frozen.

Belrose et al. train with SGD (Nesterov) on far more tokens; Adam reaches a useful lens in the few
dozen steps a CPU affords (see docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager

import torch

from ..backends.local.forward import final_states
from ..backends.local.loading import cache_dir
from ..backends.local.model_parts import model_parts
from ..backends.protocol import HIDDEN_STATES, require
from ..checks import check_bool, check_int, check_real
from ..core.progress import progress_bar
from .lens_measures import kl_from
from .tuned_lens import TunedLens, model_fingerprint

# Sequences per forward pass while collecting hidden states.
PASS_SEQUENCES = 8
# Tokens on which train_kl / logit_kl are reported (a full pass over every layer costs as much as a step).
REPORT_TOKENS = 128


@contextmanager
def frozen(model: torch.nn.Module):
    """The model's parameters take no gradient inside (restored on leaving)."""
    before = [(p, p.requires_grad) for p in model.parameters()]
    for p, _ in before:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in before:
            p.requires_grad_(flag)


def generated_ids(lm, sequences: int, length: int, seed: int) -> torch.Tensor:
    """[sequences, length] token ids sampled from the model (temperature 1, full vocabulary), each row
    starting from the BOS token (EOS if there is none); EOS is suppressed so every row has `length` tokens."""
    tok = lm.tokenizer
    start = tok.bos_token_id if tok.bos_token_id is not None else (tok.eos_token_id or 0)
    ids = torch.full((sequences, 1), start, dtype=torch.long, device=lm.device)
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        out = lm.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True,
                                temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=length - 1,
                                min_new_tokens=length - 1, pad_token_id=start)
    return out[:, :length].cpu()


@torch.no_grad()
def collect_states(lm, ids: torch.Tensor):
    """Every token's hidden state at lens layers 0..L-1 ([L, N, d], float32), its final state [N, d] as
    the head receives it, the last block's output before the final norm [N, d], N = all tokens of all
    rows, and the model's own projection of final states to logits."""
    norm = model_parts(lm.model).norm
    captured: list[torch.Tensor] = []
    hook = None if norm is None else norm.register_forward_pre_hook(lambda m, args: captured.append(args[0]))
    layers, finals, residuals, project = [], [], [], None
    try:
        for start in range(0, ids.shape[0], PASS_SEQUENCES):
            captured.clear()
            out = final_states(lm, ids[start : start + PASS_SEQUENCES].to(lm.device), all_layers=True)
            layers.append(torch.stack([h.reshape(-1, h.shape[-1]).float() for h in out.layers[:-1]]))
            finals.append(out.states.reshape(-1, out.states.shape[-1]))
            last = captured[-1] if captured else out.layers[-1]
            residuals.append(last.reshape(-1, last.shape[-1]).float())
            project = out.project
    finally:
        if hook is not None:
            hook.remove()
    return torch.cat(layers, 1), torch.cat(finals), torch.cat(residuals), project


@torch.no_grad()
def least_squares_start(states: torch.Tensor, residual: torch.Tensor, ridge: float):
    """W_l, b_l minimising ||r - (h + W h + b)||^2 + ridge * (trace(H^T H) / d) * ||W||^2 over the tokens,
    per layer, in float64: each translator moved from the identity straight towards the last block's
    output (r, before the final norm), the penalty pulling W back to zero (the identity)."""
    L, n, d = states.shape
    weights = torch.zeros(L, d, d, dtype=torch.float64)
    biases = torch.zeros(L, d, dtype=torch.float64)
    target_all = residual.double().cpu()
    for layer in range(L):
        h = states[layer].double().cpu()
        x = torch.cat([h, torch.ones(n, 1, dtype=torch.float64)], 1)
        gram = x.T @ x
        penalty = torch.full((d + 1,), ridge * float(torch.diagonal(gram)[:d].mean()), dtype=torch.float64)
        penalty[d] = 0.0  # the bias is not pulled anywhere
        beta = torch.linalg.solve(gram + torch.diag(penalty), x.T @ (target_all - h))
        weights[layer] = beta[:d].T
        biases[layer] = beta[d]
    return weights.float(), biases.float()


def translator_kl(head, weights: torch.Tensor, biases: torch.Tensor, layer: int, hidden: torch.Tensor,
                  final_logp: torch.Tensor) -> torch.Tensor:
    """Mean over rows of KL(final || head(h + W h + b)) at one layer: the training objective."""
    translated = hidden + hidden @ weights[layer].T + biases[layer]
    logits = head(translated)
    logp = torch.log_softmax(logits if logits.dtype == torch.float64 else logits.float(), dim=-1)
    return kl_from(final_logp, logp).mean()


@torch.no_grad()
def mean_kl(head, weights, biases, states, final_logp_of, chunk: int = 256) -> list[float]:
    """Per layer, mean KL(final || translated layer) over the first REPORT_TOKENS tokens (no gradient)."""
    n = min(states.shape[1], REPORT_TOKENS)
    totals = [0.0] * states.shape[0]
    for start in range(0, n, chunk):
        part = slice(start, min(start + chunk, n))
        final_logp = final_logp_of(part)
        for layer in range(states.shape[0]):
            kl = translator_kl(head, weights, biases, layer, states[layer, part], final_logp)
            totals[layer] += float(kl) * final_logp.shape[0]
    return [t / n for t in totals]


def lens_cache_path(lm, settings: dict):
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in lm.name)[:60]
    return cache_dir() / "tuned-lens" / f"{safe}-{model_fingerprint(lm.model)}-{key}.pt"


def tuned_lens(lm, *, sequences: int = 32, length: int = 64, steps: int = 8, batch: int = 32,
               learning_rate: float = 1e-4, ridge: float | None = 0.1, seed: int = 0, cache: bool = True,
               progress: bool = True) -> TunedLens:
    """Train (or load from the cache) a tuned lens for lm: one affine translator per layer below the
    output, on sequences x length tokens the model generates itself (seeded), `steps` Adam steps of
    `batch` tokens each. cache: read and write ~/.cache/tokviz/tuned-lens (keyed by the model's
    fingerprint and these settings); progress: a progress bar over the steps."""
    require(lm, HIDDEN_STATES, "the tuned lens")
    check_int(sequences, "sequences", low=1)
    check_int(length, "length", low=2)
    check_int(steps, "steps", low=0)
    check_int(batch, "batch", low=1)
    check_real(learning_rate, "learning_rate", low=0, low_open=True)
    check_int(seed, "seed")
    if ridge is not None:
        check_real(ridge, "ridge", low=0, low_open=True)
    check_bool(cache, "cache")
    settings = {"sequences": sequences, "length": length, "tokens": sequences * length, "steps": steps,
                "batch": batch, "learning_rate": learning_rate, "ridge": ridge, "seed": seed, "optimizer": "adam"}
    path = lens_cache_path(lm, settings)
    if cache and path.exists():
        return TunedLens.load(path)
    began = time.perf_counter()
    head = model_parts(lm.model).logits
    ids = generated_ids(lm, sequences, length, seed)
    states, finals, residual, project = collect_states(lm, ids)
    L, n, d = states.shape
    start_w, start_b = least_squares_start(states, residual, ridge) if ridge is not None else (None, None)
    states = states.to(lm.device)

    def final_logp_of(rows):
        logits = project(finals[rows])
        return torch.log_softmax(logits if logits.dtype == torch.float64 else logits.float(), dim=-1)

    weights = torch.zeros(L, d, d, device=lm.device)
    biases = torch.zeros(L, d, device=lm.device)
    logit_kl = mean_kl(head, weights, biases, states, final_logp_of)  # the identity: the logit lens
    if start_w is not None:
        weights.copy_(start_w)
        biases.copy_(start_b)
    weights.requires_grad_(True)
    biases.requires_grad_(True)
    optimizer = torch.optim.Adam([weights, biases], lr=learning_rate)
    draws = torch.Generator().manual_seed(seed)
    with frozen(lm.model):
        for _ in progress_bar(range(steps), "tuned lens: training steps", enabled=progress):
            rows = torch.randperm(n, generator=draws)[:batch].to(lm.device)
            with torch.no_grad():
                final_logp = final_logp_of(rows)
            optimizer.zero_grad()
            for layer in range(L):  # one backward per layer: only one [batch, vocabulary] graph alive
                translator_kl(head, weights, biases, layer, states[layer, rows], final_logp).backward()
            optimizer.step()
        train_kl = mean_kl(head, weights, biases, states, final_logp_of)
    lens = TunedLens(model_name=lm.name, fingerprint=model_fingerprint(lm.model), weights=weights.detach().cpu(),
                     biases=biases.detach().cpu(), settings=settings, train_kl=train_kl, logit_kl=logit_kl,
                     seconds=time.perf_counter() - began)
    if cache:
        lens.save(path)
    return lens
