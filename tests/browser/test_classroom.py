"""Classroom view: what a teacher found running the notebooks in JupyterLab, light and dark, wide and narrow."""

from __future__ import annotations

import pytest
from view_harness import CHROMIUM, View

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

JUPYTER_DARK = {  # the JupyterLab Dark theme's values of the variables the view uses
    "--jp-layout-color0": "#111111",
    "--jp-layout-color1": "#212121",
    "--jp-layout-color2": "#424242",
    "--jp-ui-font-color0": "rgba(255, 255, 255, 1)",
    "--jp-ui-font-color1": "rgba(255, 255, 255, 0.87)",
    "--jp-content-font-color1": "rgba(255, 255, 255, 1)",
    "--jp-border-color1": "#616161",
    "--jp-brand-color1": "#1976d2",
}

# WCAG contrast of each element's drawn background (blended onto the view's own background) against that
# background: what the eye compares when it looks for a coloured token on the page.
SWATCH_CONTRAST_JS = """(sel) => {
  const rgba = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                       return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const base = rgba(getComputedStyle(document.querySelector('#w .tvz-root')).backgroundColor);
  return [...document.querySelectorAll(sel)].flatMap((el) => {
    const bg = rgba(getComputedStyle(el).backgroundColor);
    if (bg[3] === 0) return [];  // no swatch: the first prompt token has no prediction
    const mix = [0, 1, 2].map((i) => bg[i] * bg[3] + base[i] * (1 - bg[3]));
    const a = lum(base), b = lum(mix);
    return [{text: el.textContent, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)}];
  });
}"""


def themed_page(browser, harness_url, theme: str):
    page = browser.new_page(color_scheme="dark" if theme == "dark" else "light",
                            viewport={"width": 1400, "height": 900})
    view = View(page, harness_url)
    if theme == "jupyter-dark":
        css = ";".join(f"{k}: {v}" for k, v in JUPYTER_DARK.items())
        page.evaluate("css => { document.body.style.cssText += ';' + css; }", css)
    return page, view


# --- 1. every colour bucket stands out from the background, light and dark -----------------------------

@pytest.mark.parametrize("theme", ["light", "dark", "jupyter-dark"])
@pytest.mark.parametrize("color_by", ["prob", "rank"])
def test_every_colour_bucket_stands_out_from_the_theme(browser, harness_url, payloads, theme, color_by):
    page, view = themed_page(browser, harness_url, theme)
    try:
        view.mount(payloads.tokens_state(generation_data=payloads.generation(), color_by=color_by))
        buckets = page.evaluate(SWATCH_CONTRAST_JS, "#w .tvz-legend .tvz-swatch")
        assert len(buckets) == 5  # the legend draws every bucket of the scale
        weak = [b for b in buckets if b["ratio"] < 3]
        assert not weak, f"{theme}: buckets that fade into the background: {weak}"
        tokens = page.evaluate(SWATCH_CONTRAST_JS, "#w .tvz-strip .tvz-token")
        assert tokens and min(t["ratio"] for t in tokens) >= 3, tokens
    finally:
        page.close()


# --- 2. pinning a token does not move the strip under its tooltip ----------------------------------------

TIP = ".tvz-tip-host .tvz-tooltip"
PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"


def box(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }")


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


# The view's width in JupyterLab at 1400 px (sidebar open or not) and at 700 px: at these widths the
# settings row wrapped when "clear selection" appeared.
@pytest.mark.parametrize("width", [1150, 1060, 500])
def test_pinning_does_not_move_the_token_under_its_tooltip(browser, harness_url, payloads, width):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        view = View(page, harness_url)
        page.evaluate("w => { document.querySelector('#w').style.width = w + 'px'; }", width)
        view.mount(payloads.tokens_state(generation_data=payloads.generation()))
        token = page.locator(PROMPT_TOKENS).nth(3)
        token.hover()
        before = box(token)
        token.click()  # pins its tooltip and selects it ("clear selection" appears)
        assert view.get("selected") == {"source": "prompt", "index": 3}
        page.wait_for_timeout(100)
        after = box(token)
        assert (after["x"], after["y"]) == (before["x"], before["y"]), (before, after)
        tip = page.locator(TIP).first
        assert tip.is_visible()
        assert not overlaps(box(tip), after), (box(tip), after)
        # and clearing the selection does not move it back either
        page.locator("#w button.tvz-clear-selection").click()
        assert box(token)["y"] == before["y"]
    finally:
        page.close()
