// @ts-check
// The busy line at the top of the view, where the reader looks after pressing a button: what Python is
// doing and how far it is (tokens scored of a long analysis, steps of a generation). Hidden when idle.

import { h } from "../dom.js";
import { stripTrait } from "./state.js";
import { progressText } from "./status.js";

/** @param {number} n */
const count = (n) => n.toLocaleString("en-US");

/** @param {import("../types.js").Model} model */
export function busyLine(model) {
  const text = h("span", { class: "tvz-busy-text" });
  const bar = /** @type {HTMLProgressElement} */ (h("progress", { class: "tvz-busy-bar", max: 1 }));
  const el = h("div", { class: "tvz-busy-line", role: "status", "aria-live": "polite" }, [text, bar]);
  const update = () => {
    const status = model.get("status");
    el.hidden = status !== "analyzing" && status !== "generating";
    if (el.hidden) return;
    if (status === "generating") {
      text.textContent = `Generating\u2026 ${progressText(stripTrait(model, "generation_data"), model.get("num_beams"))}`;
      bar.hidden = true;
      return;
    }
    const { done, total } = model.get("progress") ?? {};
    bar.hidden = !total;
    if (!total) {
      text.textContent = "Analyzing\u2026 reading the text";
      return;
    }
    bar.max = total;
    bar.value = done;
    text.textContent = done < total ? `Analyzing\u2026 ${count(done)} of ${count(total)} tokens scored`
      : `Analyzing\u2026 all ${count(total)} tokens scored; preparing the strip`;
  };
  return { el, update };
}
