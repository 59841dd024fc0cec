"""icl_curve cost: model forward calls used vs the minimum of one per (k shots, order), and wall time.

Run: python benchmarks/bench_icl.py [--orders 3] [--repeats 1] [--unbatched]
Forward calls are counted with a forward hook on the model's body (every pass runs it; tokviz's scoring
core runs the body alone), independently of what icl_curve reports.
Baseline: one bare forward pass per (k, order) prompt, the minimum an unbatched implementation needs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import tokviz

CAPITALS = [("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Egypt", "Cairo"),
            ("Spain", "Madrid"), ("Russia", "Moscow"), ("Greece", "Athens"), ("Canada", "Ottawa")]
QUERY, ANSWER = "Germany", "Berlin"


class CallCounter:
    """Counts calls of a module's forward (and the tokens they were given) with a forward hook."""

    def __init__(self, module: torch.nn.Module):
        self.calls = 0
        self.tokens = 0
        module.register_forward_hook(self._hook, with_kwargs=True)

    def _hook(self, module, args, kwargs, output):
        ids = kwargs.get("input_ids", args[0] if args else None)
        self.calls += 1
        self.tokens += ids.numel()

    def reset(self):
        self.calls = self.tokens = 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--unbatched", action="store_true", help="also time icl_curve(batch_size=1)")
    args = parser.parse_args()

    lm = tokviz.load_model()
    counter = CallCounter(lm.model.base_model)
    shots = len(CAPITALS)

    def curve(**kwargs):
        return tokviz.icl_curve(lm, CAPITALS, QUERY, ANSWER, orders=args.orders, **kwargs)

    result = curve()
    # Every (k, order) prompt, each as its own bare forward pass (up to the answer's first token + answer).
    prompts = []
    for order in result.orders:
        for k in range(shots + 1):
            text = "".join(f"{x} -> {y}\n" for x, y in (CAPITALS[i] for i in order[:k])) + f"{QUERY} -> {ANSWER}"
            prompts.append(torch.tensor([lm.tokenizer(text)["input_ids"]]))

    @torch.inference_mode()
    def bare():
        for ids in prompts:
            lm.model(ids)

    runs = {"icl_curve": curve, "bare, one pass per (k, order)": bare}
    if args.unbatched:
        runs["icl_curve(batch_size=1)"] = lambda: curve(batch_size=1)
    calls, tokens, times = {}, {}, {name: [] for name in runs}
    for _ in range(args.repeats):  # interleaved, so machine noise hits every run alike
        for name, fn in runs.items():
            counter.reset()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            calls[name], tokens[name] = counter.calls, counter.tokens

    print(f"{lm.name}: {shots} examples, k = 0..{shots}, {args.orders} orders; "
          f"minimum = one pass per (k, order) = {(shots + 1) * args.orders}")
    print(f"  icl_curve reports forward_passes = {result.forward_passes}")
    for name in runs:
        print(f"  {name:<30} forward calls counted: {calls[name]:>3}, tokens fed (incl. padding): "
              f"{tokens[name]:>5}, wall (median of {args.repeats}): {statistics.median(times[name]):6.2f} s")
    ratio = statistics.median(times["icl_curve"]) / statistics.median(times["bare, one pass per (k, order)"])
    print(f"  icl_curve / bare = {ratio:.2f}")
    print("curve (mean P(answer) by shots):", ", ".join(f"{k}: {p:.3f}" for k, p in
                                                       zip(result.shots, result.answer_probs, strict=True)))


if __name__ == "__main__":
    main()
