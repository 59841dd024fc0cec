"""The lens, beam tree, ICL and label views fed by real results of the default model (not hand-made payloads)."""

from __future__ import annotations

import pytest
import torch
from view_harness import CHROMIUM

import tokviz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

# Exactly 40 tokens for the default tokenizer.
LENS_TEXT = ("The capital of France is Paris. The capital of Germany is Berlin. The capital of Italy is Rome. "
             "The capital of Spain is Madrid, and the capital of Japan is Tokyo. The capital of Egypt")


def test_lens_heatmap_30_layers_by_40_tokens_hover_matches_independent_lens(view, default_lm):
    lm = default_lm
    ids = lm.tokenizer(LENS_TEXT, add_special_tokens=False)["input_ids"]
    widget = tokviz.LogitLensView(tokviz.logit_lens(lm, LENS_TEXT))
    assert widget.data["layers"] == 31 and widget.data["positions"] == 40
    view.mount(widget.snapshot_state() | {"interactive": True})
    page = view.page
    assert page.locator("#w .tvz-lens-cell").count() == 31 * 40
    # Independent lens for layer 15 at position 20: lm_head(norm(h_15)), softmax, top-k.
    with torch.no_grad():
        out = lm.model(torch.tensor([ids]), output_hidden_states=True)
        logits = lm.model.lm_head(lm.model.model.norm(out.hidden_states[15][0, 20]))
    expected = logits.float().softmax(-1).topk(5)
    page.locator("#w .tvz-lens-cell[data-layer='15'][data-pos='20']").hover()
    tip = page.locator(".tvz-tip-host .tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible")
    rows = tip.locator(".tvz-cand")
    assert [int(rows.nth(i).get_attribute("data-id")) for i in range(5)] == expected.indices.tolist()
    shown = [float(rows.nth(i).locator(".tvz-cand-p").inner_text().rstrip("%")) / 100 for i in range(5)]
    assert shown == pytest.approx(expected.values.tolist(), abs=6e-4)


def test_beam_tree_4_beams_12_steps_hover_shows_scores(view, default_lm):
    generation = tokviz.generate(default_lm, "The capital of France is", num_beams=4, max_new_tokens=12)
    widget = tokviz.BeamTreeView(generation)
    view.mount(widget.snapshot_state() | {"interactive": True})
    page = view.page
    steps = len(generation.beam_tree)
    assert page.locator("#w .tvz-node[data-step]").count() == sum(len(s) for s in generation.beam_tree)
    assert page.eval_on_selector_all("#w .tvz-node[data-step]", "els => new Set(els.map(e => e.dataset.step)).size") == steps
    node = generation.beam_tree[5][1]
    page.locator("#w .tvz-node[data-step='5'][data-beam='1'] circle").hover()
    tip = page.locator(".tvz-tip-host .tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible")
    assert f"{node.score:.3f}" in tip.inner_text()
    assert page.locator("#w .tvz-beam-list li").count() == len(generation.beams)
    assert view.errors == []
