// @ts-check
// The selected token (`selected`, w.selected_token): the strip marks it, and "clear selection" shows while
// there is one. The selection outlives its tooltip: that button and clicking the token again clear it.

import { h } from "../dom.js";
import { setTrait } from "../controls.js";

/**
 * @param {import("../types.js").Model} model @param {import("../dom.js").Disposer} d
 * @param {ReturnType<typeof import("../strip.js").createStrip>} strip
 * @param {import("../tooltip.js").Tooltip} tooltip the strip's tooltip
 * @returns {{clearButton: HTMLButtonElement, update: () => void}} update: show the `selected` trait
 */
export function selection(model, d, strip, tooltip) {
  const clearButton = h("button", { type: "button", class: "tvz-btn tvz-clear-selection", text: "clear selection" });
  d.listen(clearButton, "click", () => setTrait(model, "selected", {}));
  const update = () => {
    const sel = model.get("selected");
    const source = sel.source;
    strip.markSelected(source === "prompt" || source === "generated" ? sel : null);
    // Invisible, not removed, while there is nothing to clear: the button keeps its place in the settings
    // row, so selecting a token never wraps the row and moves the strip under its pinned tooltip.
    const idle = !strip.selectedSpan();
    clearButton.style.visibility = idle ? "hidden" : "";
    clearButton.disabled = idle;
    // Python cleared the selection (a new analysis): a tooltip pinned to the old token goes too.
    if (!source && tooltip.isPinned() && strip.el.contains(tooltip.anchor())) tooltip.unpin();
  };
  return { clearButton, update };
}
