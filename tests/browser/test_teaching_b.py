"""Teaching fixes in the view: label scores say which score the softmax used and draw bars on one scale;
one probability format everywhere; the logit lens has its own legend, a scale that spreads its cells and
rows of one height. States come from real results on tiny random models through the widgets."""

from __future__ import annotations

import re

import pytest
from fixtures import shown_percent
from view_harness import CHROMIUM

import tokviz
from tests.strips import strip_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TIP = ".tvz-tip-host .tvz-tooltip"
LABELS = [" positive", " negative", " neutral"]
# Every probability the view shows: percent with 3 significant digits, fixed or with an exponent.
ONE_FORMAT = re.compile(r"^(0|100|\d+\.\d+|< 0\.000001)%$")


def label_state(tiny_lm, normalize: str):
    scores = tokviz.score_labels(tiny_lm, "Review: {x}\nSentiment:{y}", "a fine film", LABELS, normalize=normalize)
    return scores, tokviz.LabelScoresView(scores).snapshot_state() | {"interactive": True}


def stat_rows(detail) -> dict[str, str]:
    """The detail card's stat table as {name: shown value}."""
    names = detail.locator("dt").all_text_contents()
    values = detail.locator("dd").all_text_contents()
    return dict(zip(names, values))


# --- label scores ----------------------------------------------------------------------------------

@pytest.mark.parametrize("normalize", ["label", "mean", "full"])
def test_label_detail_numbers_are_the_label_scores(view, tiny_lm, normalize):
    scores, state = label_state(tiny_lm, normalize)
    view.mount(state)
    page = view.page
    detail = page.locator("#w .tvz-label-detail")
    for i, score in enumerate(scores.scores):
        page.locator("#w .tvz-label-row").nth(i).hover()
        rows = stat_rows(detail)
        assert float(rows["log p (whole text)"]) == pytest.approx(score.logprob, abs=6e-4)
        assert float(rows["log p (label tokens)"]) == pytest.approx(score.label_logprob, abs=6e-4)
        assert float(rows["mean log p per label token"]) == pytest.approx(score.mean_label_logprob, abs=6e-4)
        assert rows["probability"] == shown_percent(state["data"]["probs"][i])


@pytest.mark.parametrize(("normalize", "row"), [("label", "log p (label tokens)"), ("mean", "mean log p per label token"),
                                                ("full", "log p (whole text)")])
def test_labels_view_says_which_score_the_softmax_used(view, tiny_lm, normalize, row):
    _, state = label_state(tiny_lm, normalize)
    assert state["data"]["normalize"] == normalize
    view.mount(state)
    page = view.page
    assert row in page.locator("#w .tvz-sub").first.inner_text()
    used = page.locator("#w .tvz-label-detail dt.tvz-used").all_text_contents()
    assert used == [row]


@pytest.mark.parametrize("width", [900, 260])
def test_label_bars_share_one_scale(view, tiny_lm, width):
    scores, state = label_state(tiny_lm, "label")
    view.page.evaluate("w => { document.body.style.width = w + 'px'; }", width)
    view.mount(state)
    page = view.page
    tracks = page.locator("#w .tvz-label-row .tvz-bar-track")
    bars = page.locator("#w .tvz-label-row .tvz-bar")
    assert tracks.count() == bars.count() == len(LABELS)
    assert page.locator("#w .tvz-label-row.tvz-predicted .tvz-badge").count() == 1
    track_boxes = [tracks.nth(i).bounding_box() for i in range(len(LABELS))]
    assert len({round(b["width"], 1) for b in track_boxes}) == 1, track_boxes
    assert len({round(b["x"], 1) for b in track_boxes}) == 1, track_boxes
    width = track_boxes[0]["width"]
    for i, p in enumerate(scores.probs):
        shown = bars.nth(i).bounding_box()["width"] / width
        assert shown == pytest.approx(max(p, 0.005), abs=0.01), (i, p, shown)


# --- one probability format --------------------------------------------------------------------------

def test_a_tooltip_list_uses_one_format(view, payloads):
    state = payloads.tokens_state()
    tokens = strip_tokens(state["analysis_data"])
    # the token whose candidates span the widest range: a list holding both large and tiny values
    i = max((k for k, t in enumerate(tokens) if t["top"]), key=lambda k: tokens[k]["top"][0][1] / tokens[k]["top"][-1][1])
    view.mount(state)
    page = view.page
    page.locator("#w .tvz-token[data-source=prompt]").nth(i).hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    shown = tip.locator(".tvz-cand-p").all_text_contents()
    assert shown == [shown_percent(p) for _, p in tokens[i]["top"]]
    assert shown and all(ONE_FORMAT.match(s) for s in shown), shown
    assert "p" in stat_rows(tip) and ONE_FORMAT.match(stat_rows(tip)["p"])


# --- logit lens -------------------------------------------------------------------------------------

def scale_position(color: str) -> float:
    """The u in 0..1 of a top-1 cell's step on the lens's own linear scale: step N of 5 is var(--tvz-lN)."""
    return int(re.fullmatch(r"var\(--tvz-l(\d)\)", color).group(1)) / 4


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def test_lens_top1_colours_spread_over_the_scale(view, payloads):
    view.mount(payloads.lens)
    colors = view.page.locator("#w .tvz-lens-cell").evaluate_all("cells => cells.map((c) => c.style.backgroundColor)")
    u = [scale_position(c) for c in colors]
    # the middle half of the cells covers at least a fifth of the scale (a log scale gave them a tenth)
    assert quantile(u, 0.75) - quantile(u, 0.25) >= 0.2, (quantile(u, 0.25), quantile(u, 0.75))
    assert max(u) - min(u) >= 0.8


def test_lens_legend_has_its_own_wording(view, payloads):
    view.mount(payloads.tokens_state())
    strip_legend = view.page.locator("#w .tvz-legend-text").first.inner_text()
    view.mount(payloads.lens)
    page = view.page
    top_legend = page.locator("#w .tvz-legend-text").inner_text()
    assert top_legend != strip_legend and "top-1" in top_legend and "linear" in top_legend
    # linear steps of 20%, each swatch naming its range
    assert page.locator("#w .tvz-swatch").all_inner_texts() == ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"]
    page.locator("#w .tvz-switch button", has_text="next-token probability").click()
    target_legend = page.locator("#w .tvz-legend-text").inner_text()
    assert target_legend not in (strip_legend, top_legend) and "next" in target_legend


def test_lens_rows_have_equal_heights(view, payloads):
    state = payloads.lens
    assert any(s is not None for s in state["data"]["settled"])
    view.mount(state)
    heights = view.page.locator("#w .tvz-lens-layer").evaluate_all(
        "els => els.map((e) => e.getBoundingClientRect().height)")
    assert len(heights) == 31
    assert max(heights) - min(heights) < 0.5, heights
