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
