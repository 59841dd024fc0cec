"""The view rendered inside a shadow root, as marimo renders anywidgets (its CSS adopted by that shadow
root only): the tooltip must live there too, or it shows unstyled below the page's end. The fast
counterpart of tests/browser/test_marimo.py."""

from __future__ import annotations

import pytest
from tokenviz_checks import TOOLTIP_SEEN_JS

pytestmark = pytest.mark.browser

# Render the harness's model again, into an open shadow root that adopts widget.css (as marimo does).
MOUNT_IN_SHADOW_JS = """async () => {
    window.__cleanup(); window.__cleanup = null;
    const host = document.createElement('div');
    host.id = 'shadow-host';
    document.body.append(host);
    const shadow = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(await (await fetch('/static/widget.css')).text());
    shadow.adoptedStyleSheets = [sheet];
    const el = document.createElement('div');
    shadow.append(el);
    window.__shadowCleanup = await window.__mod.default.render({ model: window.model, el });
    document.querySelectorAll('link[rel=stylesheet]').forEach((l) => l.remove());  // styles only in the shadow root
}"""


def test_tooltip_lives_in_the_views_shadow_root(view, payloads):
    view.mount(payloads.tokens_state())
    page = view.page
    page.evaluate(MOUNT_IN_SHADOW_JS)
    tokens = page.locator("#shadow-host .tvz-token[data-source=prompt]")
    tokens.nth(3).hover()
    tip = page.locator("#shadow-host .tvz-tooltip:not([hidden])").first
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.evaluate("t => t.getRootNode() === document.getElementById('shadow-host').shadowRoot")
    assert tip.evaluate("t => getComputedStyle(t).position") == "fixed"
    assert tip.evaluate(TOOLTIP_SEEN_JS)
    assert page.evaluate("document.querySelectorAll('body > .tvz-tip-host').length") == 0
    page.evaluate("() => window.__shadowCleanup()")
    assert page.evaluate("document.getElementById('shadow-host').shadowRoot.querySelectorAll('.tvz-tip-host').length") == 0
    assert view.errors == []
