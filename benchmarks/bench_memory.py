"""Peak memory and time of analyze() and perplexity() on long texts, against one bare forward pass.

Run: python benchmarks/bench_memory.py [--tokens 4000 8000] [--repeats 2]
Targets (issue: one scoring core): the peak increase of resident memory over the loaded model is at most
0.3 x the bare forward's increase, and the time is at most 1.10 x the bare forward's.

The bare forward is `model(ids, use_cache=False).logits`, the plain way to get every token's distribution
(it holds the [tokens x vocabulary] logits). Each memory figure comes from a fresh process (the allocator
keeps freed memory, so a second call in one process would look smaller): it loads the model, then samples
its resident memory every millisecond while the one call runs, so the peak includes every temporary. The
weights are memory-mapped, so a 3-token pass first pages them in: they are the loaded model, not the call.
Times are medians of interleaved runs in this process.

Peers, timed and measured the same way on the same text when they are importable (`pip install minicons
lm-eval`; without them their lines say so): minicons' `IncrementalLMScorer.token_score` and lm-eval's
`HFLM.loglikelihood_rolling`, each given the already loaded model.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import interleaved, peak_increase, prompt_of_length

import tokviz


def calls(lm, n: int) -> dict:
    """The three ways to get every token's numbers for an n-token text."""
    text = prompt_of_length(lm.tokenizer, n)
    ids = torch.tensor([lm.tokenizer(text, add_special_tokens=False)["input_ids"]])
    window = min(ids.shape[1] + 1, lm.context_length)  # one window: perplexity's pass is analyze's

    def bare():
        return lm.model(ids, use_cache=False).logits

    return {"bare forward": bare, "analyze": lambda: tokviz.analyze(lm, text, alternatives=10),
            "perplexity": lambda: tokviz.perplexity(lm, text, window=window), **peer_calls(lm, text)}


def peer_calls(lm, text: str) -> dict:
    """The peers' ways to score every token of `text`, those that are installed."""
    found = {}
    try:
        from minicons import scorer
    except ImportError:
        print("minicons not installed: not measured")
    else:
        minicons = scorer.IncrementalLMScorer(lm.model, tokenizer=lm.tokenizer, device="cpu")
        found["minicons"] = lambda: minicons.token_score([text])
    try:
        from lm_eval.api.instance import Instance
        from lm_eval.models.huggingface import HFLM
    except ImportError:
        print("lm-eval not installed: not measured")
    else:
        harness = HFLM(pretrained=lm.model, tokenizer=lm.tokenizer, batch_size=1, max_length=lm.context_length)
        request = Instance(request_type="loglikelihood_rolling", doc={}, arguments=(text,), idx=0)
        found["lm-eval"] = lambda: harness.loglikelihood_rolling([request], disable_tqdm=True)
    return found


def measure_in_fresh_process(name: str, n: int) -> int:
    out = subprocess.run([sys.executable, __file__, "--measure", name, str(n)], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, nargs="+", default=[4000, 8000])
    parser.add_argument("--repeats", type=int, default=2, help="timed runs of each call (median)")
    parser.add_argument("--measure", nargs=2, metavar=("CALL", "TOKENS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    lm = tokviz.load_model()
    if args.measure:  # the child process: one call's peak memory increase, in bytes
        fn = calls(lm, int(args.measure[1]))[args.measure[0]]
        # The weights are memory-mapped: a first pass pages them all in, so they count as the loaded model.
        lm.model(torch.tensor([[1, 2, 3]]), use_cache=False)
        print(peak_increase(fn))
        return
    print(f"{lm.name}: vocabulary {lm.vocab_size}, {torch.get_num_threads()} threads")
    failures = []
    for n in args.tokens:
        runs = calls(lm, n)
        memory = {name: measure_in_fresh_process(name, n) for name in runs}
        times = interleaved(runs, repeats=args.repeats, warmup=0)
        print(f"\n{n} tokens:")
        for name in runs:
            mem_ratio = memory[name] / memory["bare forward"]
            time_ratio = times[name] / times["bare forward"]
            line = (f"  {name:<13} peak +{memory[name] / 2**20:7.0f} MiB ({mem_ratio:4.2f} x bare), "
                    f"{times[name]:6.2f} s ({time_ratio:4.2f} x bare)")
            if name in ("analyze", "perplexity"):  # the targets are tokviz's; the peers are for comparison
                ok = mem_ratio <= 0.3 and time_ratio <= 1.10
                line += "  ok" if ok else "  MISSES the target (memory <= 0.3 x, time <= 1.10 x)"
                if not ok:
                    failures.append(f"{name} at {n} tokens")
            print(line, flush=True)
    if failures:
        print("\nmissed: " + ", ".join(failures))


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    if "--measure" not in sys.argv:
        print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
