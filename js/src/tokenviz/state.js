// @ts-check
// Reading the TokenViz traits the pieces share: the two strip traits as Python sends them, and whether a
// run is going.

/**
 * @typedef {import("../types.js").Model} Model
 * @typedef {import("../types.js").Strip} Strip
 * @typedef {Partial<Strip> & {text?: string, max_new_tokens?: number, sampled?: boolean,
 *   ranks?: import("../charts.js").RankBands, next_rest?: number|null, next_h?: number|null,
 *   from_prompt?: string, branch_point?: number,
 *   sampling_effect?: import("./sampling-note.js").SamplingEffect}} SentStrip
 *   a strip trait as sent: `text` = the analysed text, `max_new_tokens` / `sampled` = the generation's,
 *   `ranks` / `next_rest` / `next_h` = the charts' numbers; `from_prompt` = the prompt box text the run
 *   came from (a branch cuts the prompt); `branch_point` = the generated token a branch forced in;
 *   `sampling_effect` = what a sampled run's temperature / top-k / top-p did
 */

const BUSY = new Set(["analyzing", "generating"]);

/**
 * A strip trait (`analysis_data` / `generation_data`): {} until there is a result.
 * @param {Model} model @param {"analysis_data" | "generation_data"} name @returns {SentStrip}
 */
export const stripTrait = (model, name) => (name === "generation_data" && streaming.get(model)) || model.get(name);

/**
 * The generation streaming in, assembled from Python's deltas (each new token sent once); while it lasts,
 * it is what `stripTrait(model, "generation_data")` reads. Views that share a model share it.
 * @type {WeakMap<Model, SentStrip & {tokens: import("../types.js").Tok[], pieces: import("../format.js").Pieces}>}
 */
const streaming = new WeakMap();

/**
 * Apply one of Python's stream messages (`generation_delta` / `generation_end`); whether the generation
 * shown changed. A delta that does not follow what this view holds (a view opened mid-stream) is skipped:
 * the view keeps the trait's generation until the stream ends and the result arrives.
 * @param {Model} model @param {any} msg @returns {boolean}
 */
export function applyStreamMessage(model, msg) {
  if (msg.kind === "generation_end") return streaming.delete(model);
  if (msg.kind !== "generation_delta") return false;
  const { kind: _, from, tokens, pieces, ...summary } = msg;
  const held = streaming.get(model);
  if (from === 0) {
    streaming.set(model, { ...summary, tokens: [...tokens], pieces: { ...pieces } });
    return true;
  }
  if (!held || held.tokens.length !== from) return false;
  // A new token list each time: the strip compares it with the list it drew, to append only the new tokens.
  Object.assign(held.pieces, pieces);
  Object.assign(held, summary, { tokens: held.tokens.concat(tokens) });
  return true;
}

/** The stream is over once the result is the trait (also where an old end message was missed). @param {Model} model */
export const endStream = (model) => streaming.delete(model);

/** Whether Python is running an analysis or a generation (`status`). @param {Model} model */
export const isBusy = (model) => BUSY.has(model.get("status"));
