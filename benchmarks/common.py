"""Small helpers shared by the benchmarks: interleaved timing, peak memory and a long test prompt."""

from __future__ import annotations

import gc
import os
import statistics
import threading
import time
from collections.abc import Callable

# The served-model benchmarks' texts (bench_served.py, bench_llama_server.py): a fact, code and a story opening.
SERVED_PROMPTS = [
    "The capital of France is Paris. The capital of Germany is",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "Once upon a time, there was a little girl who lived in a village near the forest.",
]
SERVED_NEW_TOKENS = 32  # generated per prompt


def interleaved_runs(runs: dict[str, Callable[[], object]], repeats: int = 5,
                     warmup: int = 1) -> dict[str, list[float]]:
    """Seconds of every run of each callable, run in turn (round by round) so machine noise hits all of
    them alike; round i of one callable is paired with round i of the others."""
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def interleaved(runs: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1) -> dict[str, float]:
    """Median seconds of each callable, run in turn so machine noise hits all of them alike."""
    return {name: statistics.median(ts) for name, ts in interleaved_runs(runs, repeats, warmup).items()}


def ratio_spread(times: dict[str, list[float]], name: str, baseline: str) -> str:
    """min / median / max of the round-by-round ratios name / baseline, so noise can be told from a change."""
    ratios = sorted(t / b for t, b in zip(times[name], times[baseline], strict=True))
    return (f"ratio {statistics.median(ratios):.3f} (min {ratios[0]:.3f}, max {ratios[-1]:.3f}, "
            f"{len(ratios)} paired rounds)")


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


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_increase(run: Callable[[], object]) -> int:
    """Bytes of resident memory above the starting point at run()'s peak, sampled every millisecond (so
    the peak includes every temporary)."""
    gc.collect()
    start = peak = resident_bytes()
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, resident_bytes())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = run()
    finally:
        done.set()
        sampler.join()
    peak = max(peak, resident_bytes())
    del result
    return peak - start
