"""The loom view (`_kind` "loom") in the harness, fed by a real LoomView of the tiny model: one node per tree
node, edges as wide and coloured as the payload's probabilities say, hover shows a node's numbers and its
step's alternatives as text, a click pins and asks Python to grow the node, the new tree redraws, arrow keys
walk the tree from one Tab stop, Continue asks Python to generate; the snapshot page works from a file."""

from __future__ import annotations

import copy

import pytest
from fixtures import HTML_IMG, shown_percent
from view_harness import CHROMIUM

import tokviz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

NODES = "#w .tvz-loom-node"
TIP = ".tvz-tip-host .tvz-tooltip"
PROMPT = f"The page said {HTML_IMG} and then"


@pytest.fixture
def loom_view(payloads):
    loom = tokviz.loom(payloads.lm, PROMPT, depth=2, top_p=0.5, max_children=3, max_nodes=9)
    loom.mark_greedy()
    return tokviz.LoomView(loom)


def state_of(w) -> dict:
    return copy.deepcopy(w.snapshot_state()) | {"interactive": True}


def node(page, node_id: int):
    return page.locator(f"{NODES}[data-node='{node_id}']")


def test_nodes_edges_and_tags_are_the_payloads(view, loom_view):
    data = loom_view.data
    view.mount(state_of(loom_view))
    page = view.page
    assert page.locator(NODES).count() == len(data["nodes"])
    for n in data["nodes"][1:]:
        edge = page.locator(f"#w .tvz-loom-edge[data-node='{n['id']}']")
        width = float(edge.evaluate("e => e.style.strokeWidth").rstrip("px"))
        assert width == pytest.approx(0.8 + 9 * n["p"], abs=0.01)
        step = round(min(1, max(0, (__import__("math").log10(n["p"]) + 4) / 4)) * 8)
        assert edge.evaluate("e => e.style.stroke") == f"var(--tvz-s{step})"
        tags = node(page, n["id"]).locator(".tvz-loom-tags")
        assert (tags.count() == 1) == ("greedy" in n["m"])
    # the prompt's HTML is text, never markup
    assert page.locator("#w img").count() == 0
    assert HTML_IMG in page.locator("#w .tvz-loom-prompt").text_content()
    mass = page.locator("#w .tvz-loom-view").inner_text()
    assert shown_percent(data["mass"][0]) in mass
    assert "greedy" in page.locator("#w .tvz-loom-paths").inner_text()
    assert view.errors == []


def test_hover_shows_numbers_and_alternatives(view, loom_view):
    data = loom_view.data
    view.mount(state_of(loom_view))
    page = view.page
    first = data["nodes"][data["nodes"][0]["c"][0]]
    node(page, first["id"]).hover()
    tip = page.locator(TIP)
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert shown_percent(first["p"]) in text and f"rank\n{first['r']}" in text.replace("\t", "\n")
    assert shown_percent(first["pp"]) in text
    siblings = data["nodes"][0]["c"]
    assert tip.locator(".tvz-loom-alts li").count() == len(siblings)
    assert [shown_percent(data["nodes"][s]["p"]) for s in siblings] == tip.locator(".tvz-loom-alt-p").all_inner_texts()


def test_click_pins_and_asks_python_to_grow_then_the_tree_redraws(view, loom_view):
    view.mount(state_of(loom_view))
    page = view.page
    leaf = next(n for n in loom_view.data["nodes"] if not n["c"])
    node(page, leaf["id"]).click()
    assert {"action": "expand", "node": leaf["id"]} in view.sent()
    assert view.get("pinned") == leaf["id"]
    before = page.locator(NODES).count()
    loom_view._handle_message(loom_view, {"action": "expand", "node": leaf["id"]}, [])  # what the kernel does
    assert loom_view.status == ""
    view.update("data", loom_view.data)
    assert page.locator(NODES).count() == len(loom_view.data["nodes"]) > before
    assert node(page, leaf["id"]).evaluate("e => e.classList.contains('tvz-loom-grown')")
    page.locator("#w .tvz-loom-continue").click()
    assert {"action": "continue", "node": leaf["id"]} in view.sent()


def test_one_tab_stop_and_arrow_keys_walk_the_tree(view, loom_view):
    data = loom_view.data
    view.mount(state_of(loom_view))
    page = view.page
    assert page.locator(f"{NODES}[tabindex='0']").count() == 1
    node(page, 0).focus()
    focused = lambda: int(page.evaluate("document.activeElement.getAttribute('data-node')"))  # noqa: E731
    page.keyboard.press("ArrowRight")
    first = data["nodes"][0]["c"][0]
    assert focused() == first
    page.keyboard.press("ArrowDown")
    assert focused() == data["nodes"][0]["c"][1]
    page.keyboard.press("ArrowLeft")
    assert focused() == 0
    assert page.locator(f"{NODES}[tabindex='0']").count() == 1


def test_the_snapshot_page_works_without_a_kernel(page, loom_view, tmp_path):
    path = tmp_path / "loom.html"
    loom_view.to_html(path)
    page.goto(path.as_uri())
    page.locator('.tvz-loom-node').first.wait_for()
    assert page.locator('.tvz-loom-node').count() == len(loom_view.data["nodes"])
    assert page.locator(".tvz-loom-continue").count() == 0  # read-only: nothing to run
    page.locator(f".tvz-loom-node[data-node='{loom_view.data['nodes'][0]['c'][0]}']").hover()
    page.locator(TIP).wait_for(state="visible")
    assert page.locator("img").count() == 0
