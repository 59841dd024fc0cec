"""Widget payload size per token (top-k 10) and the time to render a 2,000-token analysis in Chromium.

Run: python benchmarks/bench_widget.py
Targets: <= 80 bytes per token (counted as the comm sends it); < 200 ms to render 2,000 tokens.
The payload is a real analysis of the default model; the render uses that same payload.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from common import prompt_of_length
from view_harness import CHROMIUM, LAUNCH_ARGS, View, render_time_ms, serve

import tokviz
from tests.strips import comm_bytes, strip_tokens
from tokviz.widgets.widget import TokenViz


def main() -> None:
    lm = tokviz.load_model()
    text = prompt_of_length(lm.tokenizer, 2000)
    widget = TokenViz(lm, prompt=text, alternatives=10)
    payload = widget.analysis_data
    size = comm_bytes(payload)  # as the comm sends it: JSON and binary buffers
    n = len(strip_tokens(payload))
    print(f"payload: {size} bytes for {n} tokens at top-k 10 = {size / n:.0f} bytes/token (target <= 80)")

    from playwright.sync_api import sync_playwright

    with serve() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        View(page, url)
        times = [render_time_ms(page, payload) for _ in range(7)]
        browser.close()
    print(f"render {n} tokens in Chromium: median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}; target < 200 ms)")


if __name__ == "__main__":
    main()
