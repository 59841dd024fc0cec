// @ts-check
// Comparison (`_kind` "compare"): two results lined up unit by unit, side A over side B like an
// interlinear gloss. Each unit is coloured by the log-probability difference B − A on the diverging scale;
// the first unit where the texts differ is marked; hovering (or focusing) a unit shows both sides' tokens,
// probabilities, log-probabilities and the difference. Python sends every number; this file only draws.

import { h, displayNode } from "./dom.js";
import { tokenDisplay, plainLabel, formatPercent, formatNumber } from "./format.js";
import { diffColor, diffLegendStops } from "./colors.js";
import { createTooltip, statTable } from "./tooltip.js";
import { itemFinder, itemTooltips } from "./hover.js";
import { rovingFocus } from "./roving.js";

/**
 * @typedef {{id: number, t: string, p: number|null, lp: number|null, pending?: string, g?: number}} CmpTok
 * @typedef {{toks: CmpTok[], start: number, end: number, lp: number|null, p: number|null}} CmpSide
 * @typedef {{a: CmpSide|null, b: CmpSide|null, d: number|null}} CmpUnit
 * @typedef {{
 *   names: [string, string], models: [string, string], alignment: "characters"|"tokens", units: CmpUnit[],
 *   mean_d: number|null, ppl: [number|null, number|null], aligned: number, divergence: number|null,
 *   divergence_char: number|null, generated_from: [number|null, number|null],
 *   pieces: [import("./format.js").Pieces, import("./format.js").Pieces]
 * }} CmpPayload
 */

const SIDES = /** @type {const} */ (["a", "b"]);
const MINUS = "\u2212";

/**
 * A signed number as sent, with a real minus sign and a plus for positive values.
 * @param {number | null | undefined} x @param {number} [digits]
 */
export function signed(x, digits = 3) {
  if (x == null || Number.isNaN(x)) return "\u2013";
  const text = formatNumber(Math.abs(x), digits);
  if (Number(text) === 0) return formatNumber(0, digits);
  return `${x < 0 ? MINUS : "+"}${text}`;
}

/**
 * A perplexity as sent (4 significant digits): two decimals below 1,000, whole with thousands separators above.
 * @param {number | null | undefined} x
 */
export function formatPerplexity(x) {
  if (x == null || !Number.isFinite(x)) return formatNumber(x, 2);
  return x < 1000 ? x.toFixed(2) : Math.round(x).toLocaleString("en-US");
}

/**
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {import("./dom.js").Disposer} d
 */
export function renderCompare(model, root, d) {
  const tooltip = createTooltip(root, d);
  const head = h("div", { class: "tvz-cmp-head" });
  const summary = h("div", { class: "tvz-cmp-summary" });
  const grid = h("div", { class: "tvz-cmp-units", role: "group", "aria-label": "compared units, A over B" });
  root.append(head, summary, grid);

  /** @returns {CmpPayload | null} */
  const payload = () => {
    const c = model.get("data");
    return c && Array.isArray(c.units) && Array.isArray(c.names) ? c : null;
  };

  /** @param {HTMLElement | SVGElement} item */
  const content = (item) => {
    const c = payload();
    const i = Number(item.getAttribute("data-i"));
    return c ? unitTooltip(c, i) : h("span");
  };

  const render = () => {
    tooltip.unpin();
    grid.replaceChildren();
    const c = payload();
    if (!c) {
      head.replaceChildren();
      summary.replaceChildren();
      grid.append(h("div", { class: "tvz-note", text: "No comparison." }));
      return;
    }
    head.replaceChildren(sidesKey(c), diffLegend(), marksKey(c));
    summary.replaceChildren(...summaryParts(c));
    const frag = document.createDocumentFragment();
    frag.append(h("span", { class: "tvz-cmp-rowlabels", "aria-hidden": "true" }, [
      h("span", { class: "tvz-cmp-rowlabel", text: "A" }),
      h("span", { class: "tvz-cmp-rowlabel", text: "B" }),
    ]));
    c.units.forEach((u, i) => {
      if (i === c.divergence) {
        frag.append(h("span", { class: "tvz-cmp-divmark", title: "first difference", "aria-hidden": "true" }, [
          h("span", { class: "tvz-cmp-divflag", text: "\u2260" }),
        ]));
      }
      frag.append(unitEl(c, u, i));
    });
    grid.append(frag);
    focus.refresh();
  };

  itemTooltips({ container: grid, tooltip, disposer: d, itemOf: itemFinder(grid, ".tvz-cmp-unit"), content });
  const focus = rovingFocus(d, grid, ".tvz-cmp-unit");
  d.onModel(model, "change:data", render);
  render();
}

/**
 * One unit: side A's tokens over side B's, coloured by the difference.
 * @param {CmpPayload} c @param {CmpUnit} u @param {number} i
 */
function unitEl(c, u, i) {
  let cls = "tvz-cmp-unit";
  if (!u.a || !u.b) cls += " tvz-cmp-one";
  else if (u.d == null) cls += " tvz-cmp-nodiff";
  if (i === c.divergence) cls += " tvz-cmp-diverge";
  const el = h("span", { class: cls, tabindex: -1, "data-i": i, "aria-label": unitLabel(c, u, i) }, [
    cell(c, u.a, 0),
    cell(c, u.b, 1),
  ]);
  const color = diffColor(u.d);
  if (color) el.style.backgroundColor = color;
  return el;
}

/**
 * One side of a unit: its tokens drawn as in the strip (markers, byte badges, special tags), or a gap.
 * @param {CmpPayload} c @param {CmpSide | null} side @param {0 | 1} which
 */
function cell(c, side, which) {
  const el = h("span", { class: "tvz-cmp-cell", "data-side": SIDES[which] });
  if (!side) {
    el.classList.add("tvz-cmp-gap");
    el.append(h("span", { class: "tvz-cmp-gapmark", text: "\u2013" }));
    return el;
  }
  for (const tok of side.toks) el.append(tokenEl(tok, c.pieces[which]));
  return el;
}

/** @param {CmpTok} tok @param {import("./format.js").Pieces} pieces */
function tokenEl(tok, pieces) {
  const disp = tokenDisplay(tok, pieces);
  let cls = "tvz-cmp-tok";
  if (tok.g) cls += " tvz-cmp-gen";
  if (disp.kind === "bytes") cls += " tvz-partial";
  return h("span", { class: cls, "data-id": tok.id }, [displayNode(disp)]);
}

/** Plain one-line text of a side, for labels. @param {CmpSide | null} side @param {import("./format.js").Pieces} pieces */
function sideLabel(side, pieces) {
  return side ? side.toks.map((t) => plainLabel(tokenDisplay(t, pieces))).join("") : "";
}

/** @param {CmpPayload} c @param {CmpUnit} u @param {number} i */
function unitLabel(c, u, i) {
  const part = (/** @type {0|1} */ w) => {
    const side = w === 0 ? u.a : u.b;
    return side ? `${c.names[w]} ${sideLabel(side, c.pieces[w])} ${formatPercent(side.p)}` : `${c.names[w]} nothing`;
  };
  const diff = u.d == null ? "no difference" : `difference ${signed(u.d)} nats`;
  return `unit ${i}: ${part(0)}; ${part(1)}; ${diff}${i === c.divergence ? "; first difference" : ""}`;
}

/** Who is A and who is B. @param {CmpPayload} c */
function sidesKey(c) {
  const side = (/** @type {0|1} */ w) => h("span", { class: "tvz-cmp-side-key", "data-side": SIDES[w] }, [
    h("span", { class: "tvz-cmp-side-badge", text: w === 0 ? "A" : "B" }),
    h("span", { class: "tvz-cmp-side-name", text: c.names[w] }),
    c.models[w] && c.models[w] !== c.names[w] ? h("span", { class: "tvz-cmp-side-model", text: `(${c.models[w]})` }) : null,
    h("span", { class: "tvz-cmp-side-row", text: w === 0 ? "top row" : "bottom row" }),
  ]);
  return h("div", { class: "tvz-cmp-sides" }, [side(0), side(1)]);
}

/** The diverging scale: what the colours mean. */
function diffLegend() {
  return h("div", { class: "tvz-legend tvz-cmp-legend" }, [
    h("span", { class: "tvz-legend-text", text: "colour: log p difference B \u2212 A (nats), B less likely than A" }),
    ...diffLegendStops().map((s) => {
      const sw = h("span", { class: "tvz-swatch", text: s.label });
      sw.style.backgroundColor = s.color;
      return sw;
    }),
    h("span", { class: "tvz-legend-text tvz-cmp-legend-end", text: "more likely" }),
  ]);
}

/** What the marks mean. @param {CmpPayload} c */
function marksKey(c) {
  /** @param {string} cls @param {string} text @param {string} meaning */
  const entry = (cls, text, meaning) => h("span", { class: "tvz-key-entry" }, [
    h("span", { class: `tvz-key-mark ${cls}`, text }),
    h("span", { class: "tvz-key-meaning", text: meaning }),
  ]);
  const entries = [];
  if (c.alignment === "tokens") {
    entries.push(entry("tvz-cmp-key-div", "\u2260", "first difference"));
    entries.push(entry("tvz-cmp-key-one", "\u2013", "only in one text (no difference)"));
  }
  if (c.generated_from.some((g) => g != null)) entries.push(entry("tvz-key-gen", "abc", "generated"));
  entries.push(entry("tvz-cmp-key-none", "\u00a0\u00a0", "hatched: no difference, a side has no prediction (its first token)"));
  return h("div", { class: "tvz-key", role: "note", "aria-label": "what the marks mean" }, entries);
}

/** The summary line. @param {CmpPayload} c */
function summaryParts(c) {
  const parts = [
    h("span", { class: "tvz-cmp-mean", text: `mean B \u2212 A: ${signed(c.mean_d)} nats over ${c.aligned} unit${c.aligned === 1 ? "" : "s"}` }),
    h("span", { class: "tvz-cmp-ppl", text: `perplexity A ${formatPerplexity(c.ppl[0])}, B ${formatPerplexity(c.ppl[1])} (per token)` }),
  ];
  if (c.alignment === "characters") {
    parts.push(h("span", { class: "tvz-cmp-where", text: "one text, units aligned by character spans" }));
  } else if (c.divergence == null) {
    parts.push(h("span", { class: "tvz-cmp-where", text: "the texts are the same" }));
  } else {
    parts.push(h("span", { class: "tvz-cmp-where", text: `first difference at unit ${c.divergence} (character ${c.divergence_char}); later matches have different contexts` }));
  }
  return parts;
}

/**
 * The tooltip of unit i: both sides' tokens, probabilities and log-probabilities, and the difference.
 * @param {CmpPayload} c @param {number} i
 */
function unitTooltip(c, i) {
  const u = c.units[i];
  const title = i === c.divergence ? `Unit ${i} \u00b7 first difference` : `Unit ${i}`;
  const table = h("table", { class: "tvz-cmp-tip-table" });
  const header = h("tr", {}, [h("th", { text: "" })]);
  /** @type {Record<string, HTMLTableRowElement>} */
  const rows = {};
  for (const key of ["tokens", "probability", "log p", "characters"]) rows[key] = h("tr", {}, [h("th", { text: key === "log p" ? "log p (nats)" : key })]);
  SIDES.forEach((key, w) => {
    const side = u[key];
    header.append(h("th", { class: "tvz-cmp-tip-side", "data-side": key }, [
      h("span", { class: "tvz-cmp-side-badge", text: w === 0 ? "A" : "B" }), ` ${c.names[w]}`,
    ]));
    rows.tokens.append(h("td", { class: "tvz-cmp-tip-toks", "data-side": key }, side ? tipTokens(side, c.pieces[w]) : [h("span", { class: "tvz-note", text: "nothing here" })]));
    rows.probability.append(h("td", { class: "tvz-cmp-tip-p", "data-side": key, text: side ? formatPercent(side.p) : "" }));
    rows["log p"].append(h("td", { class: "tvz-cmp-tip-lp", "data-side": key, text: side ? formatNumber(side.lp, 3) : "" }));
    rows.characters.append(h("td", { class: "tvz-cmp-tip-span", "data-side": key, text: side ? `${side.start}\u2013${side.end}` : "" }));
  });
  table.append(h("thead", {}, [header]), h("tbody", {}, [rows.tokens, rows.probability, rows["log p"], rows.characters]));
  const diff = statTable([["B \u2212 A", u.d == null ? "\u2013" : `${signed(u.d)} nats`]]);
  diff.classList.add("tvz-cmp-tip-diff");
  diff.querySelector("dd")?.classList.add("tvz-cmp-tip-d");
  const swatch = diffColor(u.d);
  const dd = diff.querySelector("dd");
  if (dd && swatch) dd.style.backgroundColor = swatch;
  return h("div", { class: "tvz-cmp-tip" }, [
    h("div", { class: "tvz-tip-title", text: title }),
    table,
    diff,
    ...tipNotes(c, u, i).map((text) => h("div", { class: "tvz-note", text })),
  ]);
}

/** Tokens of one side, each with its own probability when the side has several.
 * @param {CmpSide} side @param {import("./format.js").Pieces} pieces */
function tipTokens(side, pieces) {
  if (side.toks.length === 1) return [h("span", { class: "tvz-tip-tok" }, [displayNode(tokenDisplay(side.toks[0], pieces))])];
  return side.toks.map((t) => h("div", { class: "tvz-cmp-tip-tokrow" }, [
    h("span", { class: "tvz-tip-tok" }, [displayNode(tokenDisplay(t, pieces))]),
    h("span", { class: "tvz-cmp-tip-tokp", text: formatPercent(t.p) }),
  ]));
}

/** Why a unit has no difference, and what its numbers mean. @param {CmpPayload} c @param {CmpUnit} u @param {number} i */
function tipNotes(c, u, i) {
  const notes = [];
  if (!u.a || !u.b) notes.push(`Only in ${u.a ? c.names[0] : c.names[1]}: nothing to compare it with.`);
  else if (u.d == null) notes.push("A side has no prediction here (its first token).");
  if (u.a && u.b && c.alignment === "characters" && (u.a.toks.length > 1 || u.b.toks.length > 1)) {
    notes.push("Several tokens: the probability of their text together, P(this text | everything before).");
  }
  if (u.a && u.b && c.divergence != null && i > c.divergence) notes.push("After the first difference: the contexts differ.");
  return notes;
}
