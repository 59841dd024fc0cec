"""Long strips: what the view receives and how fast it draws, at 2k, 32k and 128k tokens.

Run: python benchmarks/bench_long_context.py [--sizes 2048 32768 131072] [--repeats 5]
Targets: <= 80 bytes per token at 10 alternatives, counted at the comm (the trait and the chunk messages
a view asks for, JSON and binary buffers); no message over 8 MB; a streamed 240-token generation sends at
most 2x the widget's final state. Also measured (no target; median, min and max of the repeats): the
time to first paint (render, layout and the first drawn rows, in Chromium), the time until every chunk
is in and the whole strip is known, and the hover latency of a token near the end (tooltip shown and
laid out). The analyses are real: a tiny random long-context Llama (tests/long_context.py) with the
default model's tokenizer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from view_harness import CHROMIUM, LAUNCH_ARGS, View, page_value, serve, token_view_state

import tokviz
import tokviz.widgets.widget as widget_module
from tests.long_context import text_of_tokens, tiny_long_llama
from tests.strips import comm_bytes, recorded
from tokviz.widgets.widget import TokenViz

# In the page: draw the strip, then wait for its first rows to be laid out and painted.
FIRST_PAINT = """async (state) => {
  const rendered = await window.timeRender(state);  // the bundle is loaded before its clock starts
  const t0 = performance.now();
  const strip = document.querySelector('#w .tvz-strip');
  while (!strip.querySelector('.tvz-token')) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return rendered + performance.now() - t0;
}"""
# In the page: hover token i near the end (its rows drawn first) until its tooltip is shown and laid out.
HOVER = """async (i) => {
  const strip = document.querySelector('#w .tvz-strip');
  strip.scrollTop = strip.scrollHeight;
  let span;
  while (!(span = strip.querySelector(`.tvz-prompt-tokens .tvz-token[data-index="${i}"]`))) {
    await new Promise((r) => requestAnimationFrame(r));
  }
  span.dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));
  const t0 = performance.now();
  span.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
  const tip = document.querySelector('.tvz-tip-host .tvz-tooltip:not([hidden])');
  tip.getBoundingClientRect();
  const ms = performance.now() - t0;
  return tip.textContent.includes(`prompt token ${i}`) ? ms : -1;
}"""


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms (min {min(values):.0f}, max {max(values):.0f})"


def measure(page, url, tokenizer, n: int, repeats: int) -> None:
    lm = tiny_long_llama(tokenizer, max(n, 4096))
    start = time.perf_counter()
    w = TokenViz(lm, prompt=text_of_tokens(tokenizer, n), alternatives=10)
    took = time.perf_counter() - start
    carried = w.analysis_data
    answers, sizes = [], [comm_bytes(w.get_state("analysis_data"))]

    def send(content, buffers=None):
        answers.append(recorded(content, buffers))
        sizes.append(comm_bytes(content, buffers or []))

    w.send = send
    if "key" in carried:
        w._handle_message(w, {"action": "chunks", "trait": "analysis_data", "key": carried["key"],
                              "from": len(carried["chunks"])}, [])
    print(f"{n:>7} tokens: analyze + payload {took:.1f} s; {sum(sizes) / n:.1f} bytes/token in {len(sizes)} "
          f"message(s), the largest {max(sizes) / 1e6:.2f} MB (targets <= 80 bytes/token, <= 8 MB)")
    state = page_value({**token_view_state(), "analysis_data": carried, "alternatives": 10})
    paints, wholes, hovers = [], [], []
    for _ in range(repeats):
        View(page, url)
        paints.append(page.evaluate(FIRST_PAINT, state))
        t0 = time.perf_counter()
        for message in answers:
            chunk = dict(message["chunk"])
            data = chunk.pop("data")
            page.evaluate("([m, b]) => window.receive(m, b)", page_value([{**message, "chunk": chunk}, [data]]))
        page.wait_for_function(f"document.querySelector('#w .tvz-status').textContent.includes('{n} prompt tokens')")
        wholes.append((time.perf_counter() - t0) * 1000 + paints[-1])
        hovers.append(page.evaluate(HOVER, n - 3))
    assert min(hovers) >= 0, "the tooltip did not show the hovered token"
    print(f"{'':>7}  first paint {spread(paints)}; whole strip in {spread(wholes)}; hover near the end "
          f"{spread(hovers)}")


def streaming_ratio() -> None:
    lm = tokviz.load_model()
    w = TokenViz(lm, prompt="Chapter one. The old lighthouse keeper", max_new_tokens=240, alternatives=10)
    sent = []
    w.comm.send = lambda data=None, metadata=None, buffers=None: sent.append(comm_bytes(data, buffers or []))
    interval, widget_module.STREAM_INTERVAL_S = widget_module.STREAM_INTERVAL_S, 0.0  # a message per token
    try:
        w.generate(do_sample=False)
    finally:
        widget_module.STREAM_INTERVAL_S = interval
    final = comm_bytes(w.get_state())
    print(f"streamed generation of {len(w.generation.tokens)} tokens (a message per token): {sum(sent)} bytes "
          f"sent, final state {final} bytes: ratio {sum(sent) / final:.2f} (target <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048, 32768, 131072])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    from transformers import AutoTokenizer

    from tokviz.backends.local.loading import default_model_dir

    tokenizer = AutoTokenizer.from_pretrained(default_model_dir())
    streaming_ratio()
    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        for n in args.sizes:
            measure(page, url, tokenizer, n, args.repeats)
        browser.close()


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
