"""The scoring core: the forward passes of every analysis, read without a [tokens x vocabulary] matrix.

The model's body runs once over a sequence and gives its final hidden states; only the rows an analysis
asks for (a `Request`) go through the output head, a few hundred rows at a time, straight into the one
statistics kernel (stats.py). Memory therefore stays flat in the text's length, whatever the vocabulary.

A model whose head does something the split cannot see (checked once per model: the split's logits must
equal the model's own) is run whole instead, with the same row selection: slower to hold, same numbers.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from ...checks import check_int
from ...core import progress
from ...core.encoding import Request
from ...core.stats import RowStats, row_stats
from ...errors import UnsupportedModelError
from .compat import output_cache
from .model_parts import FirstBlockTap, backbone, logit_transform, unembedding

if TYPE_CHECKING:
    from .model import LanguageModel

# Head rows projected at once: [rows, vocabulary] float32 logits of about 64 MB.
HEAD_CHUNK_ELEMENTS = 1 << 24
# Tokens (padding included) in one batched pass: bounds the activations the model body holds.
TOKENS_PER_PASS = 4096
# Padding costs compute too: a batch holds at most this many padded tokens per real one.
MAX_PADDING = 1.25


@dataclass
class FinalStates:
    """One pass of the model body: `states` [batch, positions, hidden] and how to turn rows of them into
    logits. layers: when asked for, every layer's hidden state, the embedding output first and the final
    (normed) state last, whatever order the architecture records them in. cache: the KV cache or state."""

    states: torch.Tensor
    project: Callable[[torch.Tensor], torch.Tensor]
    owned: bool  # project() returns fresh logits the statistics may overwrite
    layers: tuple | None = None
    cache: object | None = None


def final_states(lm: LanguageModel, ids: torch.Tensor, attention_mask: torch.Tensor | None = None, *,
                 use_cache: bool = False, all_layers: bool = False) -> FinalStates:
    """Run the model body over ids [batch, positions] (no logits computed, unless the model must run whole)."""
    kwargs = dict(attention_mask=attention_mask, use_cache=use_cache)
    head = _head(lm.model)
    runner = lm.model if head is None else backbone(lm.model)  # run whole: the "states" are the logits
    if all_layers:
        with FirstBlockTap(lm.model) as tap:
            out = runner(input_ids=ids, output_hidden_states=True, **kwargs)
        layers = tap.layer_states(out.hidden_states)
    else:
        out, layers = runner(input_ids=ids, **kwargs), None
    if head is None:
        return FinalStates(out.logits, lambda rows: rows, False, layers, output_cache(out))
    return FinalStates(out.last_hidden_state, head, True, layers, output_cache(out))


def project_stats(states: torch.Tensor, project, targets: torch.Tensor, alternatives: int, vocab_size: int, *,
                  owned: bool = True, also: torch.Tensor | None = None, entropy: bool = True) -> RowStats:
    """row_stats of project(states): [N, hidden] -> [N, vocab_size] logits, a chunk of rows at a time."""
    n = states.shape[0]
    rows = max(1, HEAD_CHUNK_ELEMENTS // vocab_size)
    out = RowStats.empty(n, alternatives, states.device, entropy=entropy, also=also is not None)
    buffer = None  # one logits buffer for every chunk: a fresh one each time costs page faults
    for start in range(0, n, rows):
        chunk = states[start : start + rows]
        if isinstance(project, Head) and project.writes_into_buffer:
            if buffer is None:
                buffer = chunk.new_empty((min(rows, n), vocab_size))
            logits = project(chunk, out=buffer[: chunk.shape[0]])
        else:
            logits = project(chunk)
        part = slice(start, start + chunk.shape[0])
        row_stats(logits, targets[part].to(logits.device), alternatives, owned=owned, entropy=entropy,
                  also=None if also is None else also[part].to(logits.device), out=out, at=start)
        progress.report(part.stop, n)  # rows scored: a long text's analysis shows how far it is
    return out


@torch.inference_mode()
def score(lm: LanguageModel, requests: list[Request], alternatives: int = 1, *,
          batch_size: int | None = None) -> tuple[list[RowStats], int]:
    """The statistics each request asks for, from as few forward passes as fit TOKENS_PER_PASS (or
    batch_size sequences per pass). Returns them and the number of passes.

    Sequences of a pass are right-padded: under causal attention a real token never attends to a later
    pad, so padding changes nothing but the batch shape, and no attention mask is needed.
    """
    if batch_size is not None:
        check_int(batch_size, "batch_size", low=1, hint=" or None")
    results: list[RowStats | None] = [None] * len(requests)
    passes = plan_passes([len(r.ids) for r in requests], batch_size)
    for members in passes:
        out = final_states(lm, *padded_batch(lm, requests, members))
        for i, stats in zip(members, pass_stats(lm, out, [requests[i] for i in members], alternatives)):
            results[i] = stats
        del out
    return results, len(passes)  # type: ignore[return-value]


def pass_stats(lm: LanguageModel, out: FinalStates, requests: list[Request], alternatives: int) -> list[RowStats]:
    """The statistics each request asks for, from a pass whose batch row b ran requests[b]'s sequence. All
    requested rows go through the head together."""
    device = out.states.device
    slots = torch.tensor([b for b, r in enumerate(requests) for _ in r.rows], dtype=torch.long, device=device)
    rows = torch.tensor([row for r in requests for row in r.rows], dtype=torch.long, device=device)
    targets = torch.tensor([t for r in requests for t in r.targets], dtype=torch.long)
    stats = project_stats(out.states[slots, rows], out.project, targets, alternatives, lm.vocab_size,
                          owned=out.owned)
    ends = torch.tensor([len(r.rows) for r in requests]).cumsum(0).tolist()
    return [stats[end - len(r.rows) : end] for r, end in zip(requests, ends)]


def plan_passes(lengths: list[int], batch_size: int | None) -> list[list[int]]:
    """Group sequences (by index) into passes: longest first, so each pass's first sequence sets its width."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    passes: list[list[int]] = []
    real = 0  # tokens of the current pass that are not padding
    for i in order:
        current = passes[-1] if passes else None
        padded = (len(current) + 1) * lengths[current[0]] if current else 0
        if (current and (batch_size is None or len(current) < batch_size) and padded <= TOKENS_PER_PASS
                and padded <= MAX_PADDING * (real + lengths[i])):
            current.append(i)
            real += lengths[i]
        else:
            passes.append([i])
            real = lengths[i]
    return passes


def padded_batch(lm: LanguageModel, requests: list[Request], members: list[int]):
    """Right-padded ids of requests[members], longest first as plan_passes orders them, and the attention
    mask, always None: causal attention already keeps every real token from the pads after it, while masking
    the pads would leave a pad row with nothing to attend to under a sliding window (Mistral, Gemma 2/3),
    and the NaN of such a row reaches the real rows of the next layer through a zero attention weight."""
    width = len(requests[members[0]].ids)
    ids = torch.full((len(members), width), _pad_id(lm), dtype=torch.long)
    for slot, i in enumerate(members):
        ids[slot, : len(requests[i].ids)] = torch.tensor(requests[i].ids)
    return ids.to(lm.device), None


def _pad_id(lm: LanguageModel) -> int:
    pad = lm.tokenizer.pad_token_id
    return pad if pad is not None else (lm.tokenizer.eos_token_id or 0)


# Per model: the head as a function of the body's final hidden states, or None (run the model whole).
_HEADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _head(model: torch.nn.Module):
    if model not in _HEADS:
        _HEADS[model] = _split_head(model)
    return _HEADS[model]


class Head:
    """The output head as a function of the body's final hidden states: lm_head, then the model's logit
    transform (softcap, scaling) if it has one. A plain nn.Linear head writes into a buffer it is given."""

    def __init__(self, unembed: torch.nn.Module, transform):
        self.unembed = unembed
        self.transform = transform
        self.writes_into_buffer = type(unembed) is torch.nn.Linear and transform is None

    def __call__(self, hidden: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        if out is not None and self.writes_into_buffer and hidden.dtype == self.unembed.weight.dtype:
            logits = torch.mm(hidden, self.unembed.weight.t(), out=out)
            if self.unembed.bias is not None:
                logits.add_(self.unembed.bias)
            return logits
        logits = self.unembed(hidden)
        return logits if self.transform is None else self.transform(logits)


@torch.inference_mode()
def _split_head(model: torch.nn.Module):
    """lm_head (+ the model's logit transform) if body-then-head gives the model's own logits, else None."""
    body = backbone(model)
    if body is model:
        return None
    try:
        unembed = unembedding(model)
    except UnsupportedModelError:
        return None
    head = Head(unembed, logit_transform(model))
    device = model.get_input_embeddings().weight.device
    vocab = model.get_input_embeddings().weight.shape[0]
    probe = torch.tensor([[1, 2, 3, 5, 8, 13]], device=device) % vocab
    try:
        whole = model(input_ids=probe, use_cache=False).logits
        split = head(body(input_ids=probe, use_cache=False).last_hidden_state)
    except Exception:  # a body that cannot run alone
        return None
    if split.shape != whole.shape:
        return None
    # Both run the same modules, so they agree to rounding in the logits' own dtype.
    eps = torch.finfo(whole.dtype).eps if whole.dtype.is_floating_point else 1e-6
    whole, split = whole.double(), split.double()
    tolerance = 64 * eps * (1.0 + float(whole.abs().max()))
    return head if float((split - whole).abs().max()) <= tolerance else None
