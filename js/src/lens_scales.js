// @ts-check
// The lens grid's colour scales, one per measure Python sends: each bins its value into the lens's own
// five blue steps (palette.css --tvz-l*), darker = more of what the legend names. The next-token
// probability keeps the token strip's log scale and colours.

import { probColor, probInk, legendStops, linearStep, LINEAR_STEPS } from "./colors.js";

/**
 * Bins by upper bounds: value < bounds[0] -> step 0, ..., value >= bounds[3] -> step 4.
 * @param {number[]} bounds @param {boolean} reverse darker for smaller values
 */
function binned(bounds, reverse) {
  /** @param {number | null | undefined} v */
  const step = (v) => {
    if (v == null || !Number.isFinite(v)) return -1;
    let s = bounds.findIndex((b) => v < b);
    if (s < 0) s = bounds.length;
    return reverse ? LINEAR_STEPS - 1 - s : s;
  };
  return {
    color: (/** @type {number | null} */ v) => (step(v) < 0 ? null : `var(--tvz-l${step(v)})`),
    ink: (/** @type {number | null} */ v) => (step(v) < 0 ? null : `var(--tvz-l${step(v)}-ink)`),
  };
}

/** @param {string[]} labels in the order of the colour steps, lightest first */
const blueStops = (labels) =>
  labels.map((label, i) => ({ color: `var(--tvz-l${i})`, ink: `var(--tvz-l${i}-ink)`, label }));

/**
 * @typedef {{ text: string, stops: {color: string, ink?: string | null, label: string}[],
 *   color: (v: number | null) => string | null, ink: (v: number | null) => string | null,
 *   value: (L: any, l: number, i: number) => number | null }} LensScale
 */

/** @type {Record<string, LensScale>} */
export const LENS_SCALES = {
  top: {
    text: "Cell colour: how sure this layer is of its own top-1 token (its probability; linear steps of 20%, " +
      "in blue: not the token strip's colours):",
    stops: blueStops(Array.from({ length: LINEAR_STEPS }, (_, i) => `${(100 * i) / LINEAR_STEPS}\u2013${(100 * (i + 1)) / LINEAR_STEPS}%`)),
    color: (p) => (p == null ? null : `var(--tvz-l${linearStep(p)})`),
    ink: (p) => (p == null ? null : `var(--tvz-l${linearStep(p)}-ink)`),
    value: (L, l, i) => L.top[l][i][0][1],
  },
  target: {
    text: "Cell colour: probability this layer gives the token that actually comes next (log scale, the " +
      "token strip's colours):",
    stops: legendStops("prob"),
    color: probColor,
    ink: probInk,
    value: (L, l, i) => L.target_prob[l][i],
  },
  kl: {
    text: "Cell colour: KL(final layer \u2016 this layer), nats: how far this layer's whole distribution is " +
      "from the output's (darker = closer; in blue):",
    stops: blueStops(["\u226510", "3\u201310", "1\u20133", "0.1\u20131", "<0.1"]),
    ...binned([0.1, 1, 3, 10], true),
    value: (L, l, i) => (L.kl ? L.kl[l][i] : null),
  },
  rank: {
    text: "Cell colour: rank this layer gives the token that actually comes next (1 = its top-1; darker = " +
      "better; in blue):",
    stops: blueStops([">1000", "101\u20131000", "11\u2013100", "2\u201310", "1"]),
    ...binned([2, 11, 101, 1001], true),
    value: (L, l, i) => (L.target_rank ? L.target_rank[l][i] : null),
  },
  entropy: {
    text: "Cell colour: entropy of this layer's next-token distribution, nats (darker = more spread out; " +
      "in blue):",
    stops: blueStops(["<0.5", "0.5\u20131.5", "1.5\u20133", "3\u20136", "\u22656"]),
    ...binned([0.5, 1.5, 3, 6], false),
    value: (L, l, i) => (L.entropy ? L.entropy[l][i] : null),
  },
};

/** The colouring choices, in the switch's order. @type {[string, string][]} */
export const LENS_CHOICES = [
  ["top", "top-1 probability"],
  ["target", "next-token probability"],
  ["kl", "KL to final"],
  ["rank", "rank of next token"],
  ["entropy", "entropy"],
];
