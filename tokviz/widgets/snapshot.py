"""Static HTML snapshots of a tokviz view: the same view, drawn without a kernel.

Used for `_repr_html_` (a fragment in a notebook's text/html output, so saved notebooks and nbconvert
HTML keep the tokens and their tooltips) and `to_html(path)` (a complete page). The page inlines the
built bundle and its CSS, builds a read-only fake anywidget model from the widget's state and renders
into its own uniquely-id'd div. Nothing is fetched: it works offline and from file://.
"""

from __future__ import annotations

import base64
import html
import json
import uuid
from pathlib import Path
from typing import Any

from .token_table_reader import strip_text

STATIC = Path(__file__).parent.parent / "static"
KINDS = ("tokens", "lens", "icl", "labels", "beams", "compare", "reshape", "bayes", "loom")

# Characters that must not appear literally inside an inline <script>: "<" could start "</script>" or
# "<!--"; U+2028/2029 are line terminators in older JS parsers. JSON string escapes keep the value.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}

# A read-only anywidget model over `state`: set() only changes the local view (e.g. colour switches).
_LOADER = """(async () => {
  // Binary buffers travel as base64; the view gets them as DataViews, as anywidget gives them.
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (!v || typeof v !== "object") return v;
    if (typeof v[BYTES] === "string") {
      const raw = atob(v[BYTES]);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return new DataView(bytes.buffer);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  };
  const BYTES = %(bytes_key)s;
  const state = revive(%(state)s);
  const source = %(source)s;
  const el = document.getElementById(%(uid)s);
  const handlers = new Map();
  const model = {
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; (handlers.get("change:" + k) || []).slice().forEach((f) => f()); },
    on: (ev, f) => { for (const e of ev.split(" ")) handlers.set(e, [...(handlers.get(e) || []), f]); },
    off: (ev, f) => {
      if (!ev) { handlers.clear(); return; }
      handlers.set(ev, f ? (handlers.get(ev) || []).filter((g) => g !== f) : []);
    },
    save_changes() {},
    send() {},
  };
  // Import the bundle from a Blob URL, as anywidget does.
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    const mod = await import(url);
    el.replaceChildren();
    mod.default.render({ model, el });
  } catch (err) {
    el.textContent = "tokviz: could not draw this view (" + err + ")";
  } finally {
    URL.revokeObjectURL(url);
  }
})();"""


BYTES_KEY = "$tokviz_bytes"  # how a binary buffer is written in the page (base64)


def encode_bytes(value: Any) -> dict:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_KEY: base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot write {type(value).__name__} into a snapshot")


def _script_literal(value: Any) -> str:
    """`value` as a JavaScript literal that is safe inside an inline <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=encode_bytes)
    for ch, esc in _SCRIPT_ESCAPES.items():
        text = text.replace(ch, esc)
    return text


def _read_static(name: str) -> str:
    path = STATIC / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build the view with `npm --prefix js run build`")
    return path.read_text(encoding="utf-8")


def _fallback_text(kind: str, state: dict) -> str:
    """Plain text shown where scripts do not run (e.g. GitHub's notebook preview)."""
    if kind == "tokens":
        # The prompt's tokens, then the generated ones: the text as the model saw and wrote it.
        strips = [state[key] for key in ("analysis_data", "generation_data")]
        if any(strip.get("length") for strip in strips):
            return "".join(strip_text(strip) for strip in strips)
    return f"tokviz {kind} view (needs JavaScript)"


def snapshot_html(kind: str, state: dict, *, full_page: bool) -> str:
    """HTML that renders the `kind` view of `state` without a kernel.

    `state` maps trait names to values (the widget's synced traits); `_kind` and `interactive` are set
    here. `full_page=True` returns a complete document (for `to_html(path)`), otherwise a fragment for a
    notebook's text/html output; several fragments can share one page.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown view kind {kind!r}; expected one of {', '.join(KINDS)}")
    css = _read_static("widget.css")
    if "</" in css:  # our CSS never needs it, and it could close the <style> element
        raise ValueError("widget.css must not contain '</'")
    uid = f"tokviz-{uuid.uuid4().hex[:12]}"
    view_state = {**state, "_kind": kind, "interactive": False}
    loader = _LOADER % {
        "state": _script_literal(view_state),
        "source": _script_literal(_read_static("widget.js")),
        "uid": _script_literal(uid),
        "bytes_key": _script_literal(BYTES_KEY),
    }
    fallback = html.escape(_fallback_text(kind, view_state))
    fragment = (
        f'<div id="{uid}" class="tokviz-snapshot">'
        f'<pre class="tokviz-fallback" style="white-space:pre-wrap">{fallback}</pre></div>\n'
        f"<style>{css}</style>\n"
        f'<script type="module">{loader}</script>\n'
    )
    if not full_page:
        return fragment
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>tokviz: {html.escape(kind)} view</title>\n"
        "<style>body { margin: 24px; background: Canvas; color: CanvasText; }</style>\n"
        f"</head>\n<body>\n{fragment}</body>\n</html>\n"
    )
