// @ts-check
// Reading the TokenViz traits the pieces share: the two strip traits as Python sends them, and whether a
// run is going.

/**
 * @typedef {import("../types.js").Model} Model
 * @typedef {import("../types.js").Strip} Strip
 * @typedef {Partial<Strip> & {text?: string, max_new_tokens?: number, sampled?: boolean, length?: number,
 *   ranks?: import("../charts.js").RankBands, next_rest?: number|null, next_h?: number|null,
 *   from_prompt?: string, branch_point?: number,
 *   sampling_effect?: import("./sampling-note.js").SamplingEffect}} SentStrip
 *   a strip trait as sent: `text` = the analysed text, `max_new_tokens` / `sampled` = the generation's,
 *   `ranks` / `next_rest` / `next_h` = the charts' numbers; `from_prompt` = the prompt box text the run
 *   came from (a branch cuts the prompt); `branch_point` = the generated token a branch forced in;
 *   `sampling_effect` = what a sampled run's temperature / top-k / top-p did
 */

import { decodeChunk, decodeStrip } from "../token_table.js";

const BUSY = new Set(["analyzing", "generating"]);

/**
 * @typedef {SentStrip & {tokens: import("../types.js").Tok[], pieces: import("../format.js").Pieces}} ShownStrip
 * @typedef {import("../token_table.js").Chunk} Chunk
 */

/** Decoded strips, by the trait value they came from (several pieces of the view read the same one). */
const decoded = new WeakMap();
/**
 * A long strip's chunks its trait does not carry, as they arrive (Python sends them when asked), per
 * model and trait: {key, chunks}. Views that share a model share them.
 * @type {WeakMap<Model, Map<string, {key: string, chunks: Chunk[], asked: boolean}>>}
 */
const received = new WeakMap();

/**
 * A strip trait (`analysis_data` / `generation_data`) with its tokens decoded: {} until there is a result.
 * A long strip whose trait carries only its first chunks shows those until the rest arrive.
 * @param {Model} model @param {"analysis_data" | "generation_data"} name @returns {ShownStrip}
 */
export function stripTrait(model, name) {
  const live = name === "generation_data" && streaming.get(model);
  if (live) return live;
  const sent = model.get(name) ?? {};
  if (!sent.chunks) return { ...sent, tokens: [], pieces: sent.pieces ?? {} };
  const apart = sent.key ? receivedFor(model, name, sent.key) : null;
  const count = apart ? apart.chunks.length : 0;
  const memo = decoded.get(sent);
  if (memo && memo.count === count) return memo.strip;
  const strip = { ...sent, ...decodeStrip(sent, apart ? apart.chunks : []) };
  decoded.set(sent, { count, strip });
  if (apart && !apart.asked && strip.tokens.length < (sent.length ?? 0)) {
    apart.asked = true; // once per strip: the answer is every chunk from the first missing one
    model.send({ action: "chunks", trait: name, key: sent.key, from: (sent.chunks ?? []).length + count });
  }
  return strip;
}

/** @param {Model} model @param {string} name @param {string} key */
function receivedFor(model, name, key) {
  let byTrait = received.get(model);
  if (!byTrait) received.set(model, (byTrait = new Map()));
  let held = byTrait.get(name);
  if (!held || held.key !== key) byTrait.set(name, (held = { key, chunks: [], asked: false }));
  return held;
}

/**
 * Keep a chunk Python sent apart; whether the strip it belongs to is now whole (time to draw it).
 * @param {Model} model @param {any} msg @param {DataView[]} [buffers] @returns {boolean}
 */
export function applyChunkMessage(model, msg, buffers = []) {
  if (msg.kind !== "strip_chunk") return false;
  const sent = model.get(msg.trait) ?? {};
  if (sent.key !== msg.key) return false; // a strip no longer shown
  const held = receivedFor(model, msg.trait, msg.key);
  if (msg.index !== (sent.chunks ?? []).length + held.chunks.length) return false; // a repeat, or out of order
  const chunk = { ...msg.chunk, data: buffers[0] };
  held.chunks.push(chunk);
  return chunk.start + chunk.length >= (sent.length ?? 0);
}

/**
 * The generation streaming in, assembled from Python's deltas (each new token sent once); while it lasts,
 * it is what `stripTrait(model, "generation_data")` reads. Views that share a model share it.
 * @type {WeakMap<Model, ShownStrip>}
 */
const streaming = new WeakMap();

/**
 * Apply one of Python's stream messages (`generation_delta` / `generation_end`); whether the generation
 * shown changed. A delta that does not follow what this view holds (a view opened mid-stream) is skipped:
 * the view keeps the trait's generation until the stream ends and the result arrives.
 * @param {Model} model @param {any} msg @param {DataView[]} [buffers] @returns {boolean}
 */
export function applyStreamMessage(model, msg, buffers = []) {
  if (msg.kind === "generation_end") return streaming.delete(model);
  if (msg.kind !== "generation_delta") return false;
  const { kind: _, from, chunk, ...summary } = msg;
  const held = streaming.get(model);
  if (from !== 0 && (!held || held.tokens.length !== from)) return false;
  const pieces = from === 0 || !held ? {} : held.pieces;
  const tokens = decodeChunk({ ...chunk, data: buffers[0] }, pieces);
  // A new token list each time: the strip compares it with the list it drew, to append only the new tokens.
  streaming.set(model, { ...(from === 0 || !held ? {} : held), ...summary, pieces,
                         tokens: from === 0 || !held ? tokens : held.tokens.concat(tokens) });
  return true;
}

/** The stream is over once the result is the trait (also where an old end message was missed). @param {Model} model */
export const endStream = (model) => streaming.delete(model);

/** Whether Python is running an analysis or a generation (`status`). @param {Model} model */
export const isBusy = (model) => BUSY.has(model.get("status"));
