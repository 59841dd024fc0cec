// @ts-check
// Colour scales. Every colour is a semi-transparent swatch laid over the theme's own background, and text
// keeps the theme's colour, so tokens stay readable on light and dark themes alike.

import { natsToBits } from "./format.js";

/**
 * Alpha of token backgrounds: strong enough to tell the stops apart, weak enough that the theme's text
 * keeps a WCAG contrast of at least 4.5 on every swatch, light and dark (js/test/palette.test.js).
 */
export const ALPHA = 0.35;

/**
 * The sequential scale, low to high: viridis (matplotlib's, sampled at 9 points). Its lightness rises
 * steadily from dark violet to yellow, so the order survives every common colour-vision deficiency
 * (unlike a red-to-green hue scale, whose middle collapses to one khaki under deuteranopia).
 */
export const PALETTE = Object.freeze([
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
].map((c) => Object.freeze(c)));

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
 * Colour of a position on the scale: 0 = dark violet (unlikely) ... 1 = yellow (expected), interpolated
 * between the palette's samples.
 * @param {number} u 0..1
 * @param {number} [alpha]
 */
export function unitColor(u, alpha = ALPHA) {
  const x = clamp01(u) * (PALETTE.length - 1);
  const i = Math.min(PALETTE.length - 2, Math.floor(x));
  const f = x - i;
  const [r, g, b] = PALETTE[i].map((v, k) => Math.round(v + (PALETTE[i + 1][k] - v) * f));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * Background for a probability; null when the token has no prediction.
 * @param {number | null | undefined} p
 */
export function probColor(p) {
  return p == null ? null : unitColor(probUnit(p));
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
 * Legend entries (colour + label) for a colouring.
 * @param {"prob"|"rank"|"entropy"} colorBy
 * @returns {{color: string, label: string}[]}
 */
export function legendStops(colorBy) {
  if (colorBy === "rank") {
    return RANK_BUCKETS.map((b) => ({ color: /** @type {string} */ (rankColor(b.max === Infinity ? 1001 : b.max)), label: b.label }));
  }
  if (colorBy === "entropy") {
    return [0, 2, 4, 6, 8].map((bits) => ({
      color: bitsColor(bits),
      label: bits === 8 ? "\u22658 bits" : `${bits}`,
    }));
  }
  return [1e-4, 1e-3, 1e-2, 0.1, 1].map((p) => ({
    color: /** @type {string} */ (probColor(p)),
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
