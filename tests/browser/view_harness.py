"""A fast harness for the widget's view: no Jupyter, just the built bundle in Chromium.

A loopback HTTP server serves one page and `tokviz/static/`. The page holds a ~20-line fake anywidget
`model` (get/set/on/off/save_changes/send, recording what is sent and saved) and imports
`tokviz/static/widget.js` through a Blob URL, exactly as anywidget does, then calls `render`.
(Chromium refuses to import ES modules from file://, hence the server.)
"""

from __future__ import annotations

import contextlib
import copy
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tokviz.widgets.snapshot import encode_bytes

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "tokviz" / "static"

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>tokviz view harness</title>
<link rel="stylesheet" href="/static/widget.css">
<style>body { margin: 16px; width: 900px; }</style></head>
<body><div id="w"></div>
<script type="module">
window.__sent = []; window.__saved = []; window.__dialogs = [];
// Binary buffers arrive from Python as base64 (see `page_value`); the view gets DataViews, as from anywidget.
const revive = (v) => {
  if (Array.isArray(v)) return v.map(revive);
  if (!v || typeof v !== "object") return v;
  if (typeof v["$tokviz_bytes"] === "string") {
    const raw = atob(v["$tokviz_bytes"]);
    return new DataView(Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
};
// The fake anywidget model: Backbone-like events, local state.
function makeModel(state) {
  const handlers = new Map();
  const fire = (ev, ...args) => (handlers.get(ev) || []).slice().forEach((f) => f(...args));
  return {
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; fire("change:" + k); fire("change"); },
    on: (ev, f) => { for (const e of ev.split(" ")) handlers.set(e, [...(handlers.get(e) || []), f]); },
    off: (ev, f) => {
      if (!ev) return handlers.clear();
      handlers.set(ev, f ? (handlers.get(ev) || []).filter((g) => g !== f) : []);
    },
    save_changes: () => window.__saved.push(JSON.parse(JSON.stringify(state))),
    send: (msg) => window.__sent.push(msg),
    listenerCount: () => [...handlers.values()].reduce((n, fs) => n + fs.length, 0),
    fire,
  };
}
// Import the bundle through a Blob URL, as anywidget does with `_esm`.
async function loadWidget() {
  if (!window.__mod) {
    const src = await (await fetch("/static/widget.js")).text();
    const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    window.__mod = await import(url);
    URL.revokeObjectURL(url);
  }
  return window.__mod.default;
}
window.mount = async (state) => {
  state = revive(state);
  const widget = await loadWidget();
  if (window.__cleanup) window.__cleanup();
  window.__sent = []; window.__saved = [];
  window.model = makeModel(state);
  const el = document.getElementById("w");
  window.__cleanup = await widget.render({ model: window.model, el });
};
// Python pushing a trait: the model changes and fires change events.
window.update = (k, v) => window.model.set(k, revive(v));
// Python sending a custom message (anywidget's "msg:custom").
window.receive = (msg, buffers) => window.model.fire("msg:custom", msg, revive(buffers || []));
// Render time of one view (ms), including style and layout.
window.timeRender = async (state) => {
  state = revive(state);
  const widget = await loadWidget();
  if (window.__cleanup) { window.__cleanup(); window.__cleanup = null; }
  const el = document.getElementById("w");
  const model = makeModel(state);
  const t0 = performance.now();
  const cleanup = await widget.render({ model, el });
  el.getBoundingClientRect();
  void document.body.offsetHeight;
  const ms = performance.now() - t0;
  window.model = model;
  window.__cleanup = cleanup;
  return ms;
};
window.__ready = true;
</script></body></html>
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/", "/index.html"):
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.startswith("/static/"):
            super().do_GET()
            return
        self.send_error(404)

    def translate_path(self, path):
        name = path.split("?", 1)[0].removeprefix("/static/")
        return str(STATIC / Path(name).name)  # only files directly in static/

    def log_message(self, format, *args):  # keep test output quiet
        pass


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """Serve the harness page on 127.0.0.1; yields its URL."""
    handler = functools.partial(_Handler, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class View:
    """One harness page: mount a view with a state, push trait updates, read what the view sent."""

    def __init__(self, page, url: str):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog):
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.goto(url)
        page.wait_for_function("window.__ready === true")

    def mount(self, state: dict[str, Any]) -> None:
        self.page.evaluate("s => window.mount(s)", page_value(state))

    def update(self, name: str, value: Any) -> None:
        self.page.evaluate("([k, v]) => window.update(k, v)", [name, page_value(value)])

    def receive(self, message: dict) -> None:
        """Python's widget.send(message, buffers) arriving in the view. A stream delta's binary chunk, which
        Python sends as the message's buffer, is in message["chunk"]["data"] (tests/strips.py)."""
        message = copy.deepcopy(message)
        data = message.get("chunk", {}).pop("data", None) if isinstance(message.get("chunk"), dict) else None
        buffers = [] if data is None else [data]
        self.page.evaluate("([m, b]) => window.receive(m, b)", [page_value(message), page_value(buffers)])

    def get(self, name: str) -> Any:
        return self.page.evaluate("k => window.model.get(k)", name)

    def sent(self) -> list[dict]:
        return self.page.evaluate("window.__sent")

    def saved(self) -> list[dict]:
        return self.page.evaluate("window.__saved")

    def cleanup(self) -> None:
        self.page.evaluate("() => { window.__cleanup(); window.__cleanup = null; }")

    def listener_count(self) -> int:
        return self.page.evaluate("window.model.listenerCount()")


def render_time_ms(page, payload: dict) -> float:
    """Milliseconds to render a TokenViz showing the analysis strip `payload` (style and layout included).

    `page` must already show the harness (see `View`). Used by the benchmarks; tests assert nothing
    about the number.
    """
    state = {**token_view_state(), "analysis_data": payload}
    return float(page.evaluate("s => window.timeRender(s)", page_value(state)))


def page_value(value: Any) -> Any:
    """`value` as the page can take it: binary buffers as base64, revived there into DataViews."""
    return json.loads(json.dumps(value, default=encode_bytes))


def token_view_state() -> dict:
    """A TokenViz's synced state without a model: the traits' defaults, and the number ranges of
    tokviz.core.decoding.LIMITS (alternatives: at least 1)."""
    from tokviz.core.decoding import LIMITS, Range
    from tokviz.widgets.widget import DECODING_TRAITS, TokenViz

    state = {name: trait.default() for name, trait in TokenViz.class_traits(sync=True).items()
             if name not in ("layout", "tabbable", "tooltip")}
    limits = {name: LIMITS[name] for name in DECODING_TRAITS} | {"alternatives": Range(low=1, integer=True)}
    return state | {"alternatives": 5, "limits": {name: r.to_json() for name, r in limits.items()}}
