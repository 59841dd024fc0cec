"""A served model against the local one on the same prompts: analyze and greedy generate through
llama-cpp-python's server (the default model's own GGUF file, 4-bit) vs the local model (dequantised,
float32, transformers), as time ratios, plus the bytes the server sends per token (counted by a
pass-through proxy) and how closely the numbers agree.

Run: python benchmarks/bench_served.py [--threads 2]   (needs the server: bash scripts/setup.sh --test)
No target: the ratio says what a served model costs here; on a GPU server the model's side is far faster.
Here the server's own time dominates analyze: llama-cpp-python sorts the whole vocabulary in Python at every
echoed position (a 200-token echo takes as long with logprobs=1 as with 20), and tokviz adds little to it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
from common import SERVED_NEW_TOKENS, SERVED_PROMPTS, interleaved, prompt_of_length

import tokviz
from tests.served_server import Proxy, start_server, stop_server


def bytes_per_token(proxy: Proxy, run, tokens: int) -> float:
    before = proxy.bytes_out
    run()
    return (proxy.bytes_out - before) / tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="the server's threads (default: torch's, so both sides use the same cores)")
    args = parser.parse_args()
    lm = tokviz.load_model()
    process, url = start_server(threads=args.threads)
    proxy = Proxy(url)
    try:
        served = tokviz.connect(proxy.url, timeout=300)
        long_text = prompt_of_length(lm.tokenizer, 500)
        for name, texts in (("3 short prompts", SERVED_PROMPTS), ("one 500-token prompt", [long_text])):
            times = interleaved({
                "local": lambda texts=texts: [tokviz.analyze(lm, t) for t in texts],
                "served": lambda texts=texts: [tokviz.analyze(served, t) for t in texts],
            }, repeats=3)
            tokens = sum(len(tokviz.analyze(lm, t).tokens) for t in texts)
            sent = bytes_per_token(proxy, lambda texts=texts: [tokviz.analyze(served, t) for t in texts], tokens)
            print(f"analyze, {name}: local {times['local'] * 1000:.0f} ms, served {times['served'] * 1000:.0f} ms, "
                  f"ratio {times['served'] / times['local']:.2f}; {sent:.0f} bytes from the server per token (k=20)")
        gen = {"max_new_tokens": SERVED_NEW_TOKENS, "alternatives": 10}
        times = interleaved({
            "local": lambda: [tokviz.generate(lm, p, **gen) for p in SERVED_PROMPTS],
            "served": lambda: [tokviz.generate(served, p, **gen) for p in SERVED_PROMPTS],
        }, repeats=3)
        runs = [tokviz.generate(served, p, **gen) for p in SERVED_PROMPTS]
        produced = sum(len(r.tokens) for r in runs)
        sent = bytes_per_token(proxy, lambda: [tokviz.generate(served, p, **gen) for p in SERVED_PROMPTS], produced)
        print(f"generate, greedy {SERVED_NEW_TOKENS} new tokens x {len(SERVED_PROMPTS)} prompts: "
              f"local {times['local']:.2f} s, "
              f"served {times['served']:.2f} s, ratio {times['served'] / times['local']:.2f}; {sent:.0f} bytes per "
              "generated token (the prompt's analysis, the stream, the distribution after it)")
        local_runs = [tokviz.generate(lm, p, **gen) for p in SERVED_PROMPTS]
        same = sum(a == b for r, loc in zip(runs, local_runs) for a, b in zip(r.token_ids, loc.token_ids))
        first_diff = [next((i for i, (a, b) in enumerate(zip(r.token_ids, loc.token_ids)) if a != b), None)
                      for r, loc in zip(runs, local_runs)]
        print(f"greedy tokens equal to the local model's: {same} of {produced} (first difference at token "
              f"{first_diff}: the server runs the 4-bit weights)")
    finally:
        proxy.close()
        stop_server(process)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
