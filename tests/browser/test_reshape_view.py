"""The reshape view (`_kind` "reshape") in the harness, fed by a real ReshapeView of the tiny model: bars and
percentages are the payload's, cut tokens are labelled, the controls set the traits (typing, dragging,
keys) and refuse what LIMITS refuses, and a new reshape_data from Python redraws the bars."""

from __future__ import annotations

import math

import pytest
from fixtures import PROMPT_TEXT, shown_percent, shown_text
from view_harness import CHROMIUM

import tokviz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

ROWS = "#w .tvz-rs-tok-row"
CUT_WORDS = {"top-k": "cut by top-k", "top-p": "cut by top-p", "greedy": "not the greedy choice"}


def bits(nats: float) -> str:
    return f"{nats / math.log(2):.2f} bits"


def width_percent(el) -> float:
    return float(el.evaluate("e => e.style.width").rstrip("%"))


def expected_token_text(piece) -> str:
    if isinstance(piece, dict):
        return piece.get("special") or "".join(piece["bytes"][i : i + 2].upper() for i in range(0, len(piece["bytes"]), 2))
    return shown_text(piece)


def shown_after(page) -> list[str]:
    return page.locator(f"{ROWS} .tvz-rs-new").all_inner_texts()


def saved_values(view, name: str) -> list:
    return [s[name] for s in view.saved()]


def test_rows_and_bars_are_the_payloads_numbers(view, payloads):
    state = payloads.reshape()
    data = state["data"]
    view.mount(state)
    page = view.page
    rows = page.locator(ROWS)
    assert rows.count() == len(data["rows"])
    for i, row in enumerate(data["rows"]):
        el = rows.nth(i)
        assert el.get_attribute("data-id") == str(row["id"])
        assert el.locator(".tvz-rs-tok").text_content() == expected_token_text(data["pieces"][str(row["id"])])
        assert el.locator(".tvz-rs-rank").inner_text() == f"#{row['r']:,}"
        assert el.locator(".tvz-rs-raw").inner_text() == shown_percent(row["raw"])
        assert el.locator(".tvz-rs-new").inner_text() == shown_percent(row["p"])
        # both bars on one scale: the track is 100%, the bar p x 100% (a sliver at least)
        assert width_percent(el.locator(".tvz-rs-before .tvz-bar")) == pytest.approx(max(0.5, row["raw"] * 100), abs=0.051)
        after = el.locator(".tvz-rs-after .tvz-bar")
        if row["cut"]:
            assert after.count() == 0 and row["p"] == 0
        else:
            assert width_percent(after) == pytest.approx(max(0.5, row["p"] * 100), abs=0.051)
    before_track = rows.first.locator(".tvz-rs-before .tvz-bar-track").bounding_box()
    after_track = rows.first.locator(".tvz-rs-after .tvz-bar-track").bounding_box()
    assert before_track["width"] == pytest.approx(after_track["width"], abs=1)
    rest = page.locator("#w .tvz-rs-rest")
    assert rest.locator(".tvz-rs-raw").inner_text() == shown_percent(data["rest"]["raw"])
    assert rest.locator(".tvz-rs-new").inner_text() == shown_percent(data["rest"]["p"])
    assert f"all {data['rest']['count']:,} others" in rest.inner_text()
    summary = page.locator("#w .tvz-rs-summary")
    assert summary.locator("[data-stat=h_raw] b").inner_text() == bits(data["h_raw"])
    assert summary.locator("[data-stat=h] b").inner_text() == bits(data["h"])
    assert summary.locator("[data-stat=h_tempered] b").inner_text() == bits(data["h_tempered"])
    assert summary.locator("[data-stat=kept] b").inner_text() == f"{data['kept']:,} of {data['vocab']:,}"
    assert summary.locator("[data-stat=kept_mass] b").inner_text().startswith(shown_percent(data["kept_mass"]))
    assert summary.locator("[data-stat=cuts]").inner_text() == f"top-k cut {data['cut_k']:,}, top-p cut {data['cut_p']:,}"
    assert view.errors == []


def test_cut_tokens_are_greyed_and_say_which_filter_cut_them(view, payloads):
    state = payloads.reshape()
    data = state["data"]
    view.mount(state)
    page = view.page
    for i, row in enumerate(data["rows"]):
        el = page.locator(ROWS).nth(i)
        label = el.locator(".tvz-rs-cut-label")
        if row["cut"]:
            assert "tvz-rs-cut" in el.get_attribute("class")
            assert label.inner_text() == CUT_WORDS[row["cut"]]
            assert CUT_WORDS[row["cut"]] in el.get_attribute("aria-label")
            assert el.locator(".tvz-rs-tok").evaluate("e => getComputedStyle(e).opacity") == "0.5"
        else:
            assert "tvz-rs-cut" not in el.get_attribute("class") and label.count() == 0
    assert {r["cut"] for r in data["rows"]} == {None, "top-k", "top-p"}
    # the token the text went on with is listed (however improbable) and marked, in the heading too
    actual = page.locator("#w .tvz-rs-actual")
    assert actual.count() == 1 and actual.get_attribute("data-id") == str(data["actual"])
    assert actual.locator(".tvz-badge").inner_text() == "came next"
    heading = page.locator("#w .tvz-rs-heading")
    assert heading.locator(".tvz-rs-context").text_content() == shown_text(data["context"])
    greedy = tokviz.ReshapeView(payloads.lm, PROMPT_TEXT, 14, temperature=0.0, show=4)
    view.mount(greedy.snapshot_state() | {"interactive": True})
    labels = page.locator(f"{ROWS} .tvz-rs-cut-label").all_inner_texts()
    assert labels == ["not the greedy choice"] * (page.locator(ROWS).count() - 1)
    assert page.locator("#w [data-stat=greedy]").count() == 1


def test_typing_a_setting_saves_the_trait_and_a_bad_one_is_refused_inline(view, payloads):
    view.mount(payloads.reshape())
    page = view.page

    def type_number(name, value):
        field = page.locator(f"#w input[name={name}]")
        field.fill(value)
        field.dispatch_event("change")

    type_number("temperature", "0.5")
    assert view.get("temperature") == 0.5 and saved_values(view, "temperature")[-1] == 0.5
    assert page.locator("#w input[name=temperature-slider]").input_value() == "0.5"  # the slider follows
    type_number("top_k", "3")
    type_number("top_p", "0.75")
    assert (view.get("top_k"), view.get("top_p")) == (3, 0.75)
    n_saved = len(view.saved())
    for name, value, allowed in (("temperature", "-1", "\u2265 0"), ("top_p", "0", "(0, 1]"), ("top_k", "2.5", "\u2265 1")):
        type_number(name, value)
        note = page.locator(f"#w input[name={name}] + .tvz-field-note")
        assert note.is_visible() and value in note.inner_text() and allowed in note.inner_text()
    assert len(view.saved()) == n_saved  # nothing refused reached Python
    assert (view.get("temperature"), view.get("top_k"), view.get("top_p")) == (0.5, 3, 0.75)
    type_number("temperature", "3.5")  # past the slider's end: allowed (LIMITS has no upper bound)
    assert view.get("temperature") == 3.5
    assert page.locator("#w input[name=temperature-slider]").input_value() == "2"
    assert page.locator("#w input[name=temperature] + .tvz-field-note").inner_text() == ""
    assert view.errors == []


def drag(page, selector: str, to_fraction: float, steps: int = 12, between=None) -> None:
    """Drag a range input's thumb from where it is to `to_fraction` of its track; `between()` runs after
    each move (e.g. Python answering)."""
    box = page.locator(selector).bounding_box()
    fraction = page.locator(selector).evaluate("e => (e.value - e.min) / (e.max - e.min)")
    y = box["y"] + box["height"] / 2
    thumb = 8  # Chromium's thumb: the track the centre travels is the width minus the thumb
    x_of = lambda f: box["x"] + thumb + f * (box["width"] - 2 * thumb)  # noqa: E731
    page.mouse.move(x_of(fraction), y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x_of(fraction + (to_fraction - fraction) * i / steps), y)
        page.wait_for_timeout(70)
        if between:
            between()
    page.mouse.up()


class Kernel:
    """Python's side of the harness: a real ReshapeView that answers each saved setting with its reshape_data,
    as the kernel does (one answer per message, in order)."""

    def __init__(self, view, widget):
        self.view, self.widget, self.answered = view, widget, 0

    def answer(self):
        """Answer every setting saved so far, including any the answers themselves release."""
        while self.answered < len(saved := self.view.saved()):
            state = saved[self.answered]
            self.answered += 1
            for name in ("temperature", "top_k", "top_p"):
                setattr(self.widget, name, state[name])
            self.view.update("data", self.widget.data)


def test_dragging_and_arrow_keys_on_a_slider_set_the_trait(view, payloads):
    view.mount(payloads.reshape())
    page = view.page
    slider = "#w input[name=temperature-slider]"
    assert page.locator(slider).input_value() == "1.3"
    kernel = Kernel(view, tokviz.ReshapeView(payloads.lm, PROMPT_TEXT, 14, temperature=1.3, top_k=8, top_p=0.9, show=12))
    drag(page, slider, 0.25, between=kernel.answer)
    kernel.answer()
    temperature = view.get("temperature")
    assert temperature == pytest.approx(0.5, abs=0.051) and round(temperature / 0.05, 6).is_integer()
    sent = saved_values(view, "temperature")
    assert sent[-1] == temperature and len(set(sent)) > 2  # values went out while dragging, each answered
    assert len(sent) <= 12 + 1  # not more than one per mouse move, and one on release
    assert page.locator("#w input[name=temperature]").input_value() == str(temperature)
    assert shown_after(page) == [shown_percent(r["p"]) for r in kernel.widget.data["rows"]]
    assert "tvz-rs-pending" not in page.locator("#w .tvz-root").get_attribute("class")
    page.locator(slider).focus()
    page.keyboard.press("ArrowRight")
    assert view.get("temperature") == pytest.approx(temperature + 0.05)
    page.locator("#w input[name=top_k-slider]").focus()
    page.keyboard.press("Home")
    assert view.get("top_k") == 0  # off
    page.locator("#w input[name=top_p-slider]").focus()
    page.keyboard.press("End")
    assert view.get("top_p") == 1  # off
    assert view.errors == []


def test_a_slider_waits_for_pythons_answer_before_sending_more(view, payloads):
    """A slow kernel gets no queue of stale settings: while an answer is outstanding the newest value is
    held, and sent when the answer arrives; release always sends."""
    view.mount(payloads.reshape())
    page = view.page
    kernel = Kernel(view, tokviz.ReshapeView(payloads.lm, PROMPT_TEXT, 14, temperature=1.3, top_k=8, top_p=0.9, show=12))
    box = page.locator("#w input[name=temperature-slider]").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 8 + 0.65 * (box["width"] - 16), y)
    page.mouse.down()
    for f in (0.6, 0.55, 0.5, 0.45):  # no answer: only the first move goes out
        page.mouse.move(box["x"] + 8 + f * (box["width"] - 16), y)
        page.wait_for_timeout(80)
    assert len(view.saved()) == 1
    kernel.widget.temperature = view.saved()[0]["temperature"]  # the answer to the first arrives:
    view.update("data", kernel.widget.data)  # the held newest value goes out at once
    assert len(view.saved()) == 2 and view.saved()[-1]["temperature"] == pytest.approx(0.9, abs=0.051)
    page.mouse.move(box["x"] + 8 + 0.3 * (box["width"] - 16), y)
    page.mouse.up()  # release sends, answered or not
    assert view.saved()[-1]["temperature"] == pytest.approx(0.6, abs=0.051)


def test_new_settings_fade_the_bars_until_pythons_answer_redraws_them(view, payloads):
    state = payloads.reshape()
    view.mount(state)
    page = view.page
    before = shown_after(page)
    view.update("temperature", 0.5)  # as the slider does: the trait changes first
    root = page.locator("#w .tvz-root")
    assert "tvz-rs-pending" in root.get_attribute("class")
    answer = tokviz.ReshapeView(payloads.lm, PROMPT_TEXT, 14, temperature=0.5, top_k=8, top_p=0.9, show=12)
    view.update("data", answer.data)
    assert "tvz-rs-pending" not in root.get_attribute("class")
    after = shown_after(page)
    assert after != before
    assert after == [shown_percent(row["p"]) for row in answer.data["rows"]]
    dot = page.locator("#w .tvz-rs-now-dot")
    assert "0.5" in page.locator("#w .tvz-rs-curve-svg").get_attribute("aria-label")
    assert dot.count() == 1


def test_the_entropy_curve_marks_now_and_a_click_sets_the_temperature(view, payloads):
    state = payloads.reshape()
    curve = state["data"]["curve"]
    view.mount(state)
    page = view.page
    plot = page.locator("#w .tvz-rs-curve-svg")
    line = page.locator("#w .tvz-rs-curve .tvz-line").get_attribute("d")
    assert line.count("L") == len(curve["t"]) - 1
    x_now = float(page.locator("#w .tvz-rs-now-line").get_attribute("x1"))
    left, right, width = 44, 12, 420  # js/src/reshape.js CURVE
    assert x_now == pytest.approx(left + 1.3 / curve["t"][-1] * (width - left - right))
    box = plot.bounding_box()
    plot.click(position={"x": (left + 0.5 / 2 * (width - left - right)) * box["width"] / width, "y": box["height"] / 2})
    assert view.get("temperature") == 0.5


def test_rows_are_one_tab_stop_with_arrow_keys(view, payloads):
    state = payloads.reshape()
    view.mount(state)
    page = view.page
    assert page.evaluate(f"() => [...document.querySelectorAll('{ROWS}')].filter(e => e.tabIndex === 0).length") == 1
    page.locator("#w input[name=top_p-slider]").focus()
    page.keyboard.press("Tab")
    focused = lambda: page.evaluate("() => document.activeElement.dataset.id")  # noqa: E731
    ids = [str(r["id"]) for r in state["data"]["rows"]]
    assert focused() == ids[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused() == ids[2]
    page.keyboard.press("End")
    assert focused() == ids[-1]
    assert "before" in page.evaluate("() => document.activeElement.getAttribute('aria-label')")


def test_a_saved_view_disables_the_controls_and_token_text_stays_text(view, payloads):
    after_last = tokviz.ReshapeView(payloads.lm, PROMPT_TEXT)  # the context ends with the HTML-like text
    view.mount(after_last.snapshot_state())  # interactive: false, as in a snapshot
    page = view.page
    assert page.locator("#w .tvz-rs-controls input").count() == 6
    assert all(page.locator("#w .tvz-rs-controls input").nth(i).is_disabled() for i in range(6))
    assert "needs the running notebook" in page.locator("#w .tvz-rs-controls legend").inner_text()
    assert page.locator("#w .tvz-rs-actual").count() == 0  # after the last token nothing came next
    context = page.locator("#w .tvz-rs-context").text_content()
    assert "<script>" in context and page.locator("#w img, #w script").count() == 0
    assert view.dialogs == [] and view.errors == []


def test_the_saved_page_draws_the_view_without_a_kernel(browser, payloads, tmp_path):
    path = tmp_path / "reshape.html"
    payloads.reshape_view.to_html(path)
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(path.as_uri())
        page.locator(".tvz-rs-tok-row").first.wait_for()
        rows = payloads.reshape_view.data["rows"]
        assert page.locator(".tvz-rs-tok-row .tvz-rs-new").all_inner_texts() == [shown_percent(r["p"]) for r in rows]
        assert page.locator(".tvz-rs-controls input:disabled").count() == 6
        assert errors == []
    finally:
        page.close()


def test_cleanup_removes_the_view_and_its_listeners(view, payloads):
    view.mount(payloads.reshape())
    assert view.listener_count() > 0
    view.cleanup()
    assert view.page.locator("#w .tvz-root").count() == 0
    assert view.listener_count() == 0


# --- the real thing: JupyterLab, a real kernel, the default model ----------------------------------------
LAB_PROMPT = "The capital of France is Paris. The capital of Germany is"
LAB_CELLS = [
    "import json\nimport tokviz\nlm = tokviz.load_model()",
    f"r = tokviz.ReshapeView(lm, {LAB_PROMPT!r})\nr",
    # Python's own reshape of the kept logits at whatever temperature the view set
    "fresh = tokviz.reshape(r.logits, temperature=r.temperature, top_k=r.top_k, top_p=r.top_p, show=r.show)\n"
    "print('RESHAPED ' + json.dumps({'t': r.temperature, 'ids': [t.token_id for t in fresh.tokens],"
    " 'p': [t.prob for t in fresh.tokens]}))",
]


@pytest.fixture(scope="module")
def lab_notebook(tmp_path_factory, browser):
    from host_servers import JupyterLab, open_lab_notebook, run_cell, write_notebook

    root = tmp_path_factory.mktemp("lab-reshape")
    write_notebook(root / "reshape.ipynb", LAB_CELLS)
    server = JupyterLab(root)
    server.start()
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    try:
        open_lab_notebook(page, server.url("reshape.ipynb"))
        run_cell(page, 0)
        run_cell(page, 1)
        yield page, run_cell
    finally:
        page.close()
        server.stop()


@pytest.mark.slow
def test_dragging_the_temperature_in_jupyterlab_reshapes_the_bars(lab_notebook):
    import json
    import re

    from tokviz.widgets.payload import rounded_prob

    page, run_cell = lab_notebook
    root = page.locator(".jp-Cell").nth(1).locator(".tvz-root").first
    root.locator(".tvz-rs-tok-row").first.wait_for(timeout=60_000)
    after = lambda: root.locator(".tvz-rs-tok-row .tvz-rs-new").all_inner_texts()  # noqa: E731
    before = after()
    assert before == root.locator(".tvz-rs-tok-row .tvz-rs-raw").all_inner_texts()  # temperature 1: no change
    drag(page, ".jp-Cell:nth-child(2) input[name=temperature-slider]", 0.8)
    # the kernel reshapes and sends the bars back: they differ, and match the controls' settings
    page.wait_for_function(
        """(before) => { const root = document.querySelectorAll('.jp-Cell')[1].querySelector('.tvz-root');
            const now = [...root.querySelectorAll('.tvz-rs-tok-row .tvz-rs-new')].map(e => e.innerText);
            return !root.classList.contains('tvz-rs-pending') && now.join('|') !== before.join('|'); }""",
        arg=before, timeout=30_000)
    shown = after()
    temperature = float(root.locator("input[name=temperature]").input_value())
    assert temperature == pytest.approx(1.6, abs=0.051)
    run_cell(page, 2)
    out = page.locator(".jp-Cell").nth(2).locator(".jp-OutputArea-output")
    out.wait_for(timeout=30_000)
    fresh = json.loads(re.search(r"RESHAPED (\{.*\})", out.inner_text()).group(1))
    assert fresh["t"] == temperature  # the slider's value reached Python
    ids = [int(i) for i in root.locator(".tvz-rs-tok-row").evaluate_all("els => els.map(e => e.dataset.id)")]
    assert ids == fresh["ids"]
    assert shown == [shown_percent(rounded_prob(p)) for p in fresh["p"]]
    assert shown != before
