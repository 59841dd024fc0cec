"""Small helpers shared by the benchmarks: interleaved timing and a long test prompt."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(runs: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """Median seconds of each callable, run in turn so machine noise hits all of them alike."""
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def prompt_of_length(tokenizer, n_tokens: int) -> str:
    """A varied English text that is exactly n_tokens long for this tokenizer."""
    sentences = [
        f"On day {i} the committee discussed item {i * 7 % 23}, and {['Ada', 'Ben', 'Chen', 'Dara'][i % 4]} "
        f"argued that the {['budget', 'schedule', 'design', 'report'][i % 4]} needed another look."
        for i in range(n_tokens)
    ]
    ids = tokenizer(" ".join(sentences), add_special_tokens=False)["input_ids"][:n_tokens]
    text = tokenizer.decode(ids)
    assert len(tokenizer(text, add_special_tokens=False)["input_ids"]) in range(n_tokens - 2, n_tokens + 3)
    return text
