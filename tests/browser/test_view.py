"""The view (tokviz/static/widget.js) in Chromium through the fake-model harness."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from payloads import (
    GEN,
    HTML_BREAKOUT,
    HTML_IMG,
    HTML_SCRIPT,
    PROMPT,
    analysis,
    beams_generation,
    big_analysis,
    generation,
    icl_curve,
    label_scores,
    lens,
    tokens_state,
)
from view_harness import CHROMIUM, render_time_ms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

DOT, TAB, RET = "\u00b7", "\u2192", "\u21b5"
TOKENS = "#w .tvz-token"
PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"
GEN_TOKENS = "#w .tvz-token[data-source=generated]"
TIP = ".tvz-tip-host .tvz-tooltip"  # tooltips live in a host under <body>


def percent(p: float) -> str:
    """The view's percentage format for 0.1% <= p < 99.95%."""
    pct = p * 100  # JS toFixed rounds the exact binary value half-up
    places = Decimal("0.1") if pct >= 10 else Decimal("0.01")
    return f"{Decimal(pct).quantize(places, rounding=ROUND_HALF_UP)}%"


def visible_tip(page):
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    return tip


def assert_no_injection(view):
    page = view.page
    page.wait_for_timeout(50)
    assert view.dialogs == []
    assert page.locator("#w img").count() == 0
    assert page.locator("#w script").count() == 0
    assert view.errors == []


# --- TokenViz ---------------------------------------------------------------------------------------


def test_prompt_tokens_render_with_visible_whitespace_and_byte_badges(view):
    view.mount(tokens_state())
    page = view.page
    assert page.locator(PROMPT_TOKENS).count() == len(PROMPT)
    texts = page.locator(PROMPT_TOKENS).all_inner_texts()
    assert texts[0] == "The"
    assert texts[1] == f"{DOT}capital"
    assert texts[5].startswith(RET)  # newline marker, then a real line break
    assert page.locator(f"{PROMPT_TOKENS} br").count() == 1
    assert texts[6] == TAB
    assert texts[7] == DOT + DOT
    # the emoji: two partial tokens as byte badges, the completing token carries the character
    badges = [page.locator(PROMPT_TOKENS).nth(i).locator(".tvz-byte").all_inner_texts() for i in (8, 9)]
    assert badges == [["F0", "9F"], ["98"]]
    assert texts[10] == "\U0001f600"
    assert "\ufffd" not in "".join(texts)
    assert texts[11] == HTML_IMG
    assert texts[12] == HTML_SCRIPT
    assert texts[13] == HTML_BREAKOUT
    assert page.locator(PROMPT_TOKENS).nth(14).locator(".tvz-special").inner_text() == "<|endoftext|>"
    # every token is focusable and carries its index and source
    attrs = page.eval_on_selector_all(PROMPT_TOKENS, "els => els.map(e => [e.tabIndex, e.dataset.index])")
    assert attrs == [[0, str(i)] for i in range(len(PROMPT))]
    # tokens with a prediction are coloured, the first one is not
    bgs = page.eval_on_selector_all(PROMPT_TOKENS, "els => els.map(e => e.style.backgroundColor)")
    assert bgs[0] == "" and all(bgs[1:])
    assert_no_injection(view)


def test_html_looking_text_never_becomes_markup(view):
    view.mount(tokens_state())
    page = view.page
    for i in (11, 12, 13):  # hover the HTML tokens: their candidates include HTML-looking pieces too
        page.locator(PROMPT_TOKENS).nth(i).hover()
        tip = visible_tip(page)
        if i == 11:  # the actual token (an HTML-looking piece) is among its candidates, drawn as text
            assert tip.locator(".tvz-actual .tvz-cand-tok").inner_text() == HTML_IMG
    page.locator("#w .tvz-next").hover()
    visible_tip(page)
    assert_no_injection(view)


def test_hover_shows_probability_rank_entropy_and_candidates(view):
    state = tokens_state()
    view.mount(state)
    page = view.page
    tok = state["analysis"]["tokens"][3]
    page.locator(PROMPT_TOKENS).nth(3).hover()
    tip = visible_tip(page)
    text = tip.inner_text()
    assert f"{DOT}France" in text
    assert percent(tok["p"]) in text
    assert f"#{tok['r']}" in text
    assert f"{tok['h'] / 0.6931471805599453:.2f} bits" in text
    rows = tip.locator(".tvz-cand")
    assert rows.count() == min(state["alternatives"], len(tok["top"]))
    for i, (_cid, p) in enumerate(tok["top"][: rows.count()]):
        assert rows.nth(i).locator(".tvz-cand-p").inner_text() == percent(p)
    actual = tip.locator(".tvz-cand.tvz-actual")
    assert actual.count() == 1
    assert actual.get_attribute("data-id") == str(tok["id"])
    # moving away hides it; the first token explains it has no prediction
    page.mouse.move(990, 790)
    page.locator(TIP).first.wait_for(state="hidden")
    page.locator(PROMPT_TOKENS).first.hover()
    assert "no prediction" in visible_tip(page).inner_text()


def test_alternatives_limits_candidates(view):
    view.mount(tokens_state(alternatives=2))
    view.page.locator(PROMPT_TOKENS).nth(4).hover()
    assert visible_tip(view.page).locator(".tvz-cand").count() == 2


def test_keyboard_focus_shows_tooltip(view):
    view.mount(tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(2).focus()
    assert f"{DOT}of" in visible_tip(page).inner_text()
    page.keyboard.press("ArrowRight")
    assert f"{DOT}France" in visible_tip(page).inner_text()


def test_click_pins_tooltip_and_sets_selected(view):
    view.mount(tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(3).click()
    assert view.get("selected") == {"source": "prompt", "index": 3}
    assert view.saved()[-1]["selected"] == {"source": "prompt", "index": 3}
    tip = visible_tip(page)
    assert "tvz-pinned" in (tip.get_attribute("class") or "")
    assert page.locator(PROMPT_TOKENS).nth(3).evaluate("e => e.classList.contains('tvz-selected')")
    # hovering another token does not move a pinned tooltip
    page.locator(PROMPT_TOKENS).nth(1).hover()
    assert f"{DOT}France" in tip.inner_text()
    page.keyboard.press("Escape")
    page.locator(TIP).first.wait_for(state="hidden")
    assert view.get("selected") == {}
    # click elsewhere also unpins
    page.locator(PROMPT_TOKENS).nth(2).click()
    assert view.get("selected") == {"source": "prompt", "index": 2}
    page.mouse.click(990, 790)
    page.locator(TIP).first.wait_for(state="hidden")
    assert view.get("selected") == {}


def test_selected_from_python_marks_the_token(view):
    view.mount(tokens_state())
    view.update("selected", {"source": "prompt", "index": 4})
    marked = view.page.eval_on_selector_all(
        "#w .tvz-selected", "els => els.map(e => [e.dataset.source, e.dataset.index])"
    )
    assert marked == [["prompt", "4"]]


def test_buttons_send_actions_and_follow_status(view):
    view.mount(tokens_state())
    page = view.page
    analyze, generate, stop = (page.locator(f"#w button[data-action={a}]") for a in ("analyze", "generate", "stop"))
    assert analyze.is_enabled() and generate.is_enabled() and stop.is_disabled()
    analyze.click()
    generate.click()
    assert view.sent() == [{"action": "analyze"}, {"action": "generate"}]
    view.update("status", "generating")
    assert analyze.is_disabled() and generate.is_disabled() and stop.is_enabled()
    assert "generating" in page.locator("#w .tvz-status").inner_text()
    stop.click()
    assert view.sent()[-1] == {"action": "stop"}
    view.update("status", "idle")
    assert stop.is_disabled()
    # typing updates the prompt trait; Ctrl+Enter analyzes
    box = page.locator("#w textarea.tvz-prompt")
    box.fill("Hello world")
    assert view.get("prompt") == "Hello world"
    box.press("Control+Enter")
    assert view.sent()[-1] == {"action": "analyze"}
    # a prompt set from Python shows in the box
    view.update("prompt", "From Python")
    assert box.input_value() == "From Python"


def test_controls_write_traits(view):
    view.mount(tokens_state())
    page = view.page
    page.locator("#w input[name=temperature]").fill("0.7")
    page.locator("#w input[name=temperature]").dispatch_event("change")
    page.locator("#w input[name=max_new_tokens]").fill("33")
    page.locator("#w input[name=max_new_tokens]").dispatch_event("change")
    page.locator("#w input[name=do_sample]").check()
    assert view.get("temperature") == 0.7
    assert view.get("max_new_tokens") == 33
    assert view.get("do_sample") is True
    view.update("top_k", 40)
    assert page.locator("#w input[name=top_k]").input_value() == "40"


def test_error_is_shown_as_alert(view):
    view.mount(tokens_state())
    page = view.page
    alert = page.locator("#w .tvz-error[role=alert]")
    assert alert.is_hidden()
    view.update("error", "CUDA out of memory <b>bold?</b>")
    assert alert.is_visible()
    assert alert.inner_text() == "CUDA out of memory <b>bold?</b>"
    assert page.locator("#w .tvz-error b").count() == 0
    view.update("error", "")
    assert alert.is_hidden()


def test_generated_tokens_stream_in_incrementally(view):
    view.mount(tokens_state())
    page = view.page
    page.eval_on_selector(PROMPT_TOKENS, "e => { e.__mark = 'kept'; }")
    for n in range(1, len(GEN) + 1):
        view.update("generation", generation(n, stopped_by=None))
        assert page.locator(GEN_TOKENS).count() == n
        if n == 1:
            page.eval_on_selector(GEN_TOKENS, "e => { e.__mark = 'kept'; }")
    # neither the prompt nor earlier generated tokens were rebuilt
    assert page.eval_on_selector(PROMPT_TOKENS, "e => e.__mark") == "kept"
    assert page.eval_on_selector(GEN_TOKENS, "e => e.__mark") == "kept"
    assert page.locator(GEN_TOKENS).all_inner_texts() == [f"{DOT}Paris", ",", " the".replace(" ", DOT), HTML_IMG, "."]
    view.update("generation", generation(stopped_by="eos"))
    assert "stopped by: eos" in page.locator("#w .tvz-status").inner_text()
    # a new generation (different tokens) replaces the old one
    view.update("generation", generation(2, stopped_by=None) | {"tokens": generation()["tokens"][3:4]})
    assert page.locator(GEN_TOKENS).all_inner_texts() == [HTML_IMG]
    view.update("generation", {})
    assert page.locator(GEN_TOKENS).count() == 0
    assert page.locator(PROMPT_TOKENS).count() == len(PROMPT)
    assert_no_injection(view)


def test_generated_tooltip_and_raw_sampled_switch(view):
    view.mount(tokens_state(generation=generation()))
    page = view.page
    tok = generation()["tokens"][0]
    first = page.locator(GEN_TOKENS).first
    first.hover()
    text = visible_tip(page).inner_text()
    assert "sampled p" in text and percent(tok["sp"]) in text and percent(tok["p"]) in text
    raw_bg = first.evaluate("e => e.style.backgroundColor")
    page.locator("#w .tvz-switch button[data-value=sampled]").click()
    assert view.get("prob_mode") == "sampled"
    assert first.evaluate("e => e.style.backgroundColor") != raw_bg
    # prompt tokens have no sampled probability: unchanged colour
    assert page.locator("#w .tvz-switch button[data-value=sampled]").get_attribute("aria-checked") == "true"


def test_color_by_switch_recolours_and_changes_legend(view):
    view.mount(tokens_state())
    page = view.page
    legend = page.locator("#w .tvz-legend")
    before = page.eval_on_selector_all(PROMPT_TOKENS, "els => els.map(e => e.style.backgroundColor)")
    assert "Probability" in legend.inner_text()
    page.locator("#w .tvz-switch button[data-value=rank]").click()
    assert view.get("color_by") == "rank"
    assert "Rank" in legend.inner_text() and ">1000" in legend.inner_text()
    after = page.eval_on_selector_all(PROMPT_TOKENS, "els => els.map(e => e.style.backgroundColor)")
    assert after != before
    view.update("color_by", "entropy")
    assert "entropy" in legend.inner_text()


def test_prompt_tokens_from_generation_when_no_analysis(view):
    view.mount(tokens_state(analysis={}, generation=generation(include_prompt=True)))
    assert view.page.locator(PROMPT_TOKENS).count() == len(PROMPT)
    assert view.page.locator(GEN_TOKENS).count() == len(GEN)


def test_beam_list_in_token_view(view):
    g = beams_generation()
    view.mount(tokens_state(generation=g, num_beams=4))
    page = view.page
    items = page.locator("#w .tvz-beam-list li")
    assert items.count() == len(g["beams"])
    assert f"{g['beams'][0]['score']:.3f}" in items.first.inner_text()


def test_static_view_hides_controls_but_keeps_tooltips(view):
    view.mount(tokens_state(interactive=False))
    page = view.page
    assert page.locator("#w textarea").count() == 0
    assert page.locator("#w button[data-action]").count() == 0
    page.locator(PROMPT_TOKENS).nth(1).hover()
    assert visible_tip(page).locator(".tvz-cand").count() > 0


def test_cleanup_removes_listeners_and_dom(view):
    view.mount(tokens_state(generation=beams_generation()))
    assert view.listener_count() > 0
    view.cleanup()
    assert view.listener_count() == 0
    assert view.page.locator("#w *").count() == 0


def test_render_time_helper_renders_2000_tokens(view):
    ms = render_time_ms(view.page, big_analysis(2000))
    assert ms > 0
    assert view.page.locator(PROMPT_TOKENS).count() == 2000
    view.page.locator(PROMPT_TOKENS).nth(1500).hover()
    assert visible_tip(view.page).locator(".tvz-cand").count() == 5  # alternatives=5 in tokens_state


# --- other views ------------------------------------------------------------------------------------


def test_lens_heatmap_31_layers_by_40_positions(view):
    L = lens(31, 40)
    view.mount({"_kind": "lens", "lens": L, "lens_color": "top", "interactive": True})
    page = view.page
    assert page.locator("#w .tvz-lens-cell").count() == 31 * 40
    assert page.locator("#w .tvz-lens-head").count() == 40
    labels = page.locator("#w .tvz-lens-layer").all_inner_texts()
    assert len(labels) == 31 and labels[0] == "30 out" and labels[-1] == "0 emb"
    n_first = sum(x is not None for x in L["first_correct"])
    assert page.locator("#w .tvz-lens-cell.tvz-first-correct").count() == n_first
    assert page.locator("#w .tvz-lens-cell.tvz-settled").count() == 40
    cell = page.locator("#w .tvz-lens-cell[data-layer='12'][data-pos='7']")
    cell.hover()
    tip = visible_tip(page)
    rows = tip.locator(".tvz-cand")
    assert rows.count() == L["k"]
    for i, (cid, p) in enumerate(L["top"][12][7]):
        assert rows.nth(i).get_attribute("data-id") == str(cid)
        assert rows.nth(i).locator(".tvz-cand-p").inner_text() == percent(p)
    assert "layer 12" in tip.inner_text()
    # colour switch: by the target's probability
    before = cell.evaluate("e => e.style.backgroundColor")
    page.locator("#w .tvz-switch button[data-value=target]").click()
    assert view.get("lens_color") == "target"
    after = page.locator("#w .tvz-lens-cell[data-layer='12'][data-pos='7']").evaluate("e => e.style.backgroundColor")
    assert after and after != before
    assert_no_injection(view)


def test_beam_tree_4_beams_by_12_steps(view):
    g = beams_generation(4, 12)
    view.mount({"_kind": "beams", "generation": g, "interactive": True})
    page = view.page
    nodes = page.locator("#w .tvz-node[data-step]")
    assert nodes.count() == 48
    steps = page.eval_on_selector_all("#w .tvz-node[data-step]", "els => new Set(els.map(e => e.dataset.step)).size")
    assert steps == 12
    assert page.locator("#w path.tvz-edge").count() == 48
    n_pruned = sum(not n["kept"] for step in g["tree"] for n in step)
    assert page.locator("#w .tvz-node.tvz-pruned").count() == n_pruned
    node = g["tree"][5][2]
    page.locator("#w .tvz-node[data-step='5'][data-beam='2'] circle").hover()
    text = visible_tip(page).inner_text()
    assert f"{node['score']:.3f}" in text and "token p" in text
    assert page.locator("#w .tvz-beam-list li").count() == len(g["beams"])
    assert_no_injection(view)


def test_icl_hover_shows_that_shots_strip(view):
    c = icl_curve(4)
    view.mount({"_kind": "icl", "curve": c, "interactive": True})
    page = view.page
    points = page.locator("#w .tvz-point")
    assert points.count() == 5
    assert page.locator("#w path.tvz-band").count() == 1
    points.nth(1).hover()
    assert page.locator(PROMPT_TOKENS).count() == len(c["strips"][1]["tokens"])
    assert "1 shot" in page.locator("#w .tvz-icl-caption").inner_text()
    points.nth(3).hover()
    assert page.locator(PROMPT_TOKENS).count() == len(c["strips"][3]["tokens"])
    # the strip's own tooltips work
    page.locator(PROMPT_TOKENS).last.hover()
    assert visible_tip(page).locator(".tvz-cand").count() == 2


def test_label_bars_predicted_and_breakdown(view):
    s = label_scores()
    view.mount({"_kind": "labels", "scores": s, "interactive": True})
    page = view.page
    rows = page.locator("#w .tvz-label-row")
    assert rows.count() == 3
    assert rows.locator(".tvz-label-name").all_inner_texts() == s["labels"]
    assert page.locator("#w .tvz-label-row.tvz-predicted .tvz-label-name").inner_text() == "positive"
    assert rows.nth(0).locator(".tvz-label-p").inner_text() == percent(s["probs"][0])
    rows.nth(1).hover()
    detail = page.locator("#w .tvz-label-detail")
    assert "negative" in detail.inner_text()
    assert detail.locator(".tvz-bd-tok").count() == 2
    assert detail.locator(".tvz-in-label").count() == 1
    rows.nth(2).hover()
    assert HTML_IMG in detail.inner_text()
    assert_no_injection(view)


def test_unknown_kind_shows_an_error(view):
    view.mount({"_kind": "nope"})
    assert "unknown view kind" in view.page.locator("#w [role=alert]").inner_text()


def test_analysis_replaced_rebuilds_strip(view):
    view.mount(tokens_state())
    a = analysis()
    a["tokens"] = a["tokens"][:3]
    view.update("analysis", a)
    assert view.page.locator(PROMPT_TOKENS).count() == 3
    assert view.page.locator(TOKENS).count() == 3


def test_payload_traits_under_python_class_names(view):
    """tokviz.widget.TokenViz syncs the strips as `analysis_data` / `generation_data`: both names work."""
    state = tokens_state()
    state["analysis_data"] = state.pop("analysis")
    del state["generation"]
    state["generation_data"] = {}
    view.mount(state)
    page = view.page
    assert page.locator(PROMPT_TOKENS).count() == len(PROMPT)
    for n in (1, 2, 3):
        view.update("generation_data", generation(n, stopped_by=None))
        assert page.locator(GEN_TOKENS).count() == n
    view.mount({"_kind": "beams", "generation_data": beams_generation(4, 12)})
    assert page.locator("#w .tvz-node[data-step]").count() == 48


# WCAG contrast of each token's text over its translucent background, blended onto the opaque backdrop.
CONTRAST_JS = """(sel) => {
  const rgba = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                       return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const backdrop = (el) => { for (let e = el.parentElement; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0.99) return c; } return [255, 255, 255, 1]; };
  return [...document.querySelectorAll(sel)].map((el) => {
    const s = getComputedStyle(el); const fg = rgba(s.color); const bg = rgba(s.backgroundColor); const base = backdrop(el);
    const mix = [0, 1, 2].map((i) => bg[i] * bg[3] + base[i] * (1 - bg[3]));
    const a = lum(fg), b = lum(mix); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}"""

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


@pytest.mark.parametrize("theme", ["light", "dark", "jupyter-dark"])
@pytest.mark.parametrize("color_by", ["prob", "rank", "entropy"])
def test_token_text_stays_readable(browser, harness_url, theme, color_by):
    from view_harness import View

    page = browser.new_page(color_scheme="dark" if theme == "dark" else "light")
    try:
        view = View(page, harness_url)
        if theme == "jupyter-dark":
            css = ";".join(f"{k}: {v}" for k, v in JUPYTER_DARK.items())
            page.evaluate("css => { document.body.style.cssText += ';' + css; }", css)
        view.mount(tokens_state(generation=generation(), color_by=color_by))
        ratios = page.evaluate(CONTRAST_JS, "#w .tvz-token")
        assert len(ratios) == len(PROMPT) + len(GEN)
        assert min(ratios) >= 4.5, ratios
    finally:
        page.close()
