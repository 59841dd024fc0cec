// @ts-check
// Shared JSDoc types (no runtime code). Shapes follow docs/view-payload.md.

/**
 * The part of anywidget's model the view uses.
 * @typedef {{
 *   get: (name: string) => any,
 *   set: (name: string, value: any) => void,
 *   save_changes: () => void,
 *   on: (event: string, fn: (...args: any[]) => void) => void,
 *   off: (event?: string, fn?: (...args: any[]) => void) => void,
 *   send: (content: any, callbacks?: any, buffers?: any) => void,
 * }} Model
 */

/** @typedef {[number, number] | [number, number, number]} Cand  [token id, probability, sampled probability (a sampled token's candidates)] */

/**
 * @typedef {{
 *   id: number, t: string, p: number|null, r: number|null, h: number|null,
 *   top: Cand[]|null, pending?: string, g?: number, sp?: number|null,
 *   lp?: number|null, s?: number|null, f?: number, ss?: number|null
 * }} Tok
 */

/**
 * @typedef {{
 *   alternatives: number, pieces: import("./format.js").Pieces, tokens: Tok[], next?: Cand[],
 *   perplexity?: number|null, stopped_by?: string|null, unavailable?: Record<string, string>,
 *   beams?: {text: string, ids: number[], score: number, logprob_sum?: number, length?: number, length_penalty?: number}[],
 *   tree?: TreeNode[][]
 * }} Strip
 */

/**
 * A live beam after one step: `lp` / `p` are its token's log-probability / probability given the parent.
 * `best`: on the path of the best returned beam.
 * @typedef {{parent: number|null, id: number, score: number, lp: number, p: number, kept: boolean, best?: boolean}} TreeNode
 */

export {};
