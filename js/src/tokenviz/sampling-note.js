// @ts-check
// What the "after temperature/top-k/top-p" switch changed, in numbers Python measured on the run: shown
// above the strip while the switch is on, so a switch whose colours barely move still says what it did.

import { h } from "../dom.js";
import { formatPercent } from "../format.js";
import { stripTrait } from "./state.js";

/**
 * @typedef {import("../types.js").Model} Model
 * @typedef {{temperature: number, top_k: number|null, top_p: number|null, tokens: number, mean_p: number|null,
 *   mean_sp: number|null, raised: number, lowered: number, removed: number|null}} SamplingEffect
 */

/** What follows the switch and what does not (the prompt and the ranks have no sampled version). */
export const FOLLOWS_SWITCH = "Colours, candidate lists and the surprisal chart of the generated tokens show " +
  "these sampled probabilities (the model's own in grey beside them); the prompt, the ranks and the " +
  "distribution after the text stay the model's.";

/** @param {SamplingEffect} e */
export function settingsText(e) {
  const parts = [`temperature ${e.temperature}`];
  if (e.top_k != null) parts.push(`top-k ${e.top_k}`);
  if (e.top_p != null) parts.push(`top-p ${e.top_p}`);
  return parts.join(" \u00b7 ");
}

/** @param {SamplingEffect} e */
export function effectText(e) {
  if (!e.tokens) return `After ${settingsText(e)}: no sampled token yet.`;
  const moved = `${e.raised} made more likely, ${e.lowered} less`;
  const removed = e.removed == null ? "" : `; on average ${e.removed} of each token's listed candidates ` +
    "could not be drawn at all (removed)";
  return `After ${settingsText(e)} (this run's settings): the ${e.tokens} drawn tokens' mean probability is ` +
    `${formatPercent(e.mean_sp)}; the model gave them ${formatPercent(e.mean_p)} (${moved})${removed}.`;
}

/** Why the switch has nothing to show for a generation that was not sampled. */
export const NOT_SAMPLED = "This generation was not sampled (greedy or beam search), so there is no " +
  "\u201cafter temperature/top-k/top-p\u201d probability: everything shows the model's own.";

/** @param {Model} model */
export function samplingNote(model) {
  const el = h("div", { class: "tvz-sampling-effect", role: "status" });
  const update = () => {
    const g = stripTrait(model, "generation_data");
    const on = model.get("prob_mode") === "sampled" && (g.tokens?.length ?? 0) > 0;
    el.hidden = !on;
    if (!on) return;
    const effect = /** @type {SamplingEffect | undefined} */ (g.sampling_effect);
    el.replaceChildren(...(effect ? [h("div", { text: effectText(effect) }), h("div", { class: "tvz-note", text: FOLLOWS_SWITCH })]
      : [h("div", { text: NOT_SAMPLED })]));
  };
  return { el, update };
}
