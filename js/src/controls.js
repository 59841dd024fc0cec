// @ts-check
// Labelled inputs bound two-way to model traits, switches, and the colour legend.

import { h } from "./dom.js";
import { legendStops } from "./colors.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./dom.js").Disposer} Disposer
 */

/** @param {Model} model @param {string} name @param {any} value */
export function setTrait(model, name, value) {
  model.set(name, value);
  model.save_changes();
}

/**
 * The allowed values of a number setting, as tokviz.analysis.decoding.Range sends them (trait `limits`).
 * @typedef {{low: number|null, high: number|null, integer: boolean, low_open: boolean, step: number,
 *   off: number|null}} Limit
 */

/**
 * The value to keep for a typed number: rounded to an integer where needed, clamped into the range; the
 * `off` value stays as it is. null: nothing acceptable (not a number, or at an open lower bound).
 * @param {number} v @param {Limit} limit
 * @returns {number | null}
 */
export function acceptNumber(v, limit) {
  if (!Number.isFinite(v)) return null;
  if (limit.off != null && v === limit.off) return v;
  let out = limit.integer ? Math.round(v) : v;
  if (limit.high != null) out = Math.min(limit.high, out);
  if (limit.low != null) {
    if (limit.low_open && out <= limit.low) return null;
    out = Math.max(limit.low, out);
  }
  return out;
}

/**
 * The range in words, for the field's title and its refusal note: "1 to 49152", "(0, 1]", ">= 1".
 * @param {Limit} limit
 */
export function rangeText(limit) {
  const { low, high } = limit;
  const off = limit.off != null ? `; ${limit.off} = off` : "";
  if (low != null && high != null) return `${limit.low_open ? "(" : "["}${low}, ${high}]${off}`;
  if (low != null) return `${limit.low_open ? ">" : "\u2265"} ${low}${off}`;
  return high != null ? `\u2264 ${high}${off}` : `any number${off}`;
}

/**
 * A labelled number input bound to an int or float trait, with min/max/step from the trait `limits`
 * (Python's one table of ranges). A typed value outside the range is clamped, one that cannot be
 * accepted is refused; either way the field shows what the trait now holds and a note says why.
 * @param {Model} model @param {Disposer} d @param {string} name
 * @param {{label: string, title?: string}} o
 */
export function numberField(model, d, name, o) {
  const input = h("input", { type: "number", class: "tvz-num", name });
  const note = h("span", { class: "tvz-field-note", role: "status" });
  const label = h("label", { class: "tvz-field" }, [h("span", { text: o.label }), input, note]);
  /** @returns {Limit} */
  const limit = () => model.get("limits")[name];
  const applyLimit = () => {
    const l = limit();
    const min = l.off != null && (l.low == null || l.off < l.low) ? l.off : l.low;
    input.min = min == null ? "" : String(min);
    input.max = l.high == null ? "" : String(l.high);
    input.step = String(l.step);
    label.title = [o.title, `allowed: ${rangeText(l)}`].filter(Boolean).join(" \u2014 ");
  };
  const sync = () => {
    const v = model.get(name);
    if (document.activeElement !== input || Number(input.value) !== v) input.value = v == null ? "" : String(v);
  };
  applyLimit();
  sync();
  d.onModel(model, "change:limits", applyLimit);
  d.onModel(model, `change:${name}`, sync);
  d.listen(input, "change", () => {
    const typed = input.value === "" ? NaN : Number(input.value);
    const v = acceptNumber(typed, limit());
    note.textContent = v === typed ? "" : `${o.label}: allowed ${rangeText(limit())}`;
    input.classList.toggle("tvz-adjusted", v !== typed);
    if (v !== null) setTrait(model, name, v);
    sync();
  });
  return label;
}

/**
 * A labelled checkbox bound to a bool trait.
 * @param {Model} model @param {Disposer} d @param {string} name @param {{label: string, title?: string}} o
 */
export function checkField(model, d, name, o) {
  const input = h("input", { type: "checkbox", name });
  const sync = () => {
    input.checked = !!model.get(name);
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  d.listen(input, "change", () => setTrait(model, name, input.checked));
  return h("label", { class: "tvz-field tvz-check", title: o.title }, [input, h("span", { text: o.label })]);
}

/**
 * A segmented switch (radio buttons) bound to a string trait.
 * @param {Model} model @param {Disposer} d @param {string} name
 * @param {{label: string, choices: [string, string][]}} o  choices: [value, label]
 */
export function switchField(model, d, name, o) {
  const group = h("span", { class: "tvz-switch", role: "radiogroup", "aria-label": o.label });
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  for (const [value, label] of o.choices) {
    const b = h("button", { type: "button", role: "radio", "data-value": value, text: label });
    d.listen(b, "click", () => setTrait(model, name, value));
    buttons.push(b);
    group.append(b);
  }
  const sync = () => {
    const v = model.get(name);
    for (const b of buttons) b.setAttribute("aria-checked", String(b.dataset.value === v));
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  return h("span", { class: "tvz-field" }, [h("span", { text: o.label }), group]);
}

const LEGEND_TEXT = {
  prob: "Probability the model gave each token given the text before it (log scale):",
  rank: "Rank of each token among all predictions at its position:",
  entropy: "Uncertainty (entropy, bits) of the prediction at each position:",
};

/**
 * Legend for a colouring, rebuilt when it changes.
 * @param {() => "prob"|"rank"|"entropy"} getMode
 */
export function legend(getMode) {
  const el = h("div", { class: "tvz-legend" });
  const update = () => {
    const mode = getMode();
    const stops = legendStops(mode);
    el.replaceChildren(
      h("span", { class: "tvz-legend-text", text: LEGEND_TEXT[mode] || "" }),
      ...stops.map((s) => {
        const sw = h("span", { class: "tvz-swatch", text: s.label });
        sw.style.backgroundColor = s.color;
        return sw;
      }),
    );
  };
  update();
  return { el, update };
}
