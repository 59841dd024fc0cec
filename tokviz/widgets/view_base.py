"""What every tokviz view shares: the one bundle, the static HTML snapshot, and no silently ignored
keyword arguments."""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as t

from ..errors import InvalidInputError

STATIC = Path(__file__).parent.parent / "static"


class View(anywidget.AnyWidget):
    """Shared base: the one bundle, the static snapshot, and no silently ignored keyword arguments."""

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"
    _kind = t.Unicode("tokens").tag(sync=True)
    interactive = t.Bool(True, help="False: read-only view (no prompt box, settings or buttons), as in snapshots"
                         ).tag(sync=True)

    def __init__(self, **kwargs):
        unknown = sorted(k for k in kwargs if not self.has_trait(k) or k.startswith("_"))
        if unknown:
            known = ", ".join(sorted(n for n in self.trait_names(sync=lambda v: v) if not n.startswith("_")))
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s) {unknown}; known: {known}")
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        # ipywidgets' default repr lists every changed trait, payloads included: far too long.
        return f"<{type(self).__name__} view>"

    def snapshot_state(self) -> dict:
        state = {name: getattr(self, name) for name in self.trait_names(sync=lambda v: v)
                 if not name.startswith("_") or name == "_kind"}
        state.pop("layout", None)
        state.pop("tabbable", None)
        state.pop("tooltip", None)
        state["interactive"] = False
        return state

    def _repr_mimebundle_(self, **kwargs):
        from .snapshot import snapshot_html

        bundle = super()._repr_mimebundle_(**kwargs)
        # Without a kernel (GitHub, nbviewer, nbconvert) the HTML snapshot shows the same view, read-only.
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/html"] = snapshot_html(self._kind, self.snapshot_state(), full_page=False)
        return bundle

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page of the current view (tooltips work without kernel or network)."""
        from .snapshot import snapshot_html

        html = snapshot_html(self._kind, self.snapshot_state(), full_page=True)
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html


class ResultView(View):
    """A view of one result: `XView(result, **traits)`. The result stays in `w.result`; what the view draws is
    the one synced trait `data`, made by the view's payload function from the result alone."""

    data = t.Dict({}, help="the result as the view draws it (docs/view-payload.md)").tag(sync=True)
    result_type: type | tuple = object  # what the view accepts

    def __init__(self, result, **traits):
        if not isinstance(result, self.result_type):
            names = " or ".join(c.__name__ for c in (self.result_type if isinstance(self.result_type, tuple)
                                                       else (self.result_type,)))
            raise InvalidInputError(f"{type(self).__name__} needs a {names}; got {type(result).__name__}")
        super().__init__(**traits)
        self.result = result
        self.data = self.payload(result)

    def payload(self, result) -> dict:
        raise NotImplementedError
