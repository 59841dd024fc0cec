"""Classroom view: what a teacher found running the notebooks in JupyterLab, light and dark, wide and narrow."""

from __future__ import annotations

import pytest
from fixtures import JUPYTER_DARK, shown_percent
from view_harness import CHROMIUM, View

from tests.strips import strip_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]


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
GEN_TOKENS = "#w .tvz-token[data-source=generated]"


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


# --- 3. charts and beams say what they show ---------------------------------------------------------------

def test_surprisal_bars_carry_their_tokens_and_a_key(view, payloads):
    state = payloads.tokens_state(generation_data=payloads.generation())
    view.mount(state)
    page = view.page
    prompt = strip_tokens(state["analysis_data"])
    total = len(prompt) + len(strip_tokens(state["generation_data"]))
    labels = page.locator("#w .tvz-surp-label")
    assert labels.count() > 0
    plot = box(page.locator("#w .tvz-surp-svg"))
    for k in range(labels.count()):
        label = labels.nth(k)
        i = int(label.get_attribute("data-pos"))
        centre = box(label)["x"] + box(label)["w"] / 2
        bar_centre = plot["x"] + (i + 0.5) / total * plot["w"]
        assert abs(centre - bar_centre) < 1.5, (i, centre, bar_centre)  # under its own bar
        if i < len(prompt):  # the token's own text, as the strip shows it
            strip_text = page.locator(PROMPT_TOKENS).nth(i).inner_text()
            shown = label.inner_text()
            assert strip_text.startswith(shown.rstrip("\u2026")), (shown, strip_text)
    # the key says which colour is which, in the bars' own colours
    key = page.locator("#w .tvz-surp-key")
    assert "prompt token" in key.inner_text() and "generated token" in key.inner_text()
    fills = page.evaluate("""() => ['#w .tvz-surp-bars:not(.tvz-surp-gen)', '#w .tvz-surp-bars.tvz-surp-gen',
        '#w .tvz-surp-key-entry[data-source=prompt] .tvz-surp-swatch', '#w .tvz-surp-key-entry[data-source=generated] .tvz-surp-swatch']
        .map((s) => { const st = getComputedStyle(document.querySelector(s)); return s.includes('swatch') ? st.backgroundColor : st.fill; })""")
    assert fills[0] == fills[2] and fills[1] == fills[3] and fills[0] != fills[1], fills


def test_beams_mark_the_best_and_explain_the_score(view, payloads):
    g = payloads.beams["data"]
    view.mount(payloads.tokens_state(generation_data=g, num_beams=4))
    page = view.page
    caption = page.locator("#w .tvz-beam-caption").inner_text()
    assert "sum of the beam's token log-probabilities" in caption and "length^length_penalty" in caption
    first = page.locator("#w .tvz-beam-list li").first
    b = g["beams"][0]
    assert "best" in first.inner_text()
    assert f"{b['score']:.3f} = {b['logprob_sum']:.3f} nats \u00f7 {b['length']}^{b['length_penalty']:g}" in first.inner_text()
    # the tree marks the best beam's path, one node per step, as Python sent it
    page.locator("#w .tvz-tree-box summary").click()
    best = [(s, j) for s, step in enumerate(g["tree"]) for j, n in enumerate(step) if n["best"]]
    assert best and len({s for s, _ in best}) == len(best)
    marked = page.eval_on_selector_all("#w .tvz-node.tvz-best", "els => els.map(e => [+e.dataset.step, +e.dataset.beam])")
    assert sorted(map(tuple, marked)) == best
    assert "best beam" in page.locator("#w .tvz-tree-key").inner_text()


@pytest.mark.parametrize("width", [1150, 1060])
def test_beam_tree_last_column_is_in_sight(browser, harness_url, payloads, width):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        view = View(page, harness_url)
        page.evaluate("w => { document.querySelector('#w').style.width = w + 'px'; }", width)
        view.mount(payloads.beams)
        frame = box(page.locator("#w .tvz-tree-scroll"))
        last = page.locator("#w .tvz-node[data-step='11'] text")
        assert last.count() > 0
        for k in range(last.count()):
            b = box(last.nth(k))
            assert b["x"] + b["w"] <= frame["x"] + frame["w"] + 0.5, (b, frame)  # not cut off at the edge
    finally:
        page.close()


# --- 4. the logit lens: layer numbers stay, its own scale, one numbering --------------------------------------

def test_lens_layer_numbers_stay_in_sight_when_scrolled_sideways(browser, harness_url, payloads):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    try:
        view = View(page, harness_url)
        page.evaluate("() => { document.querySelector('#w').style.width = '500px'; }")
        view.mount(payloads.lens)
        scroller = page.locator("#w .tvz-lens-scroll")
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth + 200")  # the grid is wider than the view
        scroller.evaluate("e => { e.scrollLeft = 300; }")
        frame = box(scroller)
        layers = page.locator("#w .tvz-lens-layer")
        for k in (0, layers.count() - 1):
            b = box(layers.nth(k))
            assert abs(b["x"] - frame["x"]) < 1, (b, frame)
            # drawn on top: the point at its middle is the label, not a cell scrolled under it
            hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).className", [b["x"] + b["w"] / 2, b["y"] + b["h"] / 2])
            assert "tvz-lens-layer" in hit, hit
    finally:
        page.close()


def test_lens_top1_scale_has_its_own_colours_and_says_so(view, payloads):
    state = payloads.lens
    L = state["data"]
    view.mount(state)
    page = view.page
    legend = page.locator("#w .tvz-lens-legend")
    assert "linear" in legend.inner_text() and "not the token strip's colours" in legend.inner_text()
    swatches = legend.locator(".tvz-swatch").evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(swatches) == 5 and len(set(swatches)) == 5
    strip_colours = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('#w .tvz-root'));
        const probe = document.createElement('span'); document.querySelector('#w .tvz-root').append(probe);
        const out = [...Array(9).keys()].map(i => { probe.style.backgroundColor = `var(--tvz-s${i})`; return getComputedStyle(probe).backgroundColor; });
        probe.remove(); return out; }""")
    assert not set(swatches) & set(strip_colours)  # no colour means one thing here and another in the strip
    cells = page.locator("#w .tvz-lens-cell").evaluate_all(
        "els => els.map(e => [+e.dataset.layer, +e.dataset.pos, getComputedStyle(e).backgroundColor])")
    for layer, pos, colour in cells:
        p = L["top"][layer][pos][0][1]
        assert colour == swatches[min(4, int(p * 5))], (layer, pos, p)  # the legend's step for that probability
    page.locator("#w .tvz-view-row button", has_text="next-token").click()
    assert "token strip's colours" in page.locator("#w .tvz-lens-legend").inner_text()


def test_one_numbering_python_index_everywhere(view, payloads):
    state = payloads.tokens_state()
    tokens = strip_tokens(state["analysis_data"])
    view.mount(state)
    page = view.page
    page.locator(PROMPT_TOKENS).nth(1).hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    assert "prompt token 1" in tip.inner_text() and tokens[1]["t"].strip() in tip.inner_text()
    lens = payloads.lens
    view.mount(lens)
    pos = len(lens["data"]["input"]) - 1
    page.locator(f"#w .tvz-lens-cell[data-layer='3'][data-pos='{pos}']").hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    assert f"position {pos}" in tip.inner_text() and f"position {pos + 1}" not in tip.inner_text()


# --- 5. units: one rule, labelled everywhere ---------------------------------------------------------------

def test_tooltip_labels_every_unit(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    tokens = payloads.widget.analysis.tokens
    i = next(k for k, t in enumerate(tokens) if t.logprob is not None)
    page.locator(PROMPT_TOKENS).nth(i).hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    rows = dict(zip(tip.locator("dt").all_inner_texts(), tip.locator("dd").all_inner_texts()))
    log_p, surprisal = rows["log p \u00b7 surprisal"].split(" \u00b7 ")
    assert log_p == f"{tokens[i].logprob:.3f} nats"  # log-probabilities in nats, said
    assert surprisal.endswith(" bits") and rows["entropy"].endswith(" bits")
    assert rows["p"].endswith("%") and "e" not in rows["p"]
    for shown in tip.locator(".tvz-cand-p").all_inner_texts():
        assert shown.endswith("%") and "e-" not in shown, shown  # no exponent that reads as a large number


def test_tsv_header_says_the_units_the_view_shows(browser, harness_url, payloads):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        view = View(page, harness_url)
        view.mount(payloads.tokens_state())
        page.locator("#w [data-export=tsv]").click()
        page.locator("#w .tvz-export-note", has_text="copied").wait_for()
        lines = [line.split("\t") for line in page.evaluate("navigator.clipboard.readText()").split("\n") if line]
        tokens = payloads.widget.analysis.tokens
        i = next(k for k, t in enumerate(tokens) if t.entropy is not None and t.logprob is not None)
        page.locator(PROMPT_TOKENS).nth(i).hover()
        tip = page.locator(TIP).first
        tip.wait_for(state="visible")
        rows = dict(zip(tip.locator("dt").all_inner_texts(), tip.locator("dd").all_inner_texts()))
    finally:
        context.close()
    header, row = lines[0], lines[1 + i]
    assert "entropy_bits" in header and "log_p_nats" in header and "surprisal_bits" in header
    assert "entropy_nats" not in header
    # the TSV's entropy is the tooltip's, in the same unit
    assert float(rows["entropy"].removesuffix(" bits")) == pytest.approx(float(row[header.index("entropy_bits")]), abs=0.006)


# --- 6. "after temperature/top-k/top-p": the tooltip stays readable and the view says what switched ----------

def test_sampled_mode_tooltip_keeps_each_value_on_one_line_and_the_legend_says_what_changed(view, payloads):
    gen = payloads.sampled_generation
    view.mount(payloads.tokens_state(generation_data=gen, prob_mode="raw"))
    page = view.page
    legend = page.locator("#w .tvz-legend-text").first
    note = page.locator("#w .tvz-sampling-effect")
    raw_text = legend.inner_text()
    assert "sampled" not in raw_text and "temperature" not in raw_text and note.is_hidden()
    view.update("prob_mode", "sampled")
    # what switched (generated tokens), and where the numbers are; the note says what follows and what does not
    assert "Generated tokens" in legend.inner_text() and "temperature" in legend.inner_text()
    assert note.is_visible() and "temperature 0.5" in note.inner_text() and "surprisal chart" in note.inner_text()
    token = page.locator("#w .tvz-token[data-source=generated]").first
    token.hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    heights = tip.locator(".tvz-stats dd").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))")
    assert heights and max(heights) < 1.5, heights  # no value squeezed onto several lines
    assert "temperature" in tip.inner_text()  # the short label is explained once, under the numbers


def test_everything_that_shows_a_probability_follows_the_sampled_switch(view, payloads):
    gen = payloads.filtered_generation
    effect = gen["sampling_effect"]
    view.mount(payloads.tokens_state(generation_data=gen, prob_mode="raw"))
    page = view.page
    bars = page.locator("#w .tvz-surp-gen")
    raw_bars = bars.get_attribute("d")

    def candidate_rows():
        page.locator(GEN_TOKENS).first.hover()
        tip = page.locator(TIP).first
        tip.wait_for(state="visible")
        rows = tip.locator(".tvz-cand").evaluate_all(
            "els => els.map(e => [...e.querySelectorAll('.tvz-cand-p, .tvz-cand-raw')].map(c => c.textContent))")
        page.mouse.move(0, 0)
        return rows

    first = strip_tokens(gen)[0]
    assert candidate_rows() == [[shown_percent(c[1])] for c in first["top"]]
    page.locator("#w .tvz-switch button[data-value=sampled]").click()
    # the note: the run's settings and what they did, in the numbers Python measured
    note = page.locator("#w .tvz-sampling-effect").inner_text()
    assert "temperature 1.2 \u00b7 top-k 3 \u00b7 top-p 0.9" in note
    assert shown_percent(effect["mean_sp"]) in note and shown_percent(effect["mean_p"]) in note
    assert f"{effect['raised']} made more likely, {effect['lowered']} less" in note and str(effect["removed"]) in note
    # the candidate list: each candidate's probability after the sampler ("removed" for what it cut), the model's beside
    expected = [["removed" if c[2] == 0 else shown_percent(c[2]), shown_percent(c[1])] for c in first["top"]]
    assert sum(c[2] == 0 for c in first["top"]) >= 2 and candidate_rows() == expected
    # the surprisal chart: generated bars now measure the sampled probabilities (ss), and its key says so
    assert bars.get_attribute("d") != raw_bars
    assert "after temperature" in page.locator("#w .tvz-surp-key-gen").inner_text()
    page.locator("#w .tvz-switch button[data-value=raw]").click()
    assert bars.get_attribute("d") == raw_bars and page.locator("#w .tvz-sampling-effect").is_hidden()


def test_the_switch_says_when_a_generation_was_not_sampled(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.generation(), prob_mode="sampled"))
    note = view.page.locator("#w .tvz-sampling-effect")
    assert note.is_visible() and "not sampled" in note.inner_text()
