"""generate() (greedy, 64 new tokens, alternatives=10) vs bare `model.generate` with the same settings.

Run: python benchmarks/bench_generate.py [--tokens 64] [--repeats 5]
Target: generate <= 1.05 x bare model.generate (median of paired, interleaved rounds; min and max printed so
noise can be told from a regression); no extra forward pass per step. Also timed: transformers' own recipe
for per-token probabilities (`output_scores` + `compute_transition_scores`), which gives only the chosen
tokens' log-probabilities.
Both runs must produce the same number of tokens: bare generate gets min_new_tokens, and the prompt is a
story opening that the default model does not end within 64 tokens (checked and printed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import interleaved_runs, ratio_spread

import tokviz
from tokviz.widgets.widget import TokenViz

PROMPT = "Chapter one. The old lighthouse keeper climbed the stairs every evening, and"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    lm = tokviz.load_model()
    ids = torch.tensor([lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]])
    n = args.tokens

    @torch.inference_mode()
    def bare():
        return lm.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, min_new_tokens=n,
                                 do_sample=False, pad_token_id=2)

    @torch.inference_mode()
    def scores_recipe():
        out = lm.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, min_new_tokens=n,
                                do_sample=False, pad_token_id=2, output_scores=True, return_dict_in_generate=True)
        return lm.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)

    def ours():
        return tokviz.generate(lm, PROMPT, max_new_tokens=n, alternatives=10)

    def streaming():
        return tokviz.generate(lm, PROMPT, max_new_tokens=n, alternatives=10, on_token=lambda token: None)

    # The widget's Generate: the run streamed to the view by deltas (every message serialised as the comm
    # would, JSON and buffers), then the result's strips set as traits.
    widget = TokenViz(lm, prompt=PROMPT, analyze_now=False, max_new_tokens=n, alternatives=10)
    widget.send = lambda content, buffers=None: json.dumps(content)

    def in_widget():
        return widget.generate(do_sample=False)

    bare_tokens = bare().shape[1] - ids.shape[1]
    result = ours()
    print(f"tokens: bare {bare_tokens}, tokviz {len(result.tokens)} (stopped by {result.stopped_by})")
    runs = {"bare": bare, "scores recipe": scores_recipe, "tokviz": ours, "tokviz+on_token": streaming,
            "TokenViz.generate (deltas)": in_widget}
    times = interleaved_runs(runs, repeats=args.repeats)
    for name in ("scores recipe", "tokviz", "tokviz+on_token", "TokenViz.generate (deltas)"):
        print(f"{n} new tokens, {name} / bare generate: {ratio_spread(times, name, 'bare')}")
    # what the widget adds to the run it streams, paired round by round (noise on both sides cancels more)
    print(f"{n} new tokens, TokenViz.generate (deltas) / tokviz.generate: "
          f"{ratio_spread(times, 'TokenViz.generate (deltas)', 'tokviz')}")

if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
