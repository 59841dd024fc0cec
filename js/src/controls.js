// @ts-check
// Labelled inputs bound two-way to model traits, switches, and the colour legend.

import { h } from "./dom.js";
import { legendStops } from "./colors.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./dom.js").Disposer} Disposer
 */

/**
 * The value of the first of `names` that the model has (undefined for none). Lets the view accept a
 * trait under its documented name and the name the Python class uses (e.g. `analysis_data`).
 * @param {Model} model @param {string[]} names
 */
export function readTrait(model, names) {
  for (const n of names) {
    const v = model.get(n);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** @param {Model} model @param {string} name @param {any} value */
export function setTrait(model, name, value) {
  model.set(name, value);
  model.save_changes();
}

/**
 * A labelled number input bound to an int or float trait.
 * @param {Model} model @param {Disposer} d @param {string} name
 * @param {{label: string, min?: number, max?: number, step?: number, int?: boolean, title?: string}} o
 */
export function numberField(model, d, name, o) {
  const input = h("input", {
    type: "number",
    class: "tvz-num",
    name,
    min: o.min,
    max: o.max,
    step: o.step ?? (o.int ? 1 : 0.1),
  });
  const sync = () => {
    const v = model.get(name);
    if (document.activeElement !== input || Number(input.value) !== v) input.value = v == null ? "" : String(v);
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  d.listen(input, "change", () => {
    let v = Number(input.value);
    if (input.value === "" || !Number.isFinite(v)) return sync(); // reject junk, show the trait again
    if (o.int) v = Math.round(v);
    if (o.min != null) v = Math.max(o.min, v);
    if (o.max != null) v = Math.min(o.max, v);
    setTrait(model, name, v);
    sync();
  });
  return h("label", { class: "tvz-field", title: o.title }, [h("span", { text: o.label }), input]);
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
