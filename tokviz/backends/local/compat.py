"""The one place that knows which transformers release names what.

transformers 5.24 renamed the KV cache argument and output field `past_key_values` to `cache`; the old
name still works there but warns (FutureWarning), and is due to be removed. tokviz asks each model which
name its `forward` takes, so older releases, newer ones and remote-code models all get the name they know.
"""

from __future__ import annotations

import inspect

import torch

_NEW, _OLD = "cache", "past_key_values"


def cache_argument(model: torch.nn.Module | type) -> str:
    """The keyword a model's `forward` (and so its `generate`) takes the KV cache under.

    Walks the class hierarchy, so a subclass whose `forward(**kwargs)` passes everything on (a test
    model, a wrapper) gets the name of the forward it wraps.
    """
    cls = model if isinstance(model, type) else type(model)
    for klass in cls.__mro__:
        forward = klass.__dict__.get("forward")
        if forward is None:
            continue
        try:
            parameters = inspect.signature(forward).parameters
        except (TypeError, ValueError):
            continue
        for name in (_NEW, _OLD):
            if name in parameters:
                return name
    return _OLD


def cache_inputs(model: torch.nn.Module, cache) -> dict:
    """Keyword arguments passing `cache` to the model's forward or generate (nothing when it is None)."""
    return {} if cache is None else {cache_argument(model): cache}


# RWKV returns its recurrent state under this name.
_STATE = "state"


def output_cache(output):
    """The KV cache or recurrent state a forward pass returned, under whichever name this release or
    architecture gives it (or None). Reads the output's own keys, never the deprecated alias, which would warn.
    """
    keys = output.keys() if hasattr(output, "keys") else ()
    for name in (_NEW, _OLD, _STATE):
        if name in keys:
            return output[name]
    return None


def cache_holds(cache, tokens: int) -> bool:
    """Whether `cache` says it holds exactly `tokens` tokens, so `generate` can continue from it.

    Recurrent states (Mamba's linear-attention layers, RWKV's state list) cannot say how many tokens they
    have read; given one, `generate` would read the whole prompt again on top of it.
    """
    length = getattr(cache, "get_seq_length", None)
    if not callable(length):
        return False
    try:
        return int(length()) == tokens
    except (TypeError, ValueError):
        return False


def cache_reorderable(model: torch.nn.Module, cache) -> bool:
    """Whether beam search can reorder this cache between steps (transformers refuses beams otherwise)."""
    return cache is None or hasattr(model, "_reorder_cache") or hasattr(cache, "reorder_cache")
