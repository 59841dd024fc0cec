// @ts-check
// The two groups of settings: what the next Generate does (decoding), and how results are shown (display).
// Each field edits its own trait; Python validates and uses them.

import { h } from "../dom.js";
import { numberField, checkField, switchField } from "../controls.js";
import { stripTrait } from "./state.js";

/**
 * @typedef {import("../types.js").Model} Model
 * @typedef {import("../dom.js").Disposer} Disposer
 */

// The trait keeps "raw" / "sampled"; the buttons say what each means to someone new to sampling.
/** @type {[string, string][]} */
const PROB_MODE_CHOICES = [["raw", "model's probability"], ["sampled", "after temperature/top-k/top-p"]];

/**
 * A labelled group of controls.
 * @param {string} name @param {string} title @param {(Node | string)[]} children
 */
function group(name, title, children) {
  return h("fieldset", { class: `tvz-group tvz-group-${name}` }, [h("legend", { text: title }), ...children]);
}

/**
 * Max new tokens, sampling and its settings, beams, stop at newline.
 * @param {Model} model @param {Disposer} d
 * @param {Record<string, string>} unsupported what this model cannot do, each with Python's reason
 * @returns {{el: HTMLFieldSetElement, showSampling: () => void}}
 *   showSampling: greys the sampling settings out while `do_sample` is off
 */
export function decodingGroup(model, d, unsupported) {
  const samplingFields = [
    numberField(model, d, "temperature", { label: "temperature", title: "used only when sampling" }),
    numberField(model, d, "top_k", { label: "top-k", title: "sampling filter, used only when sampling" }),
    numberField(model, d, "top_p", { label: "top-p", title: "sampling filter, used only when sampling" }),
  ];
  const samplingHint = h("span", { class: "tvz-hint tvz-sampling-hint",
    text: "temperature, top-k and top-p apply only when \u201csample\u201d is ticked" });
  // A served model has no beam search: the field stays, disabled, with the reason as its title.
  const beamsField = numberField(model, d, "num_beams", { label: "beams" });
  if (unsupported.num_beams) {
    const input = beamsField.querySelector("input");
    if (input) input.disabled = true;
    beamsField.classList.add("tvz-off");
    beamsField.title = unsupported.num_beams;
  }
  const el = group("decoding", "Decoding \u2014 used by Generate", [
    numberField(model, d, "max_new_tokens", { label: "max new tokens" }),
    checkField(model, d, "do_sample", { label: "sample", title: "sample instead of greedy / beam search" }),
    ...samplingFields,
    beamsField,
    checkField(model, d, "stop_at_newline", { label: "stop at newline" }),
    samplingHint,
  ]);
  // Sampling settings do nothing without sampling: say so rather than ignore them silently.
  const showSampling = () => {
    const sampling = !!model.get("do_sample");
    for (const field of samplingFields) {
      const input = field.querySelector("input");
      if (input) input.disabled = !sampling;
      field.classList.toggle("tvz-off", !sampling);
    }
    samplingHint.hidden = sampling;
  };
  return { el, showSampling };
}

/**
 * Says that a new number of alternatives needs a new run: the shown result holds only as many as it was
 * made with.
 * @param {Model} model @returns {{el: HTMLSpanElement, update: () => void}}
 */
export function nextRunHint(model) {
  const el = h("span", { class: "tvz-hint tvz-next-run" });
  const update = () => {
    const shown = stripTrait(model, "analysis_data").alternatives ?? stripTrait(model, "generation_data").alternatives;
    const wanted = model.get("alternatives");
    el.hidden = shown == null || shown === wanted;
    el.textContent = `alternatives ${wanted}: from the next Analyze / Generate (this result has ${shown})`;
  };
  return { el, update };
}

/**
 * Colouring, which probability generated tokens show, how many alternatives (interactive only), then the
 * given controls (clear selection, export).
 * @param {Model} model @param {Disposer} d
 * @param {{interactive: boolean, nextRun: HTMLElement, extra: HTMLElement[]}} o
 */
export function displayGroup(model, d, o) {
  return group("display", "Display", [
    switchField(model, d, "color_by", { label: "colour by", choices: [["prob", "probability"], ["rank", "rank"], ["entropy", "entropy"]] }),
    switchField(model, d, "prob_mode", { label: "generated", choices: PROB_MODE_CHOICES }),
    ...(o.interactive ? [numberField(model, d, "alternatives", { label: "alternatives", title: "candidates shown per token" }),
      o.nextRun] : []),
    ...o.extra,
  ]);
}
