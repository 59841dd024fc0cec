"""Teaching fixes in the view: label scores say which score the softmax used and draw bars on one scale;
one probability format everywhere; the logit lens has its own legend, a scale that spreads its cells and
rows of one height. States come from real results on tiny random models through the widgets."""

from __future__ import annotations

import re

import pytest
from fixtures import shown_percent
from view_harness import CHROMIUM

import tokviz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TIP = ".tvz-tip-host .tvz-tooltip"
LABELS = [" positive", " negative", " neutral"]
# Every probability the view shows: percent with 3 significant digits, fixed or with an exponent.
ONE_FORMAT = re.compile(r"^(0|100|\d+\.\d+|\d\.\d\de-\d+)%$")


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
        assert rows["probability"] == shown_percent(state["scores"]["probs"][i])


@pytest.mark.parametrize(("normalize", "row"), [("label", "log p (label tokens)"), ("mean", "mean log p per label token"),
                                                ("full", "log p (whole text)")])
def test_labels_view_says_which_score_the_softmax_used(view, tiny_lm, normalize, row):
    _, state = label_state(tiny_lm, normalize)
    assert state["scores"]["normalize"] == normalize
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
    tokens = state["analysis_data"]["tokens"]
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
