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
export const stripTrait = (model, name) => model.get(name);

/** Whether Python is running an analysis or a generation (`status`). @param {Model} model */
export const isBusy = (model) => BUSY.has(model.get("status"));
