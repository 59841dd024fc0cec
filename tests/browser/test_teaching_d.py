"""Teaching view, part D: the keyboard (one Tab stop per group, arrow keys inside), the settings grouped as
decoding vs display, the charts under the strip, and export (TSV to the clipboard, the HTML page)."""

from __future__ import annotations

import bisect
import re

import pytest
from fixtures import shown_percent
from view_harness import CHROMIUM

from tests.strips import strip_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TIP = ".tvz-tip-host .tvz-tooltip"
STRIP_ITEMS = "#w .tvz-strip .tvz-token, #w .tvz-strip .tvz-next"
PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"


def tab_stops(page, selector: str) -> int:
    return page.evaluate("sel => [...document.querySelectorAll(sel)].filter(e => e.tabIndex === 0).length", selector)


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {source: e.dataset.source || null, index: e.dataset.index ?? null, value: e.dataset.value || null,
                layer: e.dataset.layer ?? null, pos: e.dataset.pos ?? null, cls: e.className || ''}; }""")


# --- keyboard ----------------------------------------------------------------------------------------

def test_the_strip_is_one_tab_stop_with_arrow_keys_inside(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    n = len(payloads.widget.analysis.tokens)
    assert tab_stops(page, STRIP_ITEMS) == 1
    page.locator("#w .tvz-clear-selection, #w [data-action=save-html]").last.focus()
    page.keyboard.press("Tab")
    assert (focused(page)["source"], focused(page)["index"]) == ("prompt", "0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page)["index"] == "2"
    tip = page.locator(TIP).first
    assert "prompt token 2" in tip.inner_text()  # focus shows the tooltip of the token it reached (tokens[2])
    page.keyboard.press("End")
    assert focused(page)["source"] == "next"  # the predicted-next marker is the strip's last item
    page.keyboard.press("ArrowLeft")
    assert focused(page)["index"] == str(n - 1)
    page.keyboard.press("Home")
    assert focused(page)["index"] == "0"
    page.keyboard.press("ArrowRight")
    assert tab_stops(page, STRIP_ITEMS) == 1  # the stop moved with the focus
    page.keyboard.press("Tab")
    assert focused(page)["source"] is None  # one Tab leaves the strip, however many tokens it has


def test_shift_tab_comes_back_to_the_token_last_visited(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(4).click()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["index"] == "4"


def test_switches_are_radio_groups_with_arrow_keys(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    group = "#w .tvz-switch[aria-label='colour by'] button"
    assert tab_stops(page, group) == 1
    page.locator(f"{group}[aria-checked=true]").focus()
    page.keyboard.press("ArrowRight")
    assert view.get("color_by") == "rank" and focused(page)["value"] == "rank"
    assert view.saved()[-1]["color_by"] == "rank"  # sent to Python
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # wraps round to the last choice
    assert view.get("color_by") == "entropy"
    assert tab_stops(page, group) == 1
    assert page.locator(f"{group}[tabindex='0']").get_attribute("aria-checked") == "true"


def test_lens_grid_is_one_tab_stop_with_arrows_across_layers_and_positions(view, payloads):
    view.mount(payloads.lens)
    page = view.page
    cells = "#w .tvz-lens-cell"
    assert page.locator(cells).count() > 100 and tab_stops(page, cells) == 1
    page.locator(f"{cells}[data-layer='5'][data-pos='3']").click()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowUp")
    assert (focused(page)["layer"], focused(page)["pos"]) == ("6", "3")
    page.keyboard.press("ArrowRight")
    assert (focused(page)["layer"], focused(page)["pos"]) == ("6", "4")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    assert (focused(page)["layer"], focused(page)["pos"]) == ("5", "0")
    assert tab_stops(page, cells) == 1


def test_other_views_items_are_one_tab_stop_each(view, payloads):
    for state, items in [(payloads.beams, "#w .tvz-node[data-step]"), (payloads.icl, "#w .tvz-point"),
                         (payloads.labels, "#w .tvz-label-row")]:
        view.mount(state)
        assert view.page.locator(items).count() >= 3
        assert tab_stops(view.page, items) == 1, items


# --- settings grouped --------------------------------------------------------------------------------

def test_settings_are_grouped_as_decoding_and_display(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page

    def names(group: str) -> set[str]:
        box = page.locator(f"#w fieldset:has(> legend:text-matches('^{group}'))")
        inputs = set(box.locator("input").evaluate_all("es => es.map(e => e.name)"))
        switches = set(box.locator(".tvz-switch").evaluate_all("es => es.map(e => e.getAttribute('aria-label'))"))
        return inputs | switches

    assert names("Decoding") == {"max_new_tokens", "do_sample", "temperature", "top_k", "top_p", "num_beams",
                                 "stop_at_newline"}
    assert names("Display") == {"colour by", "generated", "alternatives"}


# --- charts ------------------------------------------------------------------------------------------

def bar_heights(page, selector: str) -> list[float]:
    """Each bar's height, from the path the surprisal chart draws (one "M x y v-h h w v h z" per bar)."""
    d = page.locator(selector).get_attribute("d") or ""
    return [float(v) for v in re.findall(r"v-([\d.]+)", d)]


def test_surprisal_chart_has_a_bar_per_token_as_tall_as_its_surprisal(view, payloads):
    tokens = payloads.widget.analysis.tokens
    view.mount(payloads.tokens_state())
    page = view.page
    surprisal = [t.surprisal_bits for t in tokens if t.surprisal_bits is not None and t.surprisal_bits > 0]
    heights = bar_heights(page, "#w .tvz-surp-bars:not(.tvz-surp-gen)")
    assert len(heights) == len(surprisal) == len(tokens) - 1
    top = int(page.locator("#w .tvz-surp-top").inner_text().split()[0])
    assert top == max(1, int(-(-max(surprisal) // 1)))  # the scale: the highest surprisal, rounded up
    for height, bits in zip(heights, surprisal):
        assert height == pytest.approx(bits / top * 56, abs=0.02)


def test_hovering_the_chart_shows_that_token_and_clicking_selects_it(view, payloads):
    tokens = payloads.widget.analysis.tokens
    view.mount(payloads.tokens_state())
    page = view.page
    chart = page.locator("#w .tvz-surp-svg")
    box = chart.bounding_box()
    k = len(tokens) - 3
    x = (k + 0.5) / len(tokens) * box["width"]
    chart.hover(position={"x": x, "y": 20})
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    assert f"prompt token {k}" in tip.inner_text()
    chart.click(position={"x": x, "y": 20})
    assert view.get("selected") == {"source": "prompt", "index": k}
    assert "tvz-selected" in page.locator(PROMPT_TOKENS).nth(k).get_attribute("class")
    assert page.locator(f"{TIP}.tvz-pinned").is_visible()  # the click pinned it: it stays


def test_generated_tokens_get_their_own_bars_after_the_prompt(view, payloads):
    generation = payloads.generation()
    view.mount(payloads.tokens_state(generation_data=generation))
    heights = bar_heights(view.page, "#w .tvz-surp-gen")
    assert len(heights) == sum(1 for t in strip_tokens(generation) if t["s"])
    starts = [float(x) for x in re.findall(r"M([\d.]+) ", view.page.locator("#w .tvz-surp-gen").get_attribute("d"))]
    assert min(starts) >= len(payloads.widget.analysis.tokens)


def test_rank_bar_counts_the_tokens_in_each_band(view, payloads):
    tokens = payloads.widget.analysis.tokens
    view.mount(payloads.tokens_state())
    row = view.page.locator("#w .tvz-rank-row[data-what=prompt]")
    shown = [int(c) for c in row.locator(".tvz-rank-count").all_text_contents()]
    expected = [0] * 5
    for t in tokens:
        if t.rank is not None:
            expected[bisect.bisect_left([1, 10, 100, 1000], t.rank)] += 1
    assert shown == expected
    widths = row.locator(".tvz-rank-seg").evaluate_all("es => es.map(e => e.getBoundingClientRect().width)")
    nonzero = [c for c in expected if c]
    total = sum(widths)
    for width, count in zip(widths, nonzero):  # each segment as wide as its share
        assert width / total == pytest.approx(count / sum(nonzero), abs=0.02)


def test_next_distribution_bars_add_the_rest_and_follow_the_generation(view, payloads):
    analysis = payloads.widget.analysis
    view.mount(payloads.tokens_state())
    panel = view.page.locator("#w .tvz-next-dist")
    assert "after the last prompt token" in panel.inner_text()
    rows = panel.locator(".tvz-cand")
    assert rows.count() == len(analysis.next) + 1
    assert rows.locator(".tvz-cand-p").all_text_contents()[:-1] == [shown_percent(c.prob) for c in analysis.next]
    rest = 1 - sum(c.prob for c in analysis.next)
    assert rows.last.inner_text().startswith("all others")
    assert rows.last.locator(".tvz-cand-p").inner_text() == shown_percent(float(f"{rest:.4g}"))

    generation = payloads.generation()
    view.update("generation_data", generation)
    assert "after the last generated token" in panel.inner_text()
    shown_ids = panel.locator(".tvz-cand[data-id]").evaluate_all("es => es.map(e => Number(e.dataset.id))")
    assert shown_ids == [c[0] for c in generation["next"]]


# --- export ------------------------------------------------------------------------------------------

def test_copy_tsv_puts_every_token_and_its_numbers_on_the_clipboard(browser, harness_url, payloads):
    from view_harness import View

    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        view = View(page, harness_url)
        generation = payloads.generation()
        view.mount(payloads.tokens_state(generation_data=generation))
        page.locator("#w [data-export=tsv]").click()
        page.locator("#w .tvz-export-note", has_text="copied").wait_for()
        lines = page.evaluate("navigator.clipboard.readText()").split("\n")
    finally:
        context.close()
    header, *rows = [line.split("\t") for line in lines if line]
    assert header == ["source", "index", "token", "id", "p", "log_p_nats", "surprisal_bits", "rank", "entropy_bits",
                      "sampled_p"]
    tokens = payloads.widget.analysis.tokens
    assert len(rows) == len(tokens) + len(strip_tokens(generation))
    for row, token in zip(rows, tokens):
        assert row[0] == "prompt" and int(row[3]) == token.token_id
        if token.prob is None:
            assert row[4] == row[5] == row[7] == ""
        else:
            assert float(row[4]) == pytest.approx(token.prob, rel=1e-3)
            assert int(row[7]) == token.rank
    texts = [r[2] for r in rows[: len(tokens)]]
    assert "\\n" in "".join(texts) and "\\t" in "".join(texts)  # escaped: one line per token, 10 cells each
    assert any(re.fullmatch(r"(\\x[0-9A-F]{2})+", t) for t in texts)  # bytes that are part of a character
    assert all(len(r) == 10 for r in rows)
    assert [r[0] for r in rows[len(tokens):]] == ["generated"] * len(strip_tokens(generation))


def test_save_html_asks_python_for_the_page_and_downloads_it(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator("#w [data-action=save-html]").click()
    assert view.sent()[-1] == {"action": "save_html"}
    html = payloads.widget.to_html()
    with page.expect_download() as download:
        view.receive({"kind": "html", "html": html, "filename": "tokviz.html"})
    assert download.value.suggested_filename == "tokviz.html"
    with open(download.value.path(), encoding="utf-8") as saved:
        assert saved.read() == html
    assert "saved tokviz.html" in page.locator("#w .tvz-export-note").inner_text()


def test_a_read_only_view_can_copy_but_has_no_python_to_build_a_page(view, payloads):
    view.mount(payloads.tokens_state(interactive=False))
    assert view.page.locator("#w [data-export=tsv]").is_visible()
    assert view.page.locator("#w [data-action=save-html]").count() == 0
