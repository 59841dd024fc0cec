"""The lens view's measures: which lens is shown, colour by KL / rank / entropy with a legend per scale, and
the pinned token's trajectory (computed in Python, drawn beside the grid)."""

from __future__ import annotations

import pytest
import torch
from view_harness import View

import tokviz
from tests.conftest import make_tiny_llama
from tokviz.backends.local.model import LanguageModel
from tokviz.studies.tuned_lens import TunedLens, model_fingerprint

pytestmark = pytest.mark.browser

TEXT = "The capital of France is Paris, and the capital of Italy is Rome."
# The view's bins (lens_scales.js), written out here: upper bounds, and whether smaller is darker.
BINS = {"kl": ([0.1, 1, 3, 10], True), "rank": ([2, 11, 101, 1001], True), "entropy": ([0.5, 1.5, 3, 6], False)}


def step(value, bounds, reverse):
    s = next((k for k, b in enumerate(bounds) if value < b), len(bounds))
    return 4 - s if reverse else s


@pytest.fixture(scope="module")
def tuned_state(tiny_lm):
    model = make_tiny_llama(len(tiny_lm.tokenizer), layers=4, seed=2)
    lm = LanguageModel(model=model, tokenizer=tiny_lm.tokenizer, name="tiny-view-lens")
    g = torch.Generator().manual_seed(0)
    d = model.config.hidden_size
    lens = TunedLens(model_name=lm.name, fingerprint=model_fingerprint(model),
                     weights=torch.randn(4, d, d, generator=g) * 0.05, biases=torch.randn(4, d, generator=g) * 0.1,
                     settings={"tokens": 64, "seed": 0})
    result = tokviz.logit_lens(lm, TEXT, alternatives=3, lens=lens)
    pinned = [5, result.top_ids[2][5][1]]
    widget = tokviz.LogitLensView(result, pin=pinned, lens_color="kl")
    return result, widget.snapshot_state() | {"interactive": True}


def test_colour_by_each_measure_follows_its_legend(view: View, tuned_state):
    result, state = tuned_state
    view.mount(state)
    page = view.page
    assert page.locator("#w .tvz-lens-name").inner_text() == f"Lens: {result.lens_name}"
    assert "tuned lens" in result.lens_name
    values = {"kl": result.kl_to_final, "rank": result.target_ranks, "entropy": result.entropy}
    words = {"kl": "KL(final layer", "rank": "rank this layer gives", "entropy": "entropy"}
    for mode, label in (("kl", None), ("rank", "rank of next token"), ("entropy", "entropy")):
        if label:
            page.locator("#w .tvz-view-row button", has_text=label).click()
        legend = page.locator("#w .tvz-lens-legend")
        assert words[mode] in legend.inner_text()
        swatches = legend.locator(".tvz-swatch").evaluate_all(
            "els => els.map(e => getComputedStyle(e).backgroundColor)")
        assert len(swatches) == 5 and len(set(swatches)) == 5
        cells = page.locator("#w .tvz-lens-cell").evaluate_all(
            "els => els.map(e => [+e.dataset.layer, +e.dataset.pos, getComputedStyle(e).backgroundColor])")
        assert len(cells) == result.layers * result.num_positions
        for layer, pos, colour in cells:
            value = values[mode][layer][pos]
            if value is None:  # no next token at the last position: no rank
                continue
            assert colour == swatches[step(value, *BINS[mode])], (mode, layer, pos, value)
    assert not view.errors


def test_pinned_trajectory_is_drawn_and_a_double_click_pins(view: View, tuned_state):
    result, state = tuned_state
    view.mount(state)
    page = view.page
    panel = page.locator("#w .tvz-lens-trajectory")
    position, token = state["pin"]
    expected = result.trajectory(position, token)
    assert f"at position {position}" in panel.inner_text() and result.lens_name in panel.inner_text()
    rows = panel.locator(".tvz-lens-traj-row")
    assert rows.count() == result.layers
    for k in range(rows.count()):
        row = rows.nth(k)
        layer = int(row.get_attribute("data-layer"))
        assert row.locator(".tvz-lens-traj-rank").inner_text() == f"#{expected.ranks[layer]}"
    page.locator("#w .tvz-lens-cell[data-layer='1'][data-pos='3']").dblclick()
    assert view.saved()[-1]["pin"] == [3, result.top_ids[1][3][0]]
    assert not view.errors
