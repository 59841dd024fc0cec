"""analyze() on a 1,000-token prompt vs one bare forward pass; cold vs cached default-model load.

Run: python benchmarks/bench_analyze.py [--skip-cold]
Targets: analyze <= 1.10 x bare forward; second load < 3 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import interleaved, prompt_of_length

import tokviz

# Python imports (torch, transformers) are timed apart from load_model itself.
LOAD = ("import time; t = time.perf_counter(); import tokviz, transformers; i = time.perf_counter() - t; "
        "t = time.perf_counter(); tokviz.load_model(); print(i, time.perf_counter() - t)")


def timed_load(cache: str | None) -> tuple[float, float]:
    """(seconds to import tokviz and transformers, seconds in load_model) in a fresh process."""
    env = dict(os.environ)
    if cache:
        env["TOKVIZ_CACHE"] = cache
    out = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, check=True)
    imports, load = out.stdout.strip().splitlines()[-1].split()
    return float(imports), float(load)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-cold", action="store_true", help="skip the ~30 s one-time conversion")
    parser.add_argument("--tokens", type=int, default=1000)
    args = parser.parse_args()

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as empty_cache:
            _, cold = timed_load(empty_cache)
            imports, cached = timed_load(empty_cache)
        print(f"default model load: cold (GGUF conversion) {cold:.1f} s, cached {cached:.2f} s (target < 3 s); "
              f"importing torch + transformers first takes {imports:.1f} s")
    else:
        imports, cached = timed_load(None)
        print(f"default model load (cached): {cached:.2f} s (target < 3 s), after {imports:.1f} s of imports")

    lm = tokviz.load_model()
    text = prompt_of_length(lm.tokenizer, args.tokens)
    ids = torch.tensor([lm.tokenizer(text, add_special_tokens=False)["input_ids"]])

    @torch.inference_mode()
    def bare_forward():
        return lm.model(ids).logits

    times = interleaved({"bare forward": bare_forward, "analyze": lambda: tokviz.analyze(lm, text, alternatives=10)})
    ratio = times["analyze"] / times["bare forward"]
    print(f"{ids.shape[1]}-token prompt: bare forward {times['bare forward'] * 1000:.0f} ms, "
          f"analyze {times['analyze'] * 1000:.0f} ms, ratio {ratio:.3f} (target <= 1.10)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
