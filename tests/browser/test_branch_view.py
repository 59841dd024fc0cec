"""Branching in the view: a candidate of a pinned token asks Python for a branch; the runs of the branch
tree are a radio group; forced tokens and the branch point are marked. States come from real branches."""

from __future__ import annotations

import copy

import pytest
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

TIP = ".tvz-tip-host .tvz-tooltip"
GEN_TOKENS = "#w .tvz-token[data-source=generated]"
PROMPT_TOKENS = "#w .tvz-token[data-source=prompt]"


def branched_state(payloads, **traits) -> dict:
    w = payloads.branched
    return copy.deepcopy(w.snapshot_state()) | {"interactive": True} | traits


def test_a_candidate_of_a_pinned_token_asks_for_a_branch(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.generation()))
    page = view.page
    page.locator(GEN_TOKENS).nth(2).click()
    tip = page.locator(f"{TIP}.tvz-pinned")
    tip.wait_for(state="visible")
    assert "To branch, click the token, then a candidate" in tip.inner_text()
    row = tip.locator(".tvz-cand").nth(1)
    chosen = int(row.get_attribute("data-id"))
    row.click()
    assert view.sent()[-1] == {"action": "branch", "source": "generated", "index": 2, "token_id": chosen}
    row.focus()
    page.keyboard.press("Enter")  # the keyboard does the same
    assert len([m for m in view.sent() if m.get("action") == "branch"]) == 2


def test_prompt_tokens_branch_too_but_not_the_first(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.locator(PROMPT_TOKENS).nth(4).click()
    page.locator(f"{TIP}.tvz-pinned .tvz-cand").first.click()
    assert view.sent()[-1]["source"] == "prompt" and view.sent()[-1]["index"] == 4
    page.keyboard.press("Escape")
    page.locator(PROMPT_TOKENS).first.click()  # nothing came before it: no candidates, no branch
    assert page.locator(f"{TIP}.tvz-pinned .tvz-cand").count() == 0


def test_no_branch_while_a_run_is_going(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.generation(), status="generating"))
    page = view.page
    page.locator(GEN_TOKENS).nth(1).click()
    page.locator(f"{TIP}.tvz-pinned .tvz-cand").nth(1).click()
    assert not [m for m in view.sent() if m.get("action") == "branch"]


def test_a_read_only_view_offers_no_branch(view, payloads):
    view.mount(payloads.tokens_state(generation_data=payloads.generation(), interactive=False))
    page = view.page
    page.locator(GEN_TOKENS).nth(1).click()
    tip = page.locator(f"{TIP}.tvz-pinned")
    tip.wait_for(state="visible")
    assert "To branch" not in tip.inner_text()
    tip.locator(".tvz-cand").nth(1).click()
    assert view.sent() == []


def test_the_runs_are_a_radio_group_and_switching_tells_python(view, payloads):
    w = payloads.branched
    view.mount(branched_state(payloads))
    page = view.page
    buttons = page.locator("#w .tvz-branch-bar button[data-branch]")
    assert buttons.count() == 3
    assert buttons.evaluate_all("bs => bs.map(b => b.getAttribute('aria-checked'))") == ["false", "false", "true"]
    labels = buttons.all_inner_texts()
    assert labels[0] == "main" and labels[1].endswith("at generated 1") and labels[2].endswith("at prompt 3")
    buttons.nth(2).focus()
    page.keyboard.press("ArrowLeft")
    assert view.saved()[-1]["current_branch"] == 1
    buttons.nth(0).click()
    assert view.saved()[-1]["current_branch"] == 0
    # the shown run (branch 2) is a prompt branch: its prompt is cut, yet not stale
    assert page.locator(PROMPT_TOKENS).count() == 3 == len(w.analysis.tokens)
    assert page.locator("#w .tvz-stale-note").is_hidden()


def test_forced_tokens_and_the_branch_point_are_marked_and_explained(view, payloads):
    w = payloads.branched
    view.mount(branched_state(payloads))
    page = view.page
    forced = [t.forced for t in w.generation.tokens]
    classes = page.locator(GEN_TOKENS).evaluate_all("es => es.map(e => e.className)")
    assert ["tvz-forced" in c for c in classes] == forced
    assert ["tvz-branch-point" in c for c in classes] == [i == 0 for i in range(len(forced))]
    page.locator(GEN_TOKENS).first.hover()
    tip = page.locator(TIP).first
    tip.wait_for(state="visible")
    assert "Forced: a branch put this token here" in tip.inner_text()
    page.locator(GEN_TOKENS).nth(1).hover()
    assert "Forced" not in page.locator(TIP).first.inner_text()


def test_a_single_run_shows_no_branch_bar(view, payloads):
    view.mount(payloads.tokens_state())
    assert view.page.locator("#w .tvz-branch-bar").is_hidden()
