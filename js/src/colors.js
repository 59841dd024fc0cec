// @ts-check
// Colour scales. The probability and rank scales are nine opaque steps whose colours live in palette.css, one
// set per theme (the view's root carries "tvz-dark" over a dark background, theme.js): a translucent swatch
// cannot stand out from both a white and a near-black background, and a surprising token must. Each step
// also names its ink (black or white), so the token's text stays readable on it.

import { natsToBits } from "./format.js";

/** How many steps the sequential scale has (palette.css defines --tvz-s0 .. --tvz-s8 and their inks). */
export const STEPS = 9;

/** Lowest probability on the scale (log10): anything at or below 1e-4 gets the "unlikely" end. */
export const PROB_LOG_MIN = -4;

/** @param {number} x */
const clamp01 = (x) => Math.min(1, Math.max(0, x));

/**
 * Position of a probability on the colour scale, 0 (p <= 1e-4) to 1 (p = 1), logarithmic because most
 * surprising tokens live between 1e-4 and 1e-1.
 * @param {number} p
 */
export function probUnit(p) {
  if (!(p > 0)) return 0;
  return clamp01((Math.log10(p) - PROB_LOG_MIN) / -PROB_LOG_MIN);
}

/**
 * The step (0 = unlikely .. STEPS - 1 = expected) of a position on the scale.
 * @param {number} u 0..1
 */
export function unitStep(u) {
  return Math.round(clamp01(u) * (STEPS - 1));
}

/**
 * Colour of a position on the scale: 0 = violet (unlikely) ... 1 = yellow (expected), as the theme draws it.
 * @param {number} u 0..1
 */
export function unitColor(u) {
  return `var(--tvz-s${unitStep(u)})`;
}

/**
 * Text colour that stays readable on unitColor(u).
 * @param {number} u 0..1
 */
export function unitInk(u) {
  return `var(--tvz-s${unitStep(u)}-ink)`;
}

/**
 * Background for a probability; null when the token has no prediction.
 * @param {number | null | undefined} p
 */
export function probColor(p) {
  return p == null ? null : unitColor(probUnit(p));
}

/**
 * Text colour on probColor(p); null when the token has no prediction.
 * @param {number | null | undefined} p
 */
export function probInk(p) {
  return p == null ? null : unitInk(probUnit(p));
}

/** Steps of the logit lens's linear top-1 scale (palette.css --tvz-l0 .. --tvz-l4): 0-20%, ..., 80-100%. */
export const LINEAR_STEPS = 5;

/**
 * The linear step of a probability: 0 for p < 20%, ..., LINEAR_STEPS - 1 for p >= 80%.
 * @param {number} p
 */
export function linearStep(p) {
  return Math.min(LINEAR_STEPS - 1, Math.max(0, Math.floor(p * LINEAR_STEPS)));
}

/** Rank buckets: rank 1, 2-10, 11-100, 101-1000, >1000, each at its place on the one scale. */
export const RANK_BUCKETS = Object.freeze([
  { max: 1, label: "1", unit: 1 },
  { max: 10, label: "2\u201310", unit: 0.75 },
  { max: 100, label: "11\u2013100", unit: 0.5 },
  { max: 1000, label: "101\u20131000", unit: 0.25 },
  { max: Infinity, label: ">1000", unit: 0 },
]);

/**
 * Index into RANK_BUCKETS for a 1-based rank; -1 when unknown.
 * @param {number | null | undefined} r
 */
export function rankBucket(r) {
  if (r == null || !(r >= 1)) return -1;
  return RANK_BUCKETS.findIndex((b) => r <= b.max);
}

/** @param {number | null | undefined} r */
export function rankColor(r) {
  const b = rankBucket(r);
  return b < 0 ? null : unitColor(RANK_BUCKETS[b].unit);
}

/** @param {number | null | undefined} r */
export function rankInk(r) {
  const b = rankBucket(r);
  return b < 0 ? null : unitInk(RANK_BUCKETS[b].unit);
}

/** Entropy (bits) at which the scale saturates. */
export const ENTROPY_MAX_BITS = 8;

/**
 * Entropy scale: one purple hue whose strength grows with uncertainty (0 bits = almost clear).
 * @param {number | null | undefined} nats
 */
export function entropyColor(nats) {
  if (nats == null || Number.isNaN(nats)) return null;
  return bitsColor(natsToBits(nats));
}

/** @param {number} bits */
function bitsColor(bits) {
  const u = clamp01(bits / ENTROPY_MAX_BITS);
  return `hsla(270, 70%, 55%, ${(0.05 + 0.5 * u).toFixed(3)})`;
}

/**
 * The probability the view shows for a token: raw `p`, or `sp` for generated tokens in "sampled" mode.
 * @param {{p?: number|null, sp?: number|null, g?: number}} tok
 * @param {"raw"|"sampled"} probMode
 */
export function shownProb(tok, probMode) {
  if (probMode === "sampled" && tok.g && tok.sp != null) return tok.sp;
  return tok.p ?? null;
}

/**
 * Background colour of a strip token under the chosen colouring.
 * @param {{p?: number|null, sp?: number|null, g?: number, r?: number|null, h?: number|null}} tok
 * @param {"prob"|"rank"|"entropy"} colorBy
 * @param {"raw"|"sampled"} probMode
 */
export function tokenColor(tok, colorBy, probMode) {
  if (colorBy === "rank") return rankColor(tok.r);
  if (colorBy === "entropy") return entropyColor(tok.h);
  return probColor(shownProb(tok, probMode));
}

/**
 * Text colour of a strip token under the chosen colouring; null keeps the theme's (entropy swatches are
 * translucent, so the theme's text stays readable on them).
 * @param {{p?: number|null, sp?: number|null, g?: number, r?: number|null, h?: number|null}} tok
 * @param {"prob"|"rank"|"entropy"} colorBy
 * @param {"raw"|"sampled"} probMode
 */
export function tokenInk(tok, colorBy, probMode) {
  if (colorBy === "rank") return rankInk(tok.r);
  if (colorBy === "entropy") return null;
  return probInk(shownProb(tok, probMode));
}

/**
 * Legend entries (colour + label) for a colouring.
 * @param {"prob"|"rank"|"entropy"} colorBy
 * @returns {{color: string, ink: string | null, label: string}[]}
 */
export function legendStops(colorBy) {
  if (colorBy === "rank") {
    return RANK_BUCKETS.map((b) => ({ color: unitColor(b.unit), ink: unitInk(b.unit), label: b.label }));
  }
  if (colorBy === "entropy") {
    return [0, 2, 4, 6, 8].map((bits) => ({
      color: bitsColor(bits),
      ink: null,
      label: bits === 8 ? "\u22658 bits" : `${bits}`,
    }));
  }
  return [1e-4, 1e-3, 1e-2, 0.1, 1].map((p) => ({
    color: unitColor(probUnit(p)),
    ink: unitInk(probUnit(p)),
    label: p >= 0.01 ? `${p * 100}%` : p === 1e-3 ? "0.1%" : "\u22640.01%",
  }));
}

// --- Diverging scale (CompareView): the log-probability difference B − A ---------------------------------

/** The difference (nats) at which the diverging scale saturates: B 55 times more, or less, likely than A. */
export const DIFF_MAX_NATS = 4;

/** Strongest alpha of the diverging swatches (at ±DIFF_MAX_NATS); weaker ones fade towards the theme. */
export const DIFF_ALPHA = 0.5;

/**
 * The diverging scale's two hues, ColorBrewer PuOr's ends: blue where B found the text less likely than A,
 * orange where more. Blue against orange survives protanopia, deuteranopia (blue vs yellow-brown) and
 * tritanopia (teal vs pink), and the strength of either grows with the size of the difference.
 */
export const DIFF_HUES = Object.freeze({
  less: Object.freeze([33, 102, 172]),
  more: Object.freeze([230, 97, 1]),
});

/**
 * Position of a difference on the diverging scale: -1 (B at least DIFF_MAX_NATS less likely) .. 0 (same)
 * .. 1 (at least DIFF_MAX_NATS more likely).
 * @param {number} d b - a, nats
 */
export function diffUnit(d) {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 0 : Math.sign(d);
  return Math.max(-1, Math.min(1, d / DIFF_MAX_NATS));
}

/**
 * Background for a log-probability difference (b - a, nats); null where there is none. The hue says which
 * side found the text more likely, the strength how much: alpha grows with the square root of the size, so
 * a difference of one nat already shows.
 * @param {number | null | undefined} d
 */
export function diffColor(d) {
  if (d == null || Number.isNaN(d)) return null;
  const u = diffUnit(d);
  const [r, g, b] = u < 0 ? DIFF_HUES.less : DIFF_HUES.more;
  return `rgba(${r}, ${g}, ${b}, ${(DIFF_ALPHA * Math.sqrt(Math.abs(u))).toFixed(3)})`;
}

/**
 * Legend entries of the diverging scale, from "B much less likely" to "B much more likely".
 * @returns {{color: string, label: string, d: number}[]}
 */
export function diffLegendStops() {
  return [-4, -2, -1, 0, 1, 2, 4].map((d) => ({
    d,
    color: /** @type {string} */ (diffColor(d)),
    label: d === 0 ? "0" : `${d <= -DIFF_MAX_NATS ? "\u2264" : d >= DIFF_MAX_NATS ? "\u2265" : ""}${d > 0 ? "+" : "\u2212"}${Math.abs(d)}`,
  }));
}
