// @ts-check
// Labelled inputs bound two-way to model traits, switches, and the colour legend.

import { h } from "./dom.js";
import { legendStops } from "./colors.js";
import { MARK, byteBadges } from "./format.js";

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
 * The allowed values of a number setting, as tokviz.core.decoding.Range sends them (trait `limits`).
 * @typedef {{low: number|null, high: number|null, integer: boolean, low_open: boolean, step: number,
 *   off: number|null}} Limit
 */

/**
 * Whether a typed number is allowed as it is: inside the range (not at an open end), an integer where
 * one is needed, or the `off` value. Nothing is clamped or rounded: a refused value is reported instead.
 * @param {number} v @param {Limit} limit
 */
export function acceptNumber(v, limit) {
  if (!Number.isFinite(v)) return false;
  if (limit.off != null && v === limit.off) return true;
  if (limit.integer && !Number.isInteger(v)) return false;
  if (limit.high != null && v > limit.high) return false;
  if (limit.low != null && (v < limit.low || (limit.low_open && v === limit.low))) return false;
  return true;
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
 * (Python's one table of ranges). A typed value the range does not allow is refused: the trait keeps its
 * value, the field keeps what was typed, marked, and a note says what is allowed.
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
  /** @param {string} message */
  const refuse = (message) => {
    note.textContent = message;
    input.classList.toggle("tvz-adjusted", message !== "");
  };
  const sync = () => {
    const v = model.get(name);
    if (document.activeElement !== input || Number(input.value) !== v) input.value = v == null ? "" : String(v);
    refuse(""); // the field shows the setting again
  };
  applyLimit();
  sync();
  d.onModel(model, "change:limits", applyLimit);
  d.onModel(model, `change:${name}`, sync);
  d.listen(input, "change", () => {
    const typed = input.value === "" ? NaN : Number(input.value);
    if (!acceptNumber(typed, limit())) {
      const what = input.value === "" ? "a number" : input.value;
      refuse(`${what} not used: ${o.label} allowed ${rangeText(limit())} (still ${model.get(name)})`);
      return;
    }
    refuse("");
    if (typed !== model.get(name)) setTrait(model, name, typed);
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

/** Arrow keys of a radio group: how far each moves the choice. */
const RADIO_KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/**
 * Arrow keys in a radio group: choose the next or previous button (wrapping round) and focus it.
 * @param {Disposer} d @param {Element} group @param {() => HTMLButtonElement[]} buttons (may change)
 * @param {(button: HTMLButtonElement) => void} choose
 */
export function radioKeys(d, group, buttons, choose) {
  d.listen(group, "keydown", (ev) => {
    const move = RADIO_KEYS[/** @type {keyof RADIO_KEYS} */ (/** @type {KeyboardEvent} */ (ev).key)];
    const all = buttons();
    const at = all.indexOf(/** @type {HTMLButtonElement} */ (ev.target));
    if (!move || at < 0) return;
    ev.preventDefault();
    const next = all[(at + move + all.length) % all.length];
    choose(next);
    next.focus();
  });
}

/**
 * A segmented switch bound to a string trait, as a radio group: one Tab stop (the chosen button), arrow
 * keys choose the next or previous option (wrapping round).
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
  radioKeys(d, group, () => buttons, (next) => setTrait(model, name, next.dataset.value));
  const sync = () => {
    const v = model.get(name);
    for (const b of buttons) {
      b.setAttribute("aria-checked", String(b.dataset.value === v));
      b.tabIndex = b.dataset.value === v ? 0 : -1;
    }
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
 * @param {() => string} [getNote] what else the colours mean now (e.g. the sampled-probability switch)
 */
export function legend(getMode, getNote) {
  const el = h("div", { class: "tvz-legend" });
  const update = () => {
    const mode = getMode();
    const stops = legendStops(mode);
    const note = getNote ? getNote() : "";
    el.replaceChildren(
      h("span", { class: "tvz-legend-text", text: (LEGEND_TEXT[mode] || "") + (note ? ` ${note}` : "") }),
      ...stops.map((s) => {
        const sw = h("span", { class: "tvz-swatch", text: s.label });
        sw.style.backgroundColor = s.color;
        if (s.ink) sw.style.color = s.ink;
        return sw;
      }),
    );
  };
  update();
  return { el, update };
}

/**
 * What the strip's marks mean: the same characters format.js draws for invisible text (MARK), a byte
 * badge, and the generated-token style, each next to its explanation.
 */
export function marksKey() {
  /** @param {string} cls @param {string} text @param {string} meaning */
  const entry = (cls, text, meaning) => h("span", { class: "tvz-key-entry" }, [
    h("span", { class: `tvz-key-mark ${cls}`, text }),
    h("span", { class: "tvz-key-meaning", text: meaning }),
  ]);
  return h("div", { class: "tvz-key", role: "note", "aria-label": "what the marks mean" }, [
    entry("tvz-ws", MARK.space, "a space"),
    entry("tvz-ws", MARK.newline, "a newline"),
    entry("tvz-ws", MARK.tab, "a tab"),
    entry("tvz-byte", byteBadges("e2")[0], "a byte: part of a character split across tokens"),
    entry("tvz-key-gen", "word", "a generated token (the prompt's tokens are upright)"),
  ]);
}
