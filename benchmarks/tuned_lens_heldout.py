"""Mean KL(final || layer) per layer on held-out texts, logit lens vs tuned lens, on the default model.

Held out: the first 64 tokens of paragraphs of tokviz's shipped corpus (natural text; the lens trained on
generated text only) and of texts the model generates from another seed (starting from its BOS token).
Every position of every text counts once; one all-layers pass per text serves both lenses.
Run: OMP_NUM_THREADS=1 python benchmarks/tuned_lens_heldout.py [--paragraphs 3] [--generated 2]
Prints a markdown table (docs/numbers.md) and the training time; exits 1 if the tuned lens is not below
the logit lens at every layer 1..L-1.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch

import tokviz
from tokviz.backends.local.forward import final_states
from tokviz.backends.local.model_parts import model_parts
from tokviz.data import corpus_paragraphs
from tokviz.studies.lens_measures import kl_from
from tokviz.studies.tuned_lens_training import generated_ids


@torch.inference_mode()
def kl_by_layer(lm, ids: list[int], lens) -> tuple[np.ndarray, np.ndarray]:
    """[layers, positions] KL(final || layer) for the logit lens and the tuned lens, from one pass."""
    head = model_parts(lm.model).logits
    out = final_states(lm, torch.tensor([ids]), all_layers=True)
    final = torch.log_softmax(out.project(out.states[0]).float(), -1)
    tables = []
    for layers in (out.layers, lens.translate(lm, out).layers):
        rows = [kl_from(final, torch.log_softmax(head(h[0]).float(), -1)) for h in layers[:-1]]
        tables.append(torch.stack([*rows, torch.zeros_like(rows[0])]).numpy())
    return tables[0], tables[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=3)
    parser.add_argument("--generated", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=64, help="first tokens of each text")
    parser.add_argument("--no-cache", action="store_true", help="retrain even if the lens is cached")
    args = parser.parse_args()
    lm = tokviz.load_model()
    began = time.perf_counter()
    tuned = tokviz.tuned_lens(lm, cache=not args.no_cache, progress=False)
    took = time.perf_counter() - began
    print(f"tuned lens: {tuned.settings}; trained in {tuned.seconds:.0f} s (this call {took:.0f} s)")
    texts = [lm.tokenizer(p, add_special_tokens=False)["input_ids"][: args.tokens]
             for p in corpus_paragraphs()[: args.paragraphs]]
    texts += [row[: args.tokens].tolist() for row in generated_ids(lm, args.generated, args.tokens, seed=12345)]
    pairs = [kl_by_layer(lm, ids, tuned) for ids in texts]
    logit = np.concatenate([a for a, _ in pairs], axis=1).mean(axis=1)
    tuned_kl = np.concatenate([b for _, b in pairs], axis=1).mean(axis=1)
    print(f"{sum(len(t) for t in texts)} positions")
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
