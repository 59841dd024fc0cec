// @ts-check
// Reshape (`_kind` "reshape"): one position's next-token distribution before and after temperature, top-k
// and top-p. Sliders and number fields set the traits; Python reshapes its kept logits and sends
// `reshape_data` (docs/view-payload.md). The view draws those numbers and computes none.

import { h, svg, displayNode } from "./dom.js";
import { pieceDisplay, plainLabel, textSegments, formatPercent, formatBits, natsToBits } from "./format.js";
import { numberField, setTrait } from "./controls.js";
import { probBar } from "./bars.js";
import { rovingFocus } from "./roving.js";
import { chartAxes } from "./axes.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./dom.js").Disposer} Disposer
 * @typedef {import("./format.js").Pieces} Pieces
 * @typedef {"top-k" | "top-p" | "greedy"} Cut
 * @typedef {{id: number, r: number, raw: number, p: number, cut: Cut | null}} Row
 * @typedef {{
 *   settings: {temperature: number, top_k: number, top_p: number},
 *   rows: Row[], rest: {raw: number, p: number, count: number, kept: number},
 *   h_raw: number, h_tempered: number, h: number, kept: number, kept_mass: number,
 *   cut_k: number, cut_p: number, vocab: number,
 *   curve: {t: number[], h: number[]} | null,
 *   context: string, context_cut: boolean, actual: number | null, pieces: Pieces
 * }} ReshapeData
 */

/** The sliders' ranges (the number fields take any value the trait `limits` allow). */
const SLIDERS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  top_k: { min: 0, max: 100, step: 1 },
  top_p: { min: 0.01, max: 1, step: 0.01 },
};
/** While a slider is dragged, a setting goes to Python at most this often (ms). */
const SEND_EVERY_MS = 60;

/** Why a row has probability 0 after reshaping, in words. */
const CUT_TEXT = { "top-k": "cut by top-k", "top-p": "cut by top-p", greedy: "not the greedy choice" };

const CURVE = { w: 420, h: 130, left: 44, right: 12, top: 10, bottom: 30 };

/** @param {number} n */
const count = (n) => Math.round(n).toLocaleString("en-US");

/**
 * A range slider bound to a number trait. Dragging sends the value while it moves (at most every
 * SEND_EVERY_MS) and always on release; the slider follows the trait when Python or the number field
 * changes it (a value past its end puts it at that end). With `answered`, a value is sent only once Python
 * has answered the previous one (`answered.ready()`); meanwhile the newest is held and sent when the
 * answer comes (`answered.event`), so a slow kernel never gets a queue of stale settings.
 * @param {Model} model @param {Disposer} d @param {keyof typeof SLIDERS} name @param {string} label
 * @param {{event: string, ready: () => boolean}} [answered]
 */
export function slider(model, d, name, label, answered) {
  const { min, max, step } = SLIDERS[name];
  const input = h("input", { type: "range", class: "tvz-slider", name: `${name}-slider`, min, max, step,
    "aria-label": label });
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let lastSent = 0;
  let held = false;
  const send = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    held = false;
    lastSent = performance.now();
    const v = Number(input.value);
    if (v !== model.get(name)) setTrait(model, name, v);
  };
  d.listen(input, "input", () => {
    if (answered && !answered.ready()) {
      held = true;
      return;
    }
    const wait = SEND_EVERY_MS - (performance.now() - lastSent);
    if (wait <= 0) send();
    else if (!timer) timer = setTimeout(send, wait);
  });
  d.listen(input, "change", send);
  if (answered) {
    d.onModel(model, answered.event, () => {
      if (held && answered.ready()) send();
    });
  }
  d.add(() => {
    if (timer) clearTimeout(timer);
  });
  const sync = () => {
    const v = Number(model.get(name));
    if (Number(input.value) !== v) input.value = String(Math.min(max, Math.max(min, v)));
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  return input;
}

/**
 * @param {Model} model @param {HTMLElement} root @param {Disposer} d
 */
export function renderReshape(model, root, d) {
  const interactive = model.get("interactive") !== false;
  const heading = h("div", { class: "tvz-rs-heading" });
  /** @param {keyof typeof SLIDERS} name @param {string} label @param {string} hint */
  const control = (name, label, hint) => {
    const field = numberField(model, d, name, { label, title: hint });
    const range = slider(model, d, name, label, { event: "change:data", ready: () => !pending() });
    return h("div", { class: "tvz-rs-control", "data-setting": name }, [field, range,
      h("span", { class: "tvz-hint", text: hint })]);
  };
  const controls = h("fieldset", { class: "tvz-group tvz-rs-controls" }, [
    h("legend", { text: interactive ? "Sampling settings \u2014 the bars follow at once (the model does not run again)"
      : "Sampling settings (a saved view: changing them needs the running notebook)" }),
    control("temperature", "temperature", "divides the logits; 0 = greedy, < 1 sharper, > 1 flatter"),
    control("top_k", "top-k", "keep the k most probable tokens; 0 = off"),
    control("top_p", "top-p", "keep the most probable tokens until they hold p; 1 = off"),
  ]);
  if (!interactive) for (const input of controls.querySelectorAll("input")) input.disabled = true;
  const summary = h("div", { class: "tvz-rs-summary", "aria-live": "polite" });
  const rows = h("div", { class: "tvz-rs-rows", role: "list", "aria-label": "tokens before and after reshaping" });
  const curveBox = h("div", { class: "tvz-rs-curve" });
  root.append(heading, controls, summary, rows, curveBox);
  const focus = rovingFocus(d, rows, ".tvz-rs-tok-row");

  /** @returns {ReshapeData | null} */
  const data = () => {
    const r = model.get("data");
    return r && Array.isArray(r.rows) ? r : null;
  };

  /** The rows show older settings than the traits: Python has not answered the newest yet. */
  const pending = () => {
    const s = data()?.settings;
    return !!s && interactive && (s.temperature !== model.get("temperature") ||
      s.top_k !== model.get("top_k") || s.top_p !== model.get("top_p"));
  };
  const markPending = () => root.classList.toggle("tvz-rs-pending", pending());

  const render = () => {
    const r = data();
    rows.replaceChildren();
    curveBox.replaceChildren();
    if (!r) {
      heading.replaceChildren();
      summary.textContent = "";
      rows.append(h("div", { class: "tvz-note", text: "No distribution." }));
      return;
    }
    drawHeading(heading, r);
    drawSummary(summary, r);
    drawRows(rows, r);
    if (r.curve) curveBox.append(entropyCurve(r, interactive ? (t) => setTrait(model, "temperature", t) : null, d));
    focus.refresh();
    markPending();
  };

  d.onModel(model, "change:data", render);
  for (const name of Object.keys(SLIDERS)) d.onModel(model, `change:${name}`, markPending);
  render();
}

/** @param {HTMLElement} el @param {ReshapeData} r */
function drawHeading(el, r) {
  const context = h("span", { class: "tvz-rs-context" }, [
    r.context_cut ? "\u2026" : "",
    displayNode({ kind: "text", segments: textSegments(r.context) }),
  ]);
  const parts = [h("span", { text: "The next token after " }), context];
  if (r.actual != null) {
    parts.push(h("span", { text: " \u2014 the text went on with " }),
      h("span", { class: "tvz-rs-actual-tok" }, [displayNode(pieceDisplay(r.pieces[String(r.actual)]))]),
      h("span", { text: " (marked)" }));
  }
  el.replaceChildren(...parts);
}

/** @param {HTMLElement} el @param {ReshapeData} r */
function drawSummary(el, r) {
  const s = r.settings;
  /** @param {string} label @param {string} value @param {string} [key] */
  const item = (label, value, key) => h("span", { class: "tvz-rs-stat", "data-stat": key || label }, [
    h("span", { class: "tvz-rs-stat-label", text: label }), " ", h("b", { text: value })]);
  const cuts = [];
  if (r.cut_k) cuts.push(`top-k cut ${count(r.cut_k)}`);
  if (r.cut_p) cuts.push(`top-p cut ${count(r.cut_p)}`);
  const stats = [
    item("entropy before", formatBits(r.h_raw), "h_raw"),
    item("after", formatBits(r.h), "h"),
    s.temperature > 0 && (r.cut_k || r.cut_p)
      ? item("temperature alone", formatBits(r.h_tempered), "h_tempered") : null,
    item("tokens kept", `${count(r.kept)} of ${count(r.vocab)}`, "kept"),
    s.temperature > 0
      ? item("they held", `${formatPercent(r.kept_mass)} of the tempered probability`, "kept_mass")
      : item("greedy", "all probability on the most probable token", "greedy"),
    cuts.length ? h("span", { class: "tvz-rs-stat tvz-hint", "data-stat": "cuts", text: cuts.join(", ") }) : null,
  ];
  el.replaceChildren(...stats.filter((x) => x !== null));
}

/** @param {HTMLElement} list @param {ReshapeData} r */
function drawRows(list, r) {
  const displays = r.rows.map((row) => pieceDisplay(r.pieces[String(row.id)]));
  const longest = Math.max(10, ...displays.map((dd) => Array.from(plainLabel(dd)).length));
  list.style.setProperty("--tvz-rs-tok-w", `${Math.min(18, longest) + 1}ch`);
  list.append(h("div", { class: "tvz-rs-row tvz-rs-head", "aria-hidden": "true" }, [
    h("span", { class: "tvz-rs-rank", text: "rank" }), h("span", { text: "token" }),
    h("span", { class: "tvz-rs-col", text: "before: the model's probability" }),
    h("span", { class: "tvz-rs-col", text: "after: the probability sampled from" }), h("span"),
  ]));
  r.rows.forEach((row, i) => {
    const actual = r.actual != null && row.id === r.actual;
    const cls = ["tvz-rs-row", "tvz-rs-tok-row", row.cut ? "tvz-rs-cut" : "", actual ? "tvz-rs-actual" : ""];
    const note = row.cut ? CUT_TEXT[row.cut] : "";
    list.append(h("div", {
      class: cls.filter(Boolean).join(" "), role: "listitem", tabindex: -1, "data-id": row.id,
      "data-cut": row.cut || "",
      "aria-label": `rank ${row.r}, ${plainLabel(displays[i])}: before ${formatPercent(row.raw)}, after ` +
        `${formatPercent(row.p)}${note ? `, ${note}` : ""}${actual ? ", the token that came next" : ""}`,
    }, [
      h("span", { class: "tvz-rs-rank", text: `#${count(row.r)}` }),
      h("span", { class: "tvz-rs-tok" }, [displayNode(displays[i])]),
      h("span", { class: "tvz-rs-before" }, [probBar(row.raw)]),
      h("span", { class: "tvz-rs-p tvz-rs-raw", text: formatPercent(row.raw) }),
      h("span", { class: "tvz-rs-after" }, [row.cut ? h("span", { class: "tvz-bar-track" }) : probBar(row.p)]),
      h("span", { class: "tvz-rs-p tvz-rs-new", text: formatPercent(row.p) }),
      h("span", { class: "tvz-rs-note" }, [
        note ? h("span", { class: "tvz-rs-cut-label", text: note }) : null,
        actual ? h("span", { class: "tvz-badge", text: "came next" }) : null,
      ]),
    ]));
  });
  const rest = r.rest;
  list.append(h("div", { class: "tvz-rs-row tvz-rs-rest", "data-id": "rest" }, [
    h("span", { class: "tvz-rs-tok", text: `all ${count(rest.count)} others` }),
    h("span", { class: "tvz-rs-before" }, [probBar(rest.raw)]),
    h("span", { class: "tvz-rs-p tvz-rs-raw", text: formatPercent(rest.raw) }),
    h("span", { class: "tvz-rs-after" }, [rest.p > 0 ? probBar(rest.p) : h("span", { class: "tvz-bar-track" })]),
    h("span", { class: "tvz-rs-p tvz-rs-new", text: formatPercent(rest.p) }),
    h("span", { class: "tvz-rs-note tvz-rs-cut-label", text: rest.kept ? `${count(rest.kept)} of them kept` : "" }),
  ]));
}

/**
 * Entropy (bits) of the reshaped distribution against temperature at the current top-k / top-p, the
 * current temperature marked. Clicking the plot sets the temperature to the nearest point of the curve.
 * @param {ReshapeData} r @param {((t: number) => void) | null} pick @param {Disposer} d
 */
function entropyCurve(r, pick, d) {
  const c = /** @type {{t: number[], h: number[]}} */ (r.curve);
  const { w, h: height, left, right, top, bottom } = CURVE;
  const bits = c.h.map(natsToBits);
  const tMax = c.t[c.t.length - 1] || 1;
  const hMax = Math.max(0.5, Math.ceil(Math.max(...bits, natsToBits(r.h)) * 2) / 2);
  /** @param {number} t */
  const sx = (t) => left + (Math.min(t, tMax) / tMax) * (w - left - right);
  /** @param {number} b */
  const sy = (b) => top + (1 - b / hMax) * (height - top - bottom);
  const temperatures = [];
  for (let t = 0; t <= tMax + 1e-9; t += tMax > 2 ? 1 : 0.5) temperatures.push(t);
  /** @param {number} v */
  const short = (v) => `${+v.toFixed(2)}`;
  const axes = chartAxes({
    frame: { width: w, height, left, right, top, bottom },
    x: { ticks: temperatures, at: sx, label: short, gap: 14 },
    y: { ticks: [0, hMax / 2, hMax], at: sy, label: short, gap: 5 },
    xTitle: { text: "temperature", rise: 3 },
    yTitle: { text: "bits", x: 10 },
  });
  const line = bits.map((b, i) => `${i ? "L" : "M"}${sx(c.t[i]).toFixed(1)},${sy(b).toFixed(1)}`).join(" ");
  const t = r.settings.temperature;
  const hb = natsToBits(r.h);
  const marker = svg("g", { class: "tvz-rs-now" }, [
    svg("line", { class: "tvz-rs-now-line", x1: sx(t), x2: sx(t), y1: top, y2: height - bottom }),
    svg("circle", { class: "tvz-rs-now-dot", cx: sx(t), cy: sy(hb), r: 4 }),
  ]);
  const plot = svg("svg", {
    class: "tvz-rs-curve-svg", width: w, height, viewBox: `0 0 ${w} ${height}`, role: "img",
    "aria-label": `entropy against temperature; now ${formatBits(r.h)} at temperature ${t}`,
  }, [axes, svg("path", { class: "tvz-line", d: line }), marker]);
  if (pick) {
    plot.classList.add("tvz-rs-pickable");
    d.listen(plot, "click", (ev) => {
      const box = plot.getBoundingClientRect();
      const x = ((/** @type {MouseEvent} */ (ev).clientX - box.left) / Math.max(1, box.width)) * w;
      const at = ((x - left) / (w - left - right)) * tMax;
      let best = 0;
      c.t.forEach((ti, i) => { if (Math.abs(ti - at) < Math.abs(c.t[best] - at)) best = i; });
      pick(c.t[best]);
    });
  }
  const title = "Entropy of the distribution sampled from, at each temperature (top-k and top-p as set); " +
    `the dot is now: ${formatBits(r.h)} at temperature ${t}.` + (pick ? " Click to set the temperature." : "");
  return h("div", { class: "tvz-chart" }, [h("div", { class: "tvz-chart-title", text: title }), plot]);
}
