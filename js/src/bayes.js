// @ts-check
// In-context learning as Bayesian updating (`_kind` "bayes"): the model's probability of an outcome after n
// observations, beside the Dirichlet posterior predictive with the fitted prior, Laplace's rule and the
// running frequency. One group of sequences (one hidden distribution) at a time: the model's mean with a
// min-max band over the group's sequences, the references' means, and one point per sequence and n;
// hovering (or focusing) a point shows that prompt and its outcome probabilities, and traces its sequence.

import { rovingFocus } from "./roving.js";
import { h, svg, displayNode, Disposer } from "./dom.js";
import { formatPercent, formatNumber, textSegments } from "./format.js";
import { createTooltip } from "./tooltip.js";
import { itemFinder, itemTooltips, onItemHover } from "./hover.js";
import { switchField } from "./controls.js";
import { chartAxes, spacedTicks, PERCENT_TICKS, percentTick } from "./axes.js";

const W = 600;
const H = 280;
const M = { left: 48, right: 16, top: 14, bottom: 38 };
const FRAME = { width: W, height: H, ...M };
/** Characters of the prompt shown in a point's tooltip (its end: what the model read last). */
const PROMPT_CHARS = 72;
/** Radius of a point. */
const R = 3.5;

/**
 * @typedef {(number | null)[]} Probs  one probability per outcome
 * @typedef {{
 *   label: string, hidden: Probs | null, sequences: number[],
 *   mean: Probs[], low: Probs[], high: Probs[], bayes: Probs[], laplace: Probs[], frequency: (Probs | null)[]
 * }} Group
 * @typedef {{
 *   label: string, group: number, text: string, cuts: number[], observed: number[],
 *   p: Probs[], q: Probs[], outside: (number | null)[], bayes: Probs[], laplace: Probs[], frequency: (Probs | null)[]
 * }} Sequence
 * @typedef {{
 *   outcomes: string[], outcome_tokens: string[], n: number[], alpha: number, strength: number,
 *   alpha_at_bound: boolean, alpha_windows: {first: number, last: number, alpha: number | null}[],
 *   summary: {tv: Record<Ref, number | null>, kl: Record<Ref, number | null>, outside: number | null},
 *   groups: Group[], sequences: Sequence[]
 * }} Bayes
 * @typedef {"bayes" | "laplace" | "frequency"} Ref
 */

/** The drawn series, in legend order: class (colour and dash pattern in widget.css) and name. */
const SERIES = /** @type {const} */ ([
  { key: "mean", cls: "tvz-bayes-model", name: "model (mean over the group's sequences)" },
  { key: "bayes", cls: "tvz-bayes-bayes", name: "Bayes, fitted \u03b1" },
  { key: "laplace", cls: "tvz-bayes-laplace", name: "Laplace's rule (\u03b1 = 1)" },
  { key: "frequency", cls: "tvz-bayes-frequency", name: "running frequency" },
]);
const REF_NAMES = /** @type {const} */ ({ bayes: "Bayes", laplace: "Laplace", frequency: "frequency" });

/** A number with 3 significant digits (alpha spans 0.001 to 1000). @param {number | null | undefined} x */
function sig3(x) {
  if (x == null || Number.isNaN(x)) return "\u2013";
  return String(Number(x.toPrecision(3)));
}

/** A divergence as sent; null means infinite (a reference gave 0 to an outcome). @param {number | null} x */
function divergence(x) {
  return x == null ? "\u221e" : formatNumber(x, 3);
}

/** "n 1", "n 2\u20133": a window of n. @param {{first: number, last: number}} w */
function windowName(w) {
  return w.first === w.last ? `n ${w.first}` : `n ${w.first}\u2013${w.last}`;
}

/**
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {Disposer} d
 */
export function renderBayes(model, root, d) {
  const tooltip = createTooltip(root, d);
  const sub = h("div", { class: "tvz-sub" });
  const controls = h("div", { class: "tvz-controls tvz-bayes-controls" });
  const plot = h("div", { class: "tvz-bayes-plot" });
  const key = h("div", { class: "tvz-bayes-legend", role: "list", "aria-label": "what the lines mean" });
  const summary = h("div", { class: "tvz-bayes-summary" });
  root.append(sub, controls, plot, key, summary);
  /** The switches' listeners, replaced when the payload (its groups or outcomes) changes. */
  let controlsD = new Disposer();
  d.add(() => controlsD.dispose());

  /** @returns {Bayes | null} */
  const data = () => {
    const b = model.get("data");
    return b && Array.isArray(b.groups) && b.groups.length ? b : null;
  };
  /** @param {Bayes} b */
  const groupIndex = (b) => Math.max(0, b.groups.findIndex((g) => g.label === model.get("group")));
  /** @param {Bayes} b */
  const outcomeIndex = (b) => Math.max(0, b.outcomes.indexOf(model.get("outcome")));

  /** The hovered sequence's own trajectory, from one path per sequence of the shown group. */
  const trace = svg("path", { class: "tvz-bayes-trace" });
  /** @type {Record<string, string>} */
  let paths = {};

  /** @param {HTMLElement | SVGElement} point */
  const content = (point) => {
    const b = data();
    if (!b) return document.createTextNode("");
    const s = Number(point.getAttribute("data-s"));
    const n = Number(point.getAttribute("data-n"));
    const seq = b.sequences[s];
    const chars = Array.from(seq.text).slice(0, seq.cuts[n]); // Python's offsets count code points
    const shown = chars.length > PROMPT_CHARS ? `\u2026${chars.slice(-PROMPT_CHARS).join("")}` : chars.join("");
    const next = b.outcomes[seq.observed[n]];
    const table = h("table", { class: "tvz-bayes-table" }, [
      h("thead", {}, [h("tr", {}, ["outcome", "model", "token p", "Bayes", "Laplace", "frequency"].map((t) => h("th", { text: t })))]),
      h("tbody", {}, b.outcomes.map((o, k) => h("tr", {}, [
        h("td", {}, [h("span", { class: "tvz-answer", text: o })]),
        h("td", { class: "tvz-bayes-q", text: formatPercent(seq.q[n][k]) }),
        h("td", { text: formatPercent(seq.p[n][k]) }),
        h("td", { text: formatPercent(seq.bayes[n][k]) }),
        h("td", { text: formatPercent(seq.laplace[n][k]) }),
        h("td", { text: seq.frequency[n] ? formatPercent(/** @type {Probs} */ (seq.frequency[n])[k]) : "undefined" }),
      ]))),
    ]);
    const frag = document.createDocumentFragment();
    frag.append(
      h("div", { class: "tvz-tip-title", text: `sequence ${s + 1} (${seq.label}), n = ${n}: ${n} outcome${n === 1 ? "" : "s"} seen` }),
      h("div", { class: "tvz-bayes-prompt" }, [displayNode({ kind: "text", segments: textSegments(shown) })]),
      h("div", { class: "tvz-tip-sub" }, ["what came next: ", h("span", { class: "tvz-answer", text: next })]),
      table,
      h("div", { class: "tvz-tip-sub", text: `model = token p normalised over the outcomes; other tokens: ${formatPercent(seq.outside[n])}` }),
    );
    return frag;
  };

  /** @param {HTMLElement | SVGElement} point */
  const traceSequence = (point) => {
    const s = point.getAttribute("data-s");
    trace.setAttribute("d", paths[String(s)] || "");
    for (const p of plot.querySelectorAll(".tvz-bayes-point.tvz-active")) p.classList.remove("tvz-active");
    for (const p of plot.querySelectorAll(`.tvz-bayes-point[data-s="${s}"]`)) p.classList.add("tvz-active");
  };

  const buildControls = () => {
    controlsD.dispose();
    controlsD = new Disposer();
    controls.replaceChildren();
    const b = data();
    if (!b) return;
    if (b.groups.length > 1) {
      controls.append(switchField(model, controlsD, "group", {
        label: "sequences drawn with",
        choices: b.groups.map((g) => [g.label, `${g.label} (${g.sequences.length})`]),
      }));
    }
    if (b.outcomes.length > 2) {
      controls.append(switchField(model, controlsD, "outcome", { label: "probability of", choices: b.outcomes.map((o) => [o, o]) }));
    }
  };

  const render = () => {
    plot.replaceChildren();
    key.replaceChildren();
    summary.replaceChildren();
    tooltip.dropDetached();
    const b = data();
    if (!b) {
      sub.textContent = "";
      plot.append(h("div", { class: "tvz-note", text: "No Bayesian ICL data." }));
      return;
    }
    const g = b.groups[groupIndex(b)];
    const k = outcomeIndex(b);
    const outcome = b.outcomes[k];
    sub.replaceChildren(
      `P(`, h("span", { class: "tvz-answer", text: outcome }),
      `) after n outcomes of ${g.label === "all sequences" ? "every sequence" : `the sequences drawn with ${g.label}`}: `,
      "the model's probability of the outcome's token, normalised over the outcomes, beside the Bayesian references. ",
      "Hover a point for its prompt.",
    );
    const ns = b.n;
    const x1 = Math.max(1, ns[ns.length - 1]);
    /** @param {number} n */
    const sx = (n) => M.left + (n / x1) * (W - M.left - M.right);
    /** @param {number} p */
    const sy = (p) => M.top + (1 - Math.min(1, Math.max(0, p))) * (H - M.top - M.bottom);
    /** A path through the defined values (null: a gap). @param {(number | null)[]} ys */
    const line = (ys) => {
      let out = "";
      let pen = false;
      ys.forEach((y, n) => {
        if (y == null) {
          pen = false;
          return;
        }
        out += `${pen ? "L" : "M"}${sx(n).toFixed(1)},${sy(y).toFixed(1)} `;
        pen = true;
      });
      return out.trim();
    };
    /** @param {(Probs | null)[]} rows */
    const column = (rows) => rows.map((r) => (r ? r[k] : null));

    const axes = chartAxes({
      frame: FRAME,
      x: { ticks: spacedTicks(ns, 16), at: sx, label: String, gap: 16 },
      y: { ticks: PERCENT_TICKS, at: sy, label: percentTick, gap: 6 },
      xTitle: { text: "n = outcomes seen before the prediction", rise: 4 },
    });

    const high = column(g.high);
    const low = column(g.low);
    const back = low
      .map((y, n) => [n, y])
      .filter(([, y]) => y != null)
      .reverse()
      .map(([n, y]) => `L${sx(/** @type {number} */ (n)).toFixed(1)},${sy(/** @type {number} */ (y)).toFixed(1)}`)
      .join(" ");
    const layers = [axes, svg("path", { class: "tvz-bayes-band", d: `${line(high)} ${back} Z` })];
    if (g.hidden) {
      const y = sy(/** @type {number} */ (g.hidden[k]));
      layers.push(svg("line", { class: "tvz-bayes-hidden", x1: M.left, x2: W - M.right, y1: y, y2: y }));
    }
    for (const s of SERIES.slice(1)) layers.push(svg("path", { class: `tvz-bayes-line ${s.cls}`, d: line(column(g[s.key])) }));
    layers.push(svg("path", { class: `tvz-bayes-line ${SERIES[0].cls}`, d: line(column(g.mean)) }));

    // One point per sequence and n, nudged sideways per sequence so that equal values stay apart.
    const points = svg("g", { class: "tvz-points" });
    paths = {};
    const m = g.sequences.length;
    // Apart by a point's width where there is room: 60% of the space between two n, shared by the sequences.
    // Where there is less, the points shrink (to radius 2) and may overlap: the one on top takes the pointer,
    // and the keyboard reaches every one.
    const spread = Math.min(2 * R + 1, ((W - M.left - M.right) / Math.max(1, ns.length)) * 0.6 / Math.max(1, m));
    const r = Math.max(2, Math.min(R, (spread - 0.5) / 2));
    g.sequences.forEach((s, j) => {
      const seq = b.sequences[s];
      const dx = (j - (m - 1) / 2) * spread;
      const ys = column(seq.q);
      paths[String(s)] = ys.map((y, n) => `${n ? "L" : "M"}${(sx(n) + dx).toFixed(1)},${sy(y ?? 0).toFixed(1)}`).join(" ");
      ys.forEach((y, n) => {
        if (y == null) return;
        points.append(svg("circle", {
          class: "tvz-bayes-point", cx: (sx(n) + dx).toFixed(2), cy: sy(y).toFixed(2), r: r.toFixed(2), tabindex: -1,
          "data-s": s, "data-n": n, "data-p": y,
          "aria-label": `sequence ${s + 1}, n = ${n}: model P(${outcome}) ${formatPercent(y)}`,
        }));
      });
    });
    trace.setAttribute("d", "");
    layers.push(trace, points);
    plot.append(svg("svg", { class: "tvz-bayes-svg", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `P(${outcome}) vs n: the model and the Bayesian references` }, layers));

    /** @param {string} cls @param {string} name @param {"line" | "band" | "point"} kind */
    const entry = (cls, name, kind) => {
      const mark = kind === "band"
        ? svg("rect", { class: cls, x: 1, y: 2, width: 26, height: 10 })
        : kind === "point" ? svg("circle", { class: cls, cx: 14, cy: 7, r: 3.5 })
          : svg("line", { class: `tvz-bayes-line ${cls}`, x1: 1, x2: 27, y1: 7, y2: 7 });
      return h("span", { class: "tvz-bayes-key", role: "listitem" }, [svg("svg", { width: 28, height: 14, "aria-hidden": "true" }, [mark]), name]);
    };
    key.append(...SERIES.map((s) => entry(s.cls, s.name, "line")), entry("tvz-bayes-band", "model: min\u2013max over the sequences", "band"), entry("tvz-bayes-point-key", "one sequence (hover)", "point"));
    if (g.hidden) key.append(entry("tvz-bayes-hidden", `hidden P(${outcome})`, "line"));

    const refs = /** @type {Ref[]} */ (["bayes", "laplace", "frequency"]);
    summary.append(
      h("div", { text: `Fitted prior: \u03b1 = ${sig3(b.alpha)} per outcome (${sig3(b.strength)} pseudo-observations in all; Laplace: \u03b1 = 1)${b.alpha_at_bound ? ", at the edge of the search range" : ""}.` }),
      h("div", { text: `\u03b1 fitted per window: ${b.alpha_windows.map((w) => `${windowName(w)}: ${sig3(w.alpha)}`).join(" \u00b7 ")}` }),
      h("div", { text: `Every sequence, n \u2265 1: mean |model \u2212 ref| ${refs.map((r) => `${REF_NAMES[r]} ${divergence(b.summary.tv[r])}`).join(" \u00b7 ")}; mean KL(model \u2016 ref) ${refs.map((r) => `${REF_NAMES[r]} ${divergence(b.summary.kl[r])}`).join(" \u00b7 ")} nats; mass on other tokens ${formatPercent(b.summary.outside)}.` }),
    );
    focus.refresh();
  };

  itemTooltips({ container: plot, tooltip, disposer: d, itemOf: itemFinder(plot, ".tvz-bayes-point"), content });
  onItemHover(d, plot, itemFinder(plot, ".tvz-bayes-point"), traceSequence);
  const focus = rovingFocus(d, plot, ".tvz-bayes-point");
  d.onModel(model, "change:data", () => {
    buildControls();
    render();
  });
  d.onModel(model, "change:group", render);
  d.onModel(model, "change:outcome", render);
  buildControls();
  render();
}
