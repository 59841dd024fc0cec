"""llama.cpp's C++ llama-server against llama-cpp-python's server and the local model, on the same prompts:
analyze (llama-server pays one request and one decode step per prompt position, the prefix cached;
llama-cpp-python one echo request) and generate, greedy and sampled (a sampled run on llama-server reads the
raw numbers by id after the stream), as time ratios to the local model.

Run: python benchmarks/bench_llama_server.py [--threads 2]   (needs both servers: bash scripts/setup.sh --test)
No target: the ratios say what each path costs here; the servers run the 4-bit GGUF, the local model float32.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
from common import SERVED_NEW_TOKENS, SERVED_PROMPTS, interleaved, prompt_of_length

import tokviz
from tests.llama_server import start_llama_server
from tests.served_server import start_server, stop_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    lm = tokviz.load_model()
    (cpp, cpp_url), (py, py_url) = start_llama_server(threads=args.threads), start_server(threads=args.threads)
    try:
        models = {"local": lm, "llama-server": tokviz.connect(cpp_url, timeout=300),
                  "llama-cpp-python": tokviz.connect(py_url, timeout=300)}
        long_text = prompt_of_length(lm.tokenizer, 200)
        for name, texts in (("3 short prompts", SERVED_PROMPTS), ("one 200-token prompt", [long_text])):
            times = interleaved({key: lambda m=m, texts=texts: [tokviz.analyze(m, t) for t in texts]
                                 for key, m in models.items()}, repeats=3)
            tokens = sum(len(tokviz.analyze(lm, t).tokens) for t in texts)
            print(f"analyze, {name} ({tokens} tokens): " + ", ".join(
                f"{key} {t * 1000:.0f} ms ({t / times['local']:.2f}x)" for key, t in times.items()))
        for label, settings in (("greedy", {}), ("sampled T=0.7 top-k 20", {"do_sample": True, "temperature": 0.7,
                                                                            "top_k": 20, "seed": 1})):
            run = {"max_new_tokens": SERVED_NEW_TOKENS, "alternatives": 10, **settings}
            times = interleaved({key: lambda m=m, run=run: [tokviz.generate(m, p, **run) for p in SERVED_PROMPTS]
                                 for key, m in models.items()}, repeats=3)
            print(f"generate, {label}, {SERVED_NEW_TOKENS} new tokens x {len(SERVED_PROMPTS)} prompts: " + ", ".join(
                f"{key} {t:.2f} s ({t / times['local']:.2f}x)" for key, t in times.items()))
    finally:
        stop_server(cpp)
        stop_server(py)


if __name__ == "__main__":
    main()
