"""BayesView in Chromium through the harness, on states BayesView built from real bayes_icl results on the
tiny random model (tests/browser/fixtures.py): points where the payload puts them, the hovered prompt's
numbers, the legend, the switches and the keyboard."""

from __future__ import annotations

import re

import pytest
from fixtures import HTML_IMG, shown_percent
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TIP = ".tvz-tip-host .tvz-tooltip"
POINTS = "#w .tvz-bayes-point"


def visible_tip(page):
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    return tip


def scale(page):
    """The chart's y of probability 0 and of probability 1 (its 0% and 100% grid lines)."""
    ys = [float(y) for y in page.locator("#w .tvz-grid-line").evaluate_all("ls => ls.map((l) => l.getAttribute('y1'))")]
    return ys[0], ys[-1]


def sig3(x: float) -> str:
    """A number as the view writes alpha: 3 significant digits, no trailing zeros (JS Number(x.toPrecision(3)))."""
    v = float(f"{x:.3g}")
    return str(int(v)) if v.is_integer() else repr(v)


def path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", d)]


def test_points_and_curves_are_drawn_at_the_payloads_values(view, payloads):
    state = payloads.bayes
    b = state["data"]
    view.mount(state)
    page = view.page
    group = b["groups"][0]
    assert state["group"] == group["label"]
    y0, y1 = scale(page)
    points = page.locator(POINTS).evaluate_all(
        "ps => ps.map((p) => [Number(p.dataset.s), Number(p.dataset.n), Number(p.getAttribute('cx')), Number(p.getAttribute('cy'))])")
    expected = [(s, n) for s in group["sequences"] for n in range(len(b["sequences"][s]["q"]))]
    assert [(s, n) for s, n, _, _ in points] == expected  # every prediction of the group's sequences, one each
    assert len({len(b["sequences"][s]["q"]) for s in group["sequences"]}) == 2  # of unequal lengths
    for s, n, _, y in points:
        p = b["sequences"][s]["q"][n][0]  # the first outcome's normalised probability
        assert y == pytest.approx(y0 + p * (y1 - y0), abs=0.01)
    xs = {n: [x for _, m, x, _ in points if m == n] for n in b["n"]}
    assert all(max(xs[n]) < min(xs[n + 1]) for n in b["n"][:-1])  # ordered by n, the sequences side by side
    # the model's mean and each reference's mean over the group, at the same scale
    for cls, key in [("model", "mean"), ("bayes", "bayes"), ("laplace", "laplace"), ("frequency", "frequency")]:
        drawn = path_points(page.locator(f"#w path.tvz-bayes-{cls}").first.get_attribute("d"))
        values = [v[0] for v in group[key] if v is not None]
        assert len(drawn) == len(values) == len(b["n"]) - (key == "frequency")  # no frequency at n = 0
        assert [y for _, y in drawn] == pytest.approx([y0 + v * (y1 - y0) for v in values], abs=0.06)
    band = path_points(page.locator("#w path.tvz-bayes-band").get_attribute("d"))
    assert [y for _, y in band] == pytest.approx(
        [y0 + v[0] * (y1 - y0) for v in group["high"]] + [y0 + v[0] * (y1 - y0) for v in reversed(group["low"])], abs=0.06)
    hidden = float(page.locator("#w line.tvz-bayes-hidden").first.get_attribute("y1"))
    assert hidden == pytest.approx(y0 + group["hidden"][0] * (y1 - y0), abs=0.01)
    summary = page.locator("#w .tvz-bayes-summary").inner_text()
    assert f"\u03b1 = {sig3(b['alpha'])} per outcome" in summary
    windows = " \u00b7 ".join(f"n {w['first']}" + (f"\u2013{w['last']}" if w["last"] > w["first"] else "")
                              + f": {sig3(w['alpha'])}" for w in b["alpha_windows"])
    assert f"per window: {windows}" in summary
    assert view.errors == []


def test_hover_shows_that_prompt_and_its_numbers(view, payloads):
    state = payloads.bayes
    b = state["data"]
    view.mount(state)
    page = view.page
    s, n = b["groups"][0]["sequences"][2], 3
    point = page.locator(f"{POINTS}[data-s='{s}'][data-n='{n}']")
    point.hover()
    tip = visible_tip(page)
    seq = b["sequences"][s]
    prompt = seq["text"][: seq["cuts"][n]]
    assert prompt.endswith(",") and HTML_IMG in prompt  # what the model read, up to the token before the outcome
    shown = tip.locator(".tvz-bayes-prompt").inner_text().replace("\u00b7", " ")
    assert shown == prompt
    text = tip.inner_text()
    assert f"sequence {s + 1} ({seq['label']}), n = {n}" in text
    assert f"what came next: {b['outcomes'][seq['observed'][n]]}" in text
    rows = tip.locator(".tvz-bayes-table tbody tr")
    assert rows.count() == 2
    for k, outcome in enumerate(b["outcomes"]):
        cells = rows.nth(k).locator("td").all_inner_texts()
        assert cells == [outcome, *(shown_percent(seq[key][n][k]) for key in ("q", "p", "bayes", "laplace", "frequency"))]
    assert f"other tokens: {shown_percent(seq['outside'][n])}" in text
    # that sequence is traced; at n = 0 the frequency is undefined
    assert page.locator("#w .tvz-bayes-trace").get_attribute("d").count("L") == len(seq["q"]) - 1
    page.locator(f"{POINTS}[data-s='{s}'][data-n='0']").hover()
    assert visible_tip(page).locator(".tvz-bayes-table tbody tr").first.locator("td").last.inner_text() == "undefined"
    assert page.locator("#w img").count() == 0 and view.dialogs == []


def test_legend_names_every_line_with_its_own_dash_pattern(view, payloads):
    view.mount(payloads.bayes)
    page = view.page
    keys = page.locator("#w .tvz-bayes-key")
    assert keys.all_inner_texts() == [
        "model (mean over the group's sequences)", "Bayes, fitted \u03b1", "Laplace's rule (\u03b1 = 1)",
        "running frequency", "model: min\u2013max over the sequences", "one sequence (hover)", "hidden P(H)"]
    styles = page.evaluate("""() => ['model', 'bayes', 'laplace', 'frequency'].map((c) => {
        const s = getComputedStyle(document.querySelector('#w path.tvz-bayes-' + c));
        const k = getComputedStyle(document.querySelector('#w .tvz-bayes-key line.tvz-bayes-' + c));
        return [s.stroke, s.strokeDasharray, k.stroke, k.strokeDasharray]; })""")
    assert len({s[0] for s in styles}) == 4 and len({s[1] for s in styles}) == 4  # colour and dashes differ
    assert all(s[0] == s[2] and s[1] == s[3] for s in styles)  # the legend draws each line as the chart does


def test_keyboard_reaches_the_points(view, payloads):
    state = payloads.bayes
    b = state["data"]
    view.mount(state)
    page = view.page
    assert page.locator(f"{POINTS}[tabindex='0']").count() == 1  # one Tab stop for all points
    page.locator("#w .tvz-switch button[aria-checked=true]").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.dataset.s, document.activeElement.dataset.n]")
    s0 = b["groups"][0]["sequences"][0]
    assert focused == [str(s0), "0"]
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.n") == "1"
    tip = visible_tip(page)
    assert tip.locator(".tvz-bayes-q").first.inner_text() == shown_percent(b["sequences"][s0]["q"][1][0])
    page.keyboard.press("Enter")
    page.locator(f"{TIP}.tvz-pinned").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator(TIP).first.wait_for(state="hidden")


def test_group_and_outcome_switches(view, payloads):
    state = payloads.bayes
    view.mount(state)
    page = view.page
    second = state["data"]["groups"][1]
    page.locator("#w .tvz-switch button", has_text=second["label"]).click()
    assert view.get("group") == second["label"]
    assert {int(s) for s in page.locator(POINTS).evaluate_all("ps => ps.map((p) => p.dataset.s)")} == set(second["sequences"])
    assert page.locator("#w .tvz-switch").count() == 1  # two outcomes: no outcome switch

    die = payloads.bayes_die
    view.mount(die)
    y0, y1 = scale(page)
    switches = page.locator("#w .tvz-switch")
    assert switches.count() == 2
    switches.nth(1).locator("button", has_text="4").click()
    assert view.get("outcome") == "4"
    b = die["data"]
    point = page.locator(POINTS).nth(3)
    s, n = int(point.get_attribute("data-s")), int(point.get_attribute("data-n"))
    assert float(point.get_attribute("cy")) == pytest.approx(y0 + b["sequences"][s]["q"][n][3] * (y1 - y0), abs=0.01)
    assert "P(4)" in page.locator("#w .tvz-sub").inner_text()
    point.hover()
    assert visible_tip(page).locator(".tvz-bayes-table tbody tr").count() == 6


def test_unmounting_leaves_nothing_behind(view, payloads):
    from test_view import INSTRUMENT_JS

    page = view.page
    page.evaluate(INSTRUMENT_JS)
    view.mount(payloads.bayes)
    page.locator("#w .tvz-switch button").nth(1).click()  # rebuilt switches must not leak listeners either
    assert page.evaluate("window.__live")["listeners"] > 0
    view.cleanup()
    assert page.evaluate("window.__live") == {"listeners": 0, "observers": 0}
    assert page.locator(".tvz-tip-host").count() == 0 and page.locator("#w *").count() == 0
    assert view.listener_count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot(browser, harness_url, payloads, scheme, tmp_path):
    """Light and dark renderings with a tooltip open (written under the test's tmp_path to look at)."""
    from view_harness import View

    page = browser.new_page(color_scheme=scheme, viewport={"width": 1000, "height": 700})
    try:
        view = View(page, harness_url)
        view.mount(payloads.bayes)
        page.locator(POINTS).nth(4).hover()
        visible_tip(page)
        page.screenshot(path=str(tmp_path / f"bayes-{scheme}.png"))
        background = page.evaluate("getComputedStyle(document.querySelector('#w .tvz-root')).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light")
        assert view.errors == []
    finally:
        page.close()
