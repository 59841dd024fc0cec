// @ts-check
// Axes of the line charts (the ICL curve, Bayesian updating, reshape's entropy curve): a grid line and a
// label at each y tick, labels under the x ticks, and the axis titles. The caller gives the scales, the
// ticks and their labels; the axes only draw them.

import { svg } from "./dom.js";

/**
 * @typedef {{width: number, height: number, left: number, right: number, top: number, bottom: number}} Frame
 *   the chart's size and the margins around its plot area (px)
 * @typedef {{ticks: number[], at: (v: number) => number, label: (v: number) => string, gap: number}} Axis
 *   at: where a tick sits on the chart; gap: how far its labels sit from the plot area (px)
 */

/** Labels sit this far below their y tick: text is placed by its baseline, so this centres it. */
const BASELINE = 4;

/**
 * @param {{frame: Frame, x: Axis, y: Axis, xTitle: {text: string, rise: number}, yTitle?: {text: string, x: number}}} o
 *   xTitle.rise: its baseline's height above the chart's bottom edge; yTitle.x: its centre, turned upright
 * @returns {SVGElement} a `g.tvz-axes`
 */
export function chartAxes(o) {
  const { frame: f, x, y } = o;
  const axes = svg("g", { class: "tvz-axes" });
  for (const v of y.ticks) {
    axes.append(
      svg("line", { class: "tvz-grid-line", x1: f.left, x2: f.width - f.right, y1: y.at(v), y2: y.at(v) }),
      svg("text", { x: f.left - y.gap, y: y.at(v) + BASELINE, "text-anchor": "end", text: y.label(v) }),
    );
  }
  for (const v of x.ticks) {
    axes.append(svg("text", { x: x.at(v), y: f.height - f.bottom + x.gap, "text-anchor": "middle", text: x.label(v) }));
  }
  axes.append(svg("text", { x: (f.left + f.width - f.right) / 2, y: f.height - o.xTitle.rise, "text-anchor": "middle",
    text: o.xTitle.text }));
  if (o.yTitle) {
    const mid = (f.top + f.height - f.bottom) / 2;
    axes.append(svg("text", { x: o.yTitle.x, y: mid, "text-anchor": "middle", transform: `rotate(-90 ${o.yTitle.x} ${mid})`,
      text: o.yTitle.text }));
  }
  return axes;
}

/**
 * At most about `most` of `values`, evenly spaced, always with the last one: the x ticks that get a label
 * when there are too many to label them all.
 * @param {number[]} values @param {number} most
 */
export function spacedTicks(values, most) {
  const every = Math.max(1, Math.ceil(values.length / most));
  return values.filter((_, i) => i % every === 0 || i === values.length - 1);
}

/** Probability ticks: 0, 25, 50, 75 and 100%. */
export const PERCENT_TICKS = [0, 0.25, 0.5, 0.75, 1];

/** A probability tick's label. @param {number} p */
export const percentTick = (p) => `${p * 100}%`;
