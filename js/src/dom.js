// @ts-check
// Tiny DOM helpers. Data only ever reaches the page as text nodes or attribute values set by name from
// this code (never innerHTML), so token text such as "<img onerror=...>" stays text.

import { plainLabel } from "./format.js";

/**
 * @typedef {Record<string, string | number | boolean | null | undefined>} Attrs
 * @typedef {Node | string | null | undefined | false} Child
 */

/**
 * Create an HTML element. `class` sets className, `text` sets textContent, other keys are attributes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {Child[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children) if (c) el.append(c); // strings become text nodes
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Create an SVG element.
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {Child[]} [children]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, children = []) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  setAttrs(el, attrs);
  for (const c of children) if (c) el.append(c);
  return el;
}

/** @param {Element} el @param {Attrs} attrs */
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") el.setAttribute("class", String(v));
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

/** Collects cleanup callbacks; `dispose()` runs them once, newest first. */
export class Disposer {
  constructor() {
    /** @type {(() => void)[]} */
    this.fns = [];
  }
  /** @param {() => void} fn */
  add(fn) {
    this.fns.push(fn);
  }
  /**
   * addEventListener that is undone on dispose.
   * @param {EventTarget} target @param {string} type @param {(ev: any) => void} fn
   * @param {AddEventListenerOptions | boolean} [opts]
   */
  listen(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.add(() => target.removeEventListener(type, fn, opts));
  }
  /**
   * model.on that is undone on dispose.
   * @param {import("./types.js").Model} model @param {string} event @param {(...args: any[]) => void} fn  (msg:custom handlers get the message)
   */
  onModel(model, event, fn) {
    model.on(event, fn);
    this.add(() => model.off(event, fn));
  }
  dispose() {
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        fn();
      } catch (e) {
        console.warn("tokviz cleanup", e);
      }
    }
  }
}

/**
 * DOM for a token display: text with faint whitespace markers and real line breaks, byte badges, or a
 * special-token tag.
 * @param {import("./format.js").Display} d
 * @param {{breaks?: boolean}} [opts] breaks: put a <br> after newline markers (strip only)
 * @returns {DocumentFragment}
 */
export function displayNode(d, opts = {}) {
  const frag = document.createDocumentFragment();
  if (d.kind === "text") {
    for (const s of d.segments) {
      if (s.kind === "text") frag.append(s.text);
      else if (s.kind === "ws") frag.append(h("span", { class: "tvz-ws", text: s.text }));
      else if (opts.breaks) frag.append(h("br"));
    }
    for (const b of d.pending || []) frag.append(h("span", { class: "tvz-byte", text: b }));
  } else if (d.kind === "bytes") {
    for (const b of d.bytes) frag.append(h("span", { class: "tvz-byte", text: b }));
  } else if (d.kind === "special") {
    frag.append(h("span", { class: "tvz-special", text: d.name }));
  } else {
    frag.append(h("span", { class: "tvz-ws", text: plainLabel(d) }));
  }
  return frag;
}
