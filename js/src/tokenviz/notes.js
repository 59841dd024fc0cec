// @ts-check
// The view's messages around the strip: Python's error, a note that the prompt has changed since the
// result, what to do when there is no result yet, and what the result cannot give and why.

import { h } from "../dom.js";
import { stripTrait } from "./state.js";

/**
 * @typedef {import("../types.js").Model} Model
 * @typedef {ReturnType<typeof import("../strip.js").createStrip>} TokenStrip
 */

/** Names of the numbers a result may lack, as the "Not available" list shows them. @type {Record<string, string>} */
const UNAVAILABLE_LABELS = {
  logprob: "some log-probabilities", rank: "rank beyond the top-k", first_prediction: "the second token's prediction",
  token_ids: "token ids", next: "the distribution after the text", sampled_prob: "sampled probability",
  prob: "the model's own probability", eos_token: "end-of-text token", token_text: "some token text",
  cut_off: "the rest of the generation",
};

/** Python's error message (`error`), hidden when there is none. @param {Model} model */
export function errorBox(model) {
  const el = h("div", { class: "tvz-error", role: "alert" });
  const update = () => {
    const msg = model.get("error") || "";
    el.textContent = msg;
    el.hidden = !msg;
  };
  return { el, update };
}

/**
 * The strip describes the text it was made for; once the prompt is edited, it no longer matches: the
 * strip is marked stale and this note says so.
 * @param {Model} model @param {TokenStrip} strip
 */
export function staleNote(model, strip) {
  const el = h("div", { class: "tvz-stale-note", role: "status" });
  const update = () => {
    const a = stripTrait(model, "analysis_data");
    const made = a.from_prompt ?? a.text; // a branch's cut prompt still comes from the prompt box's text
    const stale = made != null && made !== model.get("prompt");
    strip.el.classList.toggle("tvz-stale", stale);
    el.hidden = !stale;
    el.textContent = "The prompt has changed: the colours and perplexity below are for the previous prompt. " +
      "Press Analyze to update them.";
  };
  return { el, update };
}

/** What to do while the strip is empty. @param {boolean} interactive @param {TokenStrip} strip */
export function emptyNote(interactive, strip) {
  const el = h("div", { class: "tvz-empty", text: interactive
    ? "Nothing analysed yet: type a prompt above and press Analyze (Ctrl+Enter) to colour each token by " +
      "its probability, or Generate to continue it."
    : "This view holds no result." });
  const update = () => {
    el.hidden = strip.data.prompt.tokens.length + strip.data.generated.tokens.length > 0;
  };
  return { el, update };
}

/**
 * What the results cannot give and why (a served model's missing numbers), from Python's reasons.
 * @param {Model} model
 */
export function unavailableList(model) {
  const el = h("details", { class: "tvz-unavailable" });
  /** @param {string} name */
  const label = (name) => UNAVAILABLE_LABELS[name] ?? name.replace(/_/g, " ");
  const update = () => {
    const reasons = { ...(stripTrait(model, "analysis_data").unavailable ?? {}),
      ...(stripTrait(model, "generation_data").unavailable ?? {}) };
    const names = Object.keys(reasons);
    el.hidden = names.length === 0;
    el.replaceChildren(
      h("summary", { text: `Not available: ${names.map(label).join(", ")}` }),
      h("ul", {}, names.map((n) => h("li", {}, [
        h("span", { class: "tvz-unavailable-name", text: `${label(n)}: ` }),
        h("span", { text: reasons[n] }),
      ]))));
  };
  return { el, update };
}
