"""What TokenViz must do in every anywidget host, driven through the page as a person would.

Each check takes the view's `.tvz-root` locator; scripts run on that element (locator.evaluate), so they
work inside a host's shadow DOM too (marimo renders widgets in one)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

# Sample the strip while a run goes on: how many generated tokens, and whether Stop is enabled (running).
# Sampling ends once the run is over (and, with needTokens, once tokens have come: a run may not have
# started yet when sampling begins).
SAMPLE_RUN_JS = """async (root, needTokens) => {
    const out = [];
    for (let i = 0; i < 1200; i++) {
        const n = root.querySelectorAll('.tvz-token[data-source=generated]').length;
        const running = !root.querySelector('button[data-action=stop]').disabled;
        out.push([n, running]);
        if (!running && (needTokens ? n > 0 : i > 0)) break;
        await new Promise(r => setTimeout(r, 25));
    }
    return out;
}"""


# Whether a person sees the tooltip: inside the viewport, and on top where its last row is (hit-testing
# in the tooltip's own document or shadow root).
TOOLTIP_SEEN_JS = """(tip) => {
    const rows = tip.querySelectorAll('.tvz-cand');
    const r = rows[rows.length - 1].getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const inView = x >= 0 && y >= 0 && x <= window.innerWidth && y <= window.innerHeight;
    tip.style.pointerEvents = 'auto';  // hit-testing skips pointer-events: none
    const hit = tip.getRootNode().elementFromPoint(x, y);
    tip.style.pointerEvents = '';
    return inView && !!hit && tip.contains(hit);
}"""


def prompt_tokens(root: Locator) -> Locator:
    return root.locator(".tvz-token[data-source=prompt]")


def generated_tokens(root: Locator) -> Locator:
    return root.locator(".tvz-token[data-source=generated]")


def hover_shows_tooltip(page: Page, root: Locator, index: int) -> list[str]:
    """Hover prompt token `index`; returns the candidate probabilities its tooltip shows, once a person
    would see it (not just present in the DOM: an unstyled tooltip lands below the page's end)."""
    prompt_tokens(root).nth(index).hover()
    tip = page.locator(".tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible", timeout=10_000)
    assert tip.evaluate(TOOLTIP_SEEN_JS), "the tooltip is not in view, or something covers it"
    return tip.locator(".tvz-cand-p").all_inner_texts()


def sample_run(root: Locator, need_tokens: bool = True) -> list[list]:
    """Sample the strip until the run going on ends: [[generated count, running], ...]."""
    return root.evaluate(SAMPLE_RUN_JS, need_tokens)


def generate_streams(root: Locator, most: int | None = None) -> int:
    """Click Generate: tokens must arrive while the run goes on (not all at its end), at most `most` of them.
    Returns how many it generated."""
    root.locator("button[data-action=generate]").click()
    samples = sample_run(root)
    final = samples[-1][0]
    assert 0 < final <= (most or final), samples[-5:]
    assert any(0 < n < final for n, running in samples if running), samples[-20:]
    return final


def stop_during_run(root: Locator) -> int:
    """Click Generate, then Stop once three tokens have streamed in; returns how many tokens it kept."""
    root.locator("button[data-action=generate]").click()
    generated_tokens(root).nth(2).wait_for(timeout=60_000)
    root.locator("button[data-action=stop]").click()
    expect(root.locator("button[data-action=generate]")).to_be_enabled(timeout=30_000)
    expect(root.locator(".tvz-status")).to_contain_text("cancelled", timeout=10_000)
    return generated_tokens(root).count()
