// @ts-check
// The status line under the strip: Python's state, the model, perplexity, token counts, why the
// generation stopped, and while generating how far it is.

import { h } from "../dom.js";
import { formatNumber } from "../format.js";
import { stripTrait } from "./state.js";

/**
 * @typedef {import("../types.js").Model} Model
 * @typedef {import("./state.js").SentStrip} SentStrip
 * @typedef {ReturnType<typeof import("../strip.js").createStrip>} TokenStrip
 */

/** How a stop reason reads in the status line (the others read as they are). @type {Record<string, string>} */
const STOP_LABELS = { cut_off: "cut off (the connection ended; the tokens so far are kept)" };

/**
 * How far a running generation is: tokens streamed of at most `max_new_tokens` (a beam search shows
 * its beams only at the end, so it has no count to give).
 * @param {SentStrip} g @param {number} numBeams
 */
export function progressText(g, numBeams) {
  if (g.max_new_tokens == null) return "";
  if (numBeams > 1) return `beam search, up to ${g.max_new_tokens} tokens: the beams appear when it ends`;
  return `step ${g.tokens?.length ?? 0} / ${g.max_new_tokens}`;
}

/**
 * The status line; its counts are of the tokens the strip shows.
 * @param {Model} model @param {TokenStrip} strip
 */
export function statusLine(model, strip) {
  const el = h("div", { class: "tvz-status", "aria-live": "polite" });
  const update = () => {
    const st = model.get("status");
    const a = stripTrait(model, "analysis_data");
    const g = stripTrait(model, "generation_data");
    const parts = [h("span", { class: `tvz-state tvz-state-${st}`, text: st })];
    const name = model.get("model_name");
    if (name) parts.push(h("span", { text: `model: ${name}` }));
    if (a.perplexity != null) parts.push(h("span", { text: `perplexity: ${formatNumber(a.perplexity, 2)}` }));
    const nPrompt = strip.data.prompt.tokens.length;
    const nGen = strip.data.generated.tokens.length;
    // A long strip shows its first chunks while the others arrive (Python sends them when asked).
    const promptOf = a.length != null && a.length > nPrompt ? ` of ${a.length} (the rest on its way)` : "";
    if (nPrompt) parts.push(h("span", { text: `${nPrompt}${promptOf} prompt tokens` }));
    if (nGen) parts.push(h("span", { text: `${nGen} generated` }));
    if (g.stopped_by) parts.push(h("span", { text: `stopped by: ${STOP_LABELS[g.stopped_by] ?? g.stopped_by}` }));
    const progress = st === "generating" ? progressText(g, model.get("num_beams")) : "";
    if (progress) parts.push(h("span", { class: "tvz-progress", text: progress }));
    el.replaceChildren(...parts);
  };
  return { el, update };
}
