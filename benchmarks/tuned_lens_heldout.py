"""Mean KL(final || layer) per layer on held-out texts, logit lens vs tuned lens, on the default model.

Held out: paragraphs of tokviz's shipped corpus (natural text; the lens trained on generated text only)
and texts the model generates from another seed. Every position of every text counts once.
Run: OMP_NUM_THREADS=1 python benchmarks/tuned_lens_heldout.py [--paragraphs 6] [--generated 4]
Prints a markdown table (docs/numbers.md) and the training time; exits 1 if the tuned lens is not below
the logit lens at every layer 1..L-1.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import tokviz
from tokviz.data import corpus_paragraphs
from tokviz.studies.tuned_lens_training import generated_ids


def mean_kl_by_layer(lm, texts, lens=None) -> np.ndarray:
    rows = []
    for text in texts:
        result = tokviz.logit_lens(lm, text, alternatives=1, lens=lens)
        rows.append(np.array(result.kl_to_final))  # [layers, positions]
    return np.concatenate(rows, axis=1).mean(axis=1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--generated", type=int, default=4)
    parser.add_argument("--no-cache", action="store_true", help="retrain even if the lens is cached")
    args = parser.parse_args()
    lm = tokviz.load_model()
    began = time.perf_counter()
    tuned = tokviz.tuned_lens(lm, cache=not args.no_cache, progress=False)
    took = time.perf_counter() - began
    print(f"tuned lens: {tuned.settings}; trained in {tuned.seconds:.0f} s (this call {took:.0f} s)")
    texts = list(corpus_paragraphs()[: args.paragraphs])
    ids = generated_ids(lm, args.generated, 64, seed=12345)
    texts += [lm.tokenizer.decode(row[1:]) for row in ids]
    logit = mean_kl_by_layer(lm, texts)
    tuned_kl = mean_kl_by_layer(lm, texts, tuned)
    print(f"\n{len(texts)} held-out texts ({args.paragraphs} corpus paragraphs, {args.generated} generated "
          f"with seed 12345)")
    print("\n| layer | logit lens KL (nats) | tuned lens KL (nats) |\n|---:|---:|---:|")
    for layer, (a, b) in enumerate(zip(logit, tuned_kl)):
        print(f"| {layer} | {a:.3f} | {b:.3f} |")
    worse = [layer for layer in range(1, len(logit) - 1) if not tuned_kl[layer] < logit[layer]]
    print(f"\nlayers 1..{len(logit) - 2} where the tuned lens is not below the logit lens: {worse or 'none'}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
