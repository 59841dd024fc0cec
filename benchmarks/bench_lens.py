"""logit_lens() on 256 tokens vs bare torch: one forward with hidden states + lm_head(final_norm(h)) per layer.

Run: python benchmarks/bench_lens.py [--tokens 256] [--repeats 2]
Target: logit_lens <= 1.3 x the bare computation, top-k kept on the device.

Memory: torch allocates outside Python's allocator, so tracemalloc sees nothing. A fresh subprocess loads
the model and calls each variant once; then, for each variant, a thread samples the resident set size
(/proc/self/statm, Linux) every millisecond during one call, and the peak minus the size before the call
is reported. (ru_maxrss cannot be used here: loading the model already set a higher peak.)
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


def variants(lm, text):
    ids = torch.tensor([lm.tokenizer(text, add_special_tokens=False)["input_ids"]])
    model = lm.model

    @torch.inference_mode()
    def bare():
        out = model(ids, output_hidden_states=True)
        # Layers 0..L-1 through the final norm and head (each dropped in turn); layer L = the model's logits.
        for h in out.hidden_states[:-1]:
            logits = model.lm_head(model.model.norm(h[0]))
        return logits, out.logits

    return {"bare": bare, "logit_lens": lambda: tokviz.logit_lens(lm, text, alternatives=5)}, ids.shape[1]


def peak_mib(run) -> float:
    return peak_increase(run) / 2**20


def memory_child(tokens: int) -> None:
    lm = tokviz.load_model()
    runs, _ = variants(lm, prompt_of_length(lm.tokenizer, tokens))
    for run in runs.values():  # first calls allocate one-time buffers; measure steady state
        run()
    print(" ".join(f"{peak_mib(runs[name]):.0f}" for name in ("bare", "logit_lens")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.tokens)
        return

    lm = tokviz.load_model()
    runs, n = variants(lm, prompt_of_length(lm.tokenizer, args.tokens))
    times = interleaved(runs, repeats=args.repeats)
    ratio = times["logit_lens"] / times["bare"]
    layers = lm.num_layers + 1
    print(f"{n} tokens x {layers} layers: bare {times['bare']:.2f} s, logit_lens {times['logit_lens']:.2f} s, "
          f"ratio {ratio:.3f} (target <= 1.3)")
    full_grid_mb = layers * n * lm.vocab_size * 4 / 2**20
    child = subprocess.run([sys.executable, __file__, "--memory-child", "--tokens", str(args.tokens)],
                           capture_output=True, text=True, check=True)
    bare_mb, lens_mb = child.stdout.split()[-2:]
    print(f"peak RSS growth during one call (after one warm-up call of each): bare {bare_mb} MB, "
          f"logit_lens {lens_mb} MB "
          f"(holding all layers x positions x vocab in float32 would take {full_grid_mb:.0f} MB)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    if "--memory-child" not in sys.argv:
        print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
