"""CompareView (tokviz/static/widget.js, js/src/compare.js) in Chromium through the fake-model harness, fed
by states CompareView built from real comparisons of tiny random models (tests/browser/fixtures.py)."""

from __future__ import annotations

import math

import pytest
from fixtures import DOT, HTML_IMG, expected_token_content, shown_percent
from view_harness import CHROMIUM

import tokviz
from tokviz.widgets.payload import decimals

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

UNITS = "#w .tvz-cmp-unit"
TIP = ".tvz-tip-host .tvz-tooltip"
MINUS = "\u2212"


def state_of(widget: tokviz.CompareView) -> dict:
    return widget.snapshot_state() | {"interactive": True}


def visible_tip(page):
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    return tip


def shown_signed(d: float | None) -> str:
    """The view's signed number (js/src/compare.js signed): 3 decimals, a real minus sign, + for positive."""
    if d is None:
        return "\u2013"
    text = f"{abs(d):.3f}"
    if float(text) == 0:
        return "0.000"
    return ("+" if d > 0 else MINUS) + text


def side_text(side: dict | None, pieces: dict) -> str:
    """What a unit's cell must show: its tokens as the strip draws them, or the gap mark."""
    if side is None:
        return "\u2013"
    return "".join(expected_token_content(t, pieces) for t in side["toks"])


@pytest.mark.parametrize("which", ["compare_prompts", "compare_models", "compare_generations"])
def test_units_are_drawn_in_order_with_both_sides_text(view, payloads, which):
    widget = getattr(payloads, which)
    sent = widget.data
    view.mount(state_of(widget))
    page = view.page
    units = page.locator(UNITS)
    assert units.count() == len(sent["units"]) == len(widget.result.units)
    cells_a = page.eval_on_selector_all(f"{UNITS} .tvz-cmp-cell[data-side=a]", "els => els.map(e => e.textContent)")
    cells_b = page.eval_on_selector_all(f"{UNITS} .tvz-cmp-cell[data-side=b]", "els => els.map(e => e.textContent)")
    assert cells_a == [side_text(u["a"], sent["pieces"][0]) for u in sent["units"]]
    assert cells_b == [side_text(u["b"], sent["pieces"][1]) for u in sent["units"]]
    assert page.eval_on_selector_all(UNITS, "els => els.map(e => Number(e.dataset.i))") == list(range(len(sent["units"])))
    # Each unit is coloured exactly where the comparison has a difference.
    colored = page.eval_on_selector_all(UNITS, "els => els.map(e => e.style.backgroundColor !== '')")
    assert colored == [u.difference is not None for u in widget.result.units]
    # One-sided units: only where the comparison has one side.
    one = page.eval_on_selector_all(UNITS, "els => els.map(e => e.classList.contains('tvz-cmp-one'))")
    assert one == [not u.matched for u in widget.result.units]
    assert view.errors == []


def test_emoji_pieces_share_a_unit_across_models(view, payloads):
    widget = payloads.compare_models
    view.mount(state_of(widget))
    page = view.page
    i = next(k for k, u in enumerate(widget.result.units) if len(u.a.tokens) > 1 and any(t.text == "" for t in u.a.tokens))
    unit = page.locator(UNITS).nth(i)
    assert unit.locator(".tvz-cmp-cell[data-side=a] .tvz-cmp-tok").count() == len(widget.result.units[i].a.tokens)
    assert unit.locator(".tvz-cmp-cell[data-side=a] .tvz-byte").count() >= 2  # byte badges, never U+FFFD
    assert "\ufffd" not in page.locator("#w").inner_text()


@pytest.mark.parametrize("which", ["compare_prompts", "compare_models", "compare_generations"])
def test_hovering_a_unit_shows_both_probabilities_and_the_difference(view, payloads, which):
    widget = getattr(payloads, which)
    c, sent = widget.result, widget.data
    view.mount(state_of(widget))
    page = view.page
    # A unit whose sides hold several tokens (across models), else one whose sides differ, and the first one
    # with a difference.
    candidates = [k for k, u in enumerate(c.units) if u.difference is not None]
    several = [k for k in candidates if len(c.units[k].a.tokens) + len(c.units[k].b.tokens) > 2]
    differing = [k for k in candidates if abs(c.units[k].difference) > 0.01]
    checked = [(several or differing or candidates)[0], candidates[0]]
    for i in checked:
        unit = c.units[i]
        page.locator(UNITS).nth(i).hover()
        tip = visible_tip(page)
        for key, side, names in (("a", unit.a, c.names[0]), ("b", unit.b, c.names[1])):
            p_text = tip.locator(f".tvz-cmp-tip-p[data-side={key}]").inner_text()
            assert p_text == shown_percent(sent["units"][i][key]["p"])
            if p_text.startswith("<"):  # below 0.000001%: said as a bound, not digits
                assert side.prob < 1e-8
            else:
                assert float(p_text.rstrip("%")) / 100 == pytest.approx(side.prob, rel=5e-3)
            lp_text = tip.locator(f".tvz-cmp-tip-lp[data-side={key}]").inner_text()
            assert float(lp_text) == pytest.approx(side.logprob, abs=6e-4)
            assert names in tip.locator(f".tvz-cmp-tip-side[data-side={key}]").inner_text()
            assert tip.locator(f".tvz-cmp-tip-toks[data-side={key}] .tvz-tip-tok").count() == len(side.tokens)
        d_text = tip.locator(".tvz-cmp-tip-d").inner_text()
        assert d_text == shown_signed(decimals(unit.difference)) + " nats"
        assert float(d_text.split()[0].replace(MINUS, "-")) == pytest.approx(unit.difference, abs=6e-4)
    # A unit without a difference says why.
    missing = next((k for k, u in enumerate(c.units) if u.difference is None), None)
    if missing is not None:
        page.locator(UNITS).nth(missing).hover()
        tip = visible_tip(page)
        assert tip.locator(".tvz-cmp-tip-d").inner_text() == "\u2013"
        assert "first token" in tip.inner_text() or "Only in" in tip.inner_text()
    assert view.errors == []


def test_the_first_difference_is_marked_at_its_unit(view, payloads):
    for widget in (payloads.compare_prompts, payloads.compare_generations):
        c = widget.result
        view.mount(state_of(widget))
        page = view.page
        marked = page.eval_on_selector_all("#w .tvz-cmp-diverge", "els => els.map(e => Number(e.dataset.i))")
        assert marked == [c.divergence]
        assert page.locator("#w .tvz-cmp-divmark").count() == 1
        assert page.locator(f"{UNITS}[data-i='{c.divergence}']").evaluate(
            "e => e.previousElementSibling.classList.contains('tvz-cmp-divmark')")
        before = c.units[c.divergence - 1]
        assert before.matched and before.a.token_ids == before.b.token_ids
        summary = page.locator("#w .tvz-cmp-summary").inner_text()
        assert f"first difference at unit {c.divergence} (character {c.divergence_char})" in summary
        page.locator(UNITS).nth(c.divergence).hover()
        assert "first difference" in visible_tip(page).inner_text()
    # One text: nothing to mark.
    view.mount(state_of(payloads.compare_models))
    assert view.page.locator("#w .tvz-cmp-divmark, #w .tvz-cmp-diverge").count() == 0


def test_generated_tokens_are_marked(view, payloads):
    widget = payloads.compare_generations
    c = widget.result
    view.mount(state_of(widget))
    page = view.page
    generated = sum(1 for u in c.units for s in (u.a, u.b) if s is not None for t in s.tokens if t.generated)
    assert page.locator("#w .tvz-cmp-tok.tvz-cmp-gen").count() == generated > 0
    first_gen = c.generated_from[0]
    assert page.locator(f"{UNITS}[data-i='{first_gen}'] .tvz-cmp-cell[data-side=a] .tvz-cmp-gen").count() == 1
    assert page.locator(f"{UNITS}[data-i='{first_gen - 1}'] .tvz-cmp-gen").count() == 0


def test_summary_and_legend_name_the_sides(view, payloads):
    widget = payloads.compare_prompts
    c, sent = widget.result, widget.data
    view.mount(state_of(widget))
    page = view.page
    sides = page.locator("#w .tvz-cmp-side-key")
    assert "France" in sides.nth(0).inner_text() and "top row" in sides.nth(0).inner_text()
    assert "Spain" in sides.nth(1).inner_text() and "bottom row" in sides.nth(1).inner_text()
    assert page.locator("#w .tvz-cmp-legend .tvz-swatch").count() == 7
    summary = page.locator("#w .tvz-cmp-summary").inner_text()
    assert f"{shown_signed(sent['mean_d'])} nats over {c.aligned} units" in summary
    assert math.isclose(sent["mean_d"], c.mean_difference, abs_tol=6e-4)


def test_html_looking_token_text_stays_text(view, payloads):
    widget = payloads.compare_prompts
    view.mount(state_of(widget))
    page = view.page
    i = next(k for k, u in enumerate(widget.result.units) if u.a is not None and "<" in u.a.text)
    page.locator(UNITS).nth(i).hover()
    tip = visible_tip(page)
    assert "<" in page.locator(UNITS).nth(i).inner_text() and "<" in tip.inner_text()
    page.wait_for_timeout(50)
    assert view.dialogs == [] and view.errors == []
    assert page.locator("#w img, .tvz-tip-host img, #w script").count() == 0
    shown = "".join(page.eval_on_selector_all(f"{UNITS} .tvz-cmp-cell[data-side=a]", "els => els.map(e => e.textContent)"))
    assert HTML_IMG.replace(" ", DOT) in shown  # every token's leading space is drawn as a dot
    # The special token shows as a tag.
    assert page.locator("#w .tvz-cmp-cell[data-side=b] .tvz-special").inner_text() == "<|endoftext|>"


def test_keyboard_moves_between_units_and_shows_their_tooltips(view, payloads):
    widget = payloads.compare_prompts
    c = widget.result
    view.mount(state_of(widget))
    page = view.page
    assert page.eval_on_selector_all(UNITS, "els => els.filter(e => e.tabIndex === 0).length") == 1
    page.locator(UNITS).nth(1).focus()
    assert "Unit 1" in visible_tip(page).inner_text()
    page.keyboard.press("ArrowRight")
    assert "Unit 2" in visible_tip(page).inner_text()
    page.keyboard.press("End")
    assert f"Unit {len(c.units) - 1}" in visible_tip(page).inner_text()
    assert page.evaluate("document.activeElement.dataset.i") == str(len(c.units) - 1)
    page.keyboard.press("Enter")  # pins
    assert "tvz-pinned" in (page.locator(TIP).first.get_attribute("class") or "")
    page.keyboard.press("Escape")
    page.locator(TIP).first.wait_for(state="hidden")


def test_cleanup_removes_the_view_and_its_listeners(view, payloads):
    view.mount(state_of(payloads.compare_models))
    assert view.listener_count() > 0
    view.cleanup()
    assert view.page.locator("#w .tvz-root").count() == 0
    assert view.page.locator(".tvz-tip-host").count() == 0
    assert view.listener_count() == 0


def test_static_snapshot_from_file_draws_units_and_tooltips(browser, tmp_path, payloads):
    """w.to_html(): the comparison works from a saved file, without kernel or server."""
    widget = payloads.compare_prompts
    path = tmp_path / "compare.html"
    widget.to_html(path)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        units = page.locator(".tokviz-snapshot .tvz-cmp-unit")
        units.first.wait_for()
        assert units.count() == len(widget.result.units)
        i = widget.result.divergence + 1
        units.nth(i).hover()
        tip = visible_tip(page)
        assert f"Unit {i}" in tip.inner_text()
        assert page.locator("img").count() == 0 and errors == []
    finally:
        page.close()


# --- the real default model ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_model_two_generations_hover_matches_independent_analyses(view, default_lm):
    """Two sampled generations of the real model: hovering a compared token shows the numbers two
    independent float64 teacher-forced passes give for each whole text."""
    from tests.test_compare import reference_logprobs

    c = tokviz.compare_generations(default_lm, "The capital of France is", {"seed": 1}, {"seed": 2},
                                   do_sample=True, max_new_tokens=12, alternatives=2)
    assert c.divergence is not None
    gen_a, gen_b = c.results
    tokens_a, tokens_b = [*gen_a.prompt.tokens, *gen_a.tokens], [*gen_b.prompt.tokens, *gen_b.tokens]
    ref_a = reference_logprobs(default_lm.model, [t.token_id for t in tokens_a])
    ref_b = reference_logprobs(default_lm.model, [t.token_id for t in tokens_b])
    widget = tokviz.CompareView(c)
    view.mount(state_of(widget))
    page = view.page
    matched = [k for k, u in enumerate(c.units) if u.difference is not None]
    # The last matched unit before the first difference, and one after it when there is one.
    picks = [max(k for k in matched if k < c.divergence), *[k for k in matched if k > c.divergence][:1]]
    for i in picks:
        unit = c.units[i]
        want_a = ref_a[tokens_a.index(unit.a.tokens[0])]
        want_b = ref_b[tokens_b.index(unit.b.tokens[0])]
        page.locator(UNITS).nth(i).hover()
        tip = visible_tip(page)
        for key, want in (("a", want_a), ("b", want_b)):
            shown_p = float(tip.locator(f".tvz-cmp-tip-p[data-side={key}]").inner_text().rstrip("%")) / 100
            assert shown_p == pytest.approx(math.exp(want), rel=6e-3)
            assert float(tip.locator(f".tvz-cmp-tip-lp[data-side={key}]").inner_text()) == pytest.approx(want, abs=1.5e-3)
        shown_d = float(tip.locator(".tvz-cmp-tip-d").inner_text().split()[0].replace(MINUS, "-"))
        assert shown_d == pytest.approx(want_b - want_a, abs=2e-3)
    assert view.errors == []
