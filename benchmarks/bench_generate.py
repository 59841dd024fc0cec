"""generate() (greedy, 64 new tokens, alternatives=10) vs bare `model.generate` with the same settings.

Run: python benchmarks/bench_generate.py [--tokens 64] [--repeats 3]
Target: generate <= 1.10 x bare model.generate; no extra forward pass per step.
Both runs must produce the same number of tokens: bare generate gets min_new_tokens, and the prompt is a
story opening that the default model does not end within 64 tokens (checked and printed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import interleaved

import tokviz

PROMPT = "Chapter one. The old lighthouse keeper climbed the stairs every evening, and"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    lm = tokviz.load_model()
    ids = torch.tensor([lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]])
    n = args.tokens

    @torch.inference_mode()
    def bare():
        return lm.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, min_new_tokens=n,
                                 do_sample=False, pad_token_id=2)

    def ours():
        return tokviz.generate(lm, PROMPT, max_new_tokens=n, alternatives=10)

    def streaming():
        return tokviz.generate(lm, PROMPT, max_new_tokens=n, alternatives=10, on_token=lambda token: None)

    bare_tokens = bare().shape[1] - ids.shape[1]
    result = ours()
    print(f"tokens: bare {bare_tokens}, tokviz {len(result.tokens)} (stopped by {result.stopped_by})")
    times = interleaved({"bare": bare, "tokviz": ours, "tokviz+on_token": streaming}, repeats=args.repeats)
    for name in ("tokviz", "tokviz+on_token"):
        ratio = times[name] / times["bare"]
        print(f"{n} new tokens: bare generate {times['bare'] * 1000:.0f} ms, {name} {times[name] * 1000:.0f} ms, "
              f"ratio {ratio:.3f} (target <= 1.10)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
