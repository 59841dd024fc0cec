// @ts-check
// In-context learning curve (`_kind` "icl"): probability of the answer vs number of shots, mean line
// with a min-max band over example orders; hovering a point shows that prompt's token strip beneath.

import { rovingFocus } from "./roving.js";
import { h, svg } from "./dom.js";
import { formatPercent, formatRank, formatBits } from "./format.js";
import { createTooltip } from "./tooltip.js";
import { createStrip } from "./strip.js";
import { decodeStrip } from "./token_table.js";
import { itemFinder, onItemHover } from "./hover.js";
import { legend } from "./controls.js";
import { chartAxes, spacedTicks, PERCENT_TICKS, percentTick } from "./axes.js";

const W = 520;
const H = 240;
const M = { left: 48, right: 16, top: 14, bottom: 36 };
const FRAME = { width: W, height: H, ...M };

/**
 * @typedef {{
 *   shots: number[], answer: string, mean: (number|null)[], low: (number|null)[], high: (number|null)[],
 *   first_mean: (number|null)[], rank_mean: (number|null)[], entropy_mean: (number|null)[],
 *   strips: import("./types.js").Strip[], unavailable?: Record<string, string>
 * }} Curve
 *   null: a number a served model's answer lacks (`unavailable` says why); it is left out of the lines
 */

/**
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {import("./dom.js").Disposer} d
 */
export function renderICL(model, root, d) {
  const tooltip = createTooltip(root, d);
  const plot = h("div", { class: "tvz-icl-plot" });
  const caption = h("div", { class: "tvz-icl-caption", "aria-live": "polite" });
  // Tooltips list every candidate the strip's payload carries (its `alternatives`).
  const strip = createStrip({ tooltip, disposer: d, options: () => ({ colorBy: "prob", probMode: "raw" }) });
  const lg = legend(() => "prob");
  const stripBox = h("div", { class: "tvz-icl-strip" }, [caption, lg.el, strip.el]);
  root.append(plot, stripBox);
  /** @type {SVGElement | null} */
  let active = null;

  /** @returns {Curve | null} */
  const curve = () => {
    const c = model.get("data");
    return c && Array.isArray(c.shots) && c.shots.length ? c : null;
  };

  /** @param {number} idx */
  const showShot = (idx) => {
    const c = curve();
    if (!c) return;
    if (active) active.classList.remove("tvz-active");
    active = plot.querySelector(`.tvz-point[data-i="${idx}"]`);
    if (active) active.classList.add("tvz-active");
    const k = c.shots[idx];
    const known = c.mean[idx] != null;
    caption.textContent = [
      `${k} shot${k === 1 ? "" : "s"}: mean p(answer) ${known ? formatPercent(c.mean[idx]) : "not reported by the server"}`,
      ...(known ? [`range ${formatPercent(c.low[idx])}\u2013${formatPercent(c.high[idx])}`] : []),
      `first token ${formatPercent(c.first_mean[idx])}`,
      `mean rank ${formatRank(c.rank_mean[idx])}`,
      `mean entropy ${formatBits(c.entropy_mean[idx])}`,
    ].join(" \u00b7 ");
    tooltip.unpin();
    strip.setPrompt({ ...c.strips[idx], ...decodeStrip(c.strips[idx]) });
  };

  const render = () => {
    plot.replaceChildren();
    active = null;
    const c = curve();
    if (!c) {
      plot.append(h("div", { class: "tvz-note", text: "No curve data." }));
      return;
    }
    const n = c.shots.length;
    const x0 = Math.min(...c.shots);
    const x1 = Math.max(...c.shots);
    /** @param {number} k */
    const sx = (k) => M.left + (x1 === x0 ? 0.5 : (k - x0) / (x1 - x0)) * (W - M.left - M.right);
    /** @param {number} p */
    const sy = (p) => M.top + (1 - Math.min(1, Math.max(0, p))) * (H - M.top - M.bottom);
    // A line over the known values; an unknown one (null) breaks it.
    /** @param {(number|null)[]} ys */
    const line = (ys) => ys.map((y, i) => y == null ? ""
      : `${i && ys[i - 1] != null ? "L" : "M"}${sx(c.shots[i]).toFixed(1)},${sy(y).toFixed(1)}`).join(" ").trim();

    const axes = chartAxes({
      frame: FRAME,
      x: { ticks: spacedTicks(c.shots, 12), at: sx, label: String, gap: 16 },
      y: { ticks: PERCENT_TICKS, at: sy, label: percentTick, gap: 6 },
      xTitle: { text: "shots (examples in the prompt)", rise: 4 },
    });

    // The min-max band: along the top edge, back along the bottom edge.
    const lower = c.low
      .map((y, i) => [sx(c.shots[i]), sy(y ?? 0)])
      .reverse()
      .map(([x, y]) => `L${x.toFixed(1)},${y.toFixed(1)}`)
      .join(" ");
    const whole = c.low.every((y) => y != null) && c.high.every((y) => y != null);
    const layers = [
      axes,
      ...(whole ? [svg("path", { class: "tvz-band", d: `${line(c.high)} ${lower} Z` })] : []),
      svg("path", { class: "tvz-line tvz-line-first", d: line(c.first_mean) }),
      svg("path", { class: "tvz-line", d: line(c.mean) }),
    ];
    const points = svg("g", { class: "tvz-points" });
    c.mean.forEach((p, i) => {
      // An unknown mean sits hollow on the axis: its prompt can still be hovered.
      const cls = p == null ? "tvz-point tvz-point-unknown" : "tvz-point";
      const label = `${c.shots[i]} shots: ${p == null ? "not reported by the server" : formatPercent(p)}`;
      points.append(svg("circle", { class: cls, cx: sx(c.shots[i]), cy: sy(p ?? 0), r: 5, tabindex: -1, "data-i": i, "aria-label": label }));
    });
    layers.push(points);
    const chart = svg("svg", { class: "tvz-icl-svg", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "answer probability vs shots" }, layers);
    plot.append(
      h("div", { class: "tvz-sub" }, [
        "P(answer ",
        h("span", { class: "tvz-answer", text: c.answer || "" }),
        ") vs shots: mean line, min\u2013max band over example orders",
        ", dashed = first answer token",
        ". Hover a point for its prompt.",
      ]),
      chart,
      ...Object.entries(c.unavailable ?? {}).map(([name, why]) =>
        h("div", { class: "tvz-note tvz-unavailable-note", text: `Not available (${name.replace(/_/g, " ")}): ${why}` })),
    );
    showShot(n - 1);
    focus.refresh();
  };

  onItemHover(d, plot, itemFinder(plot, ".tvz-point"), (point) => showShot(Number(point.getAttribute("data-i"))));
  const focus = rovingFocus(d, plot, ".tvz-point");
  d.onModel(model, "change:data", render);
  render();
}
