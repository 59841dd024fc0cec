// @ts-check
// The prompt box and its Analyze / Generate / Stop buttons: the box edits the `prompt` trait, the buttons
// send their action to Python, Ctrl+Enter (Cmd+Enter) analyses.

import { h } from "../dom.js";
import { setTrait } from "../controls.js";
import { isBusy } from "./state.js";

/**
 * @param {import("../types.js").Model} model @param {import("../dom.js").Disposer} d
 * @returns {{el: HTMLDivElement, showBusy: (busy: boolean) => void}}
 *   showBusy: while a run is going only Stop is enabled
 */
export function promptRow(model, d) {
  const prompt = h("textarea", { class: "tvz-prompt", rows: 3, "aria-label": "Prompt", spellcheck: "false" });
  prompt.value = model.get("prompt");
  d.listen(prompt, "input", () => setTrait(model, "prompt", prompt.value));
  d.onModel(model, "change:prompt", () => {
    const v = model.get("prompt");
    if (prompt.value !== v) prompt.value = v;
  });
  /** @param {string} action */
  const act = (action) => model.send({ action });
  const bAnalyze = h("button", { type: "button", class: "tvz-btn tvz-primary", "data-action": "analyze", text: "Analyze" });
  const bGenerate = h("button", { type: "button", class: "tvz-btn", "data-action": "generate", text: "Generate" });
  const bStop = h("button", { type: "button", class: "tvz-btn", "data-action": "stop", text: "Stop" });
  d.listen(bAnalyze, "click", () => act("analyze"));
  d.listen(bGenerate, "click", () => act("generate"));
  d.listen(bStop, "click", () => act("stop"));
  d.listen(prompt, "keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      if (!isBusy(model)) act("analyze");
    }
  });
  const el = h("div", { class: "tvz-prompt-row" }, [
    prompt,
    h("div", { class: "tvz-actions" }, [bAnalyze, bGenerate, bStop]),
  ]);
  /** @param {boolean} busy */
  const showBusy = (busy) => {
    bAnalyze.disabled = busy;
    bGenerate.disabled = busy;
    bStop.disabled = !busy;
  };
  return { el, showBusy };
}
