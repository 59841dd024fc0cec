"""The real thing: TokenViz in a real JupyterLab, in headless Chromium, on the default model."""

from __future__ import annotations

import re

import pytest
import tokenviz_checks as checks
import torch
from host_servers import JupyterLab, open_lab_notebook, run_cell, switch_lab_to_dark, write_notebook
from view_harness import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: browser tests need Chromium"),
]

PROMPT = "The capital of France is Paris. The capital of Germany is"
HTML_PROMPT = 'Look: <img src=x onerror=alert(1)> and <script>alert("x")</script> end'
CELLS = [
    "import tokviz\nlm = tokviz.load_model()",
    f"w = tokviz.TokenViz(lm, prompt={PROMPT!r}, max_new_tokens=48, alternatives=10)\nw",
    f"h = tokviz.TokenViz(lm, prompt={HTML_PROMPT!r}, max_new_tokens=300)\nh",
    "print('generated', len(w.generation.tokens), w.generation.stopped_by)",
]
OUTPUT = ".jp-Cell:nth-child({n}) .jp-OutputArea-output"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    write_notebook(root / "viz.ipynb", CELLS)
    server = JupyterLab(root)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def notebook(lab, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_lab_notebook(page, lab.url("viz.ipynb"))
    page.dialogs = dialogs
    for n in range(len(CELLS) - 1):  # run all but the last cell, each to completion
        run_cell(page, n)
    yield page
    page.close()


def widget(page, n):
    return page.locator(f".jp-Notebook .jp-Cell >> nth={n - 1}").locator(".tvz-root").first


def reference_distributions(lm, text):
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        return ids, lm.model(torch.tensor([ids])).logits[0].softmax(-1)


def test_tokens_render_and_hover_matches_the_model(notebook, default_lm):
    root = widget(notebook, 2)
    root.wait_for(timeout=60_000)
    tokens = root.locator(".tvz-token[data-source=prompt]")
    ids, probs = reference_distributions(default_lm, PROMPT)
    assert tokens.count() == len(ids)
    tokens.nth(5).hover()  # " Paris"
    tip = notebook.locator(".tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible")
    shown = [float(x.rstrip("%")) / 100 for x in tip.locator(".tvz-cand-p").all_inner_texts()]
    expected = probs[4].topk(len(shown)).values.tolist()
    assert len(shown) == 10
    assert shown == pytest.approx(expected, abs=6e-4)  # shown with 3-4 significant digits
    # Nothing of the tooltip is clipped by the output area, and JupyterLab's own dl styles do not win.
    assert notebook.evaluate(TOOLTIP_VISIBLE_JS) == {"lastRowVisible": True, "statsDisplay": "grid"}


def test_generate_streams_tokens(notebook):
    checks.generate_streams(widget(notebook, 2))


def test_stop_ends_a_long_run_early(notebook):
    root = widget(notebook, 3)
    root.locator("button[data-action=generate]").click()
    root.locator(".tvz-token[data-source=generated] >> nth=2").wait_for(timeout=60_000)
    root.locator("button[data-action=stop]").click()
    notebook.wait_for_function(
        "() => !document.querySelectorAll('.jp-Cell:nth-child(3) .tvz-root')[0]"
        ".querySelector('button[data-action=generate]').disabled", timeout=30_000)
    count = root.locator(".tvz-token[data-source=generated]").count()
    assert 3 <= count < 300
    assert "cancelled" in root.locator(".tvz-status").inner_text()


def test_html_in_prompt_stays_text(notebook):
    root = widget(notebook, 3)
    assert root.locator("img").count() == 0 and root.locator("script").count() == 0
    text = "".join(root.locator(".tvz-token[data-source=prompt]").all_text_contents())
    assert "<img" in text and "<script>" in text
    assert notebook.dialogs == []


def test_save_html_downloads_the_page_the_kernel_builds(notebook, browser, tmp_path):
    root = widget(notebook, 2)
    shown = root.locator(".tvz-token").all_text_contents()
    with notebook.expect_download(timeout=60_000) as download:
        root.locator("button[data-action=save-html]").click()
    assert download.value.suggested_filename == "tokviz.html"
    saved = tmp_path / "tokviz.html"
    download.value.save_as(saved)
    page = browser.new_page()
    try:  # the page works on its own: same tokens, read-only
        page.goto(saved.as_uri())
        page.locator(".tvz-token").first.wait_for()
        assert page.locator(".tvz-token").all_text_contents() == shown
        assert page.locator("textarea, button[data-action]").count() == 0
    finally:
        page.close()


def test_clicking_an_alternative_branches_and_the_runs_can_be_switched(notebook):
    root = widget(notebook, 2)
    generated = root.locator(".tvz-token[data-source=generated]")
    main_tokens = generated.all_text_contents()
    generated.nth(3).click()  # pin it: its candidates can be clicked
    tip = notebook.locator(".tvz-tooltip.tvz-pinned").first
    tip.wait_for(state="visible")
    assert "To branch" in tip.inner_text()
    candidate = tip.locator(".tvz-branchable .tvz-cand").nth(1)  # the model's second choice there
    chosen = int(candidate.get_attribute("data-id"))
    candidate.dblclick()  # two clicks: still one branch
    samples = checks.sample_run(root, need_tokens=False)
    assert any(running for _, running in samples), samples[:5]
    branches = root.locator(".tvz-branch-bar button[data-branch]")
    branches.nth(1).wait_for(timeout=60_000)
    assert branches.count() == 2 and branches.nth(1).get_attribute("aria-checked") == "true"
    shown = generated.all_text_contents()
    assert shown[:3] == main_tokens[:3] and len(shown) > 4  # the shared start, then the branch's own tokens
    point = root.locator(".tvz-token.tvz-branch-point")
    assert point.get_attribute("data-index") == "3"
    point.hover()
    stats = notebook.locator(".tvz-tooltip:not([hidden])").first
    stats.wait_for(state="visible")
    assert f"\nid\n{chosen}" in stats.inner_text() or str(chosen) in stats.locator("dd").all_text_contents()
    assert "Forced" in stats.inner_text()
    branches.nth(0).click()  # back to the run from the prompt
    notebook.wait_for_function(
        "n => document.querySelectorAll('.jp-Cell:nth-child(2) .tvz-token.tvz-branch-point').length === n", arg=0)
    assert generated.all_text_contents() == main_tokens


def test_dark_theme_keeps_tokens_readable(notebook):
    switch_lab_to_dark(notebook)
    notebook.wait_for_timeout(500)
    ratios = notebook.evaluate(CONTRAST_JS, ".jp-Cell:nth-child(2) .tvz-token")
    assert ratios and min(ratios) >= 4.5, ratios


def test_python_sees_the_result(notebook):
    run_cell(notebook, len(CELLS) - 1)
    out = notebook.locator(f".jp-Cell >> nth={len(CELLS) - 1}").locator(".jp-OutputArea-output")
    out.wait_for(timeout=30_000)
    assert re.search(r"generated \d+ (length|eos|stop)", out.inner_text())


# WCAG contrast of each token's text against its background, blended over the page's background.
CONTRAST_JS = """(sel) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const backdrop = (el) => { for (let e = el.parentElement; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0.99) return c; } return [255, 255, 255, 1]; };
  return [...document.querySelectorAll(sel)].map((el) => {
    const s = getComputedStyle(el); const fg = parse(s.color); const bg = parse(s.backgroundColor); const base = backdrop(el);
    const mix = [0, 1, 2].map((i) => bg[i] * bg[3] + base[i] * (1 - bg[3]));
    const [a, b] = [lum(fg), lum(mix)]; return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}"""


TOOLTIP_VISIBLE_JS = """() => {
  const tip = [...document.querySelectorAll('.tvz-tooltip')].find((t) => !t.hidden);
  const rows = tip.querySelectorAll('.tvz-cand');
  const r = rows[rows.length - 1].getBoundingClientRect();
  tip.style.pointerEvents = 'auto';  // hit-testing skips pointer-events: none
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  tip.style.pointerEvents = '';
  return { lastRowVisible: !!hit && tip.contains(hit), statsDisplay: getComputedStyle(tip.querySelector('dl')).display };
}"""
