// @ts-check
// Logit lens (`_kind` "lens"): a layers x positions grid. Each cell shows the layer's top-1 token,
// coloured by one measure Python sent (lens_scales.js); the pinned token's trajectory is drawn beside it.

import { h, displayNode } from "./dom.js";
import { pieceDisplay, tokenDisplay, plainLabel, formatPercent } from "./format.js";
import { LENS_SCALES, LENS_CHOICES } from "./lens_scales.js";
import { trajectoryPanel } from "./lens_trajectory.js";
import { createTooltip, statTable } from "./tooltip.js";
import { candidateBars } from "./bars.js";
import { itemFinder, itemTooltips } from "./hover.js";
import { switchField } from "./controls.js";
import { rovingFocus, linearStep } from "./roving.js";

/**
 * @typedef {{
 *   layers: number, positions: number, alternatives: number, pieces: import("./format.js").Pieces,
 *   input: number[], input_text: string[], target: (number|null)[],
 *   top: import("./types.js").Cand[][][], target_prob: (number|null)[][],
 *   first_correct: (number|null)[], settled: (number|null)[], lens_name?: string,
 *   target_rank?: (number|null)[][], kl?: number[][] | null, entropy?: number[][] | null
 * }} Lens
 */

/** @param {string} mode */
function lensLegend(mode) {
  const scale = LENS_SCALES[mode];
  return h("div", { class: "tvz-legend tvz-lens-legend" }, [
    h("span", { class: "tvz-legend-text", text: scale.text }),
    ...scale.stops.map((s) => {
      const sw = h("span", { class: "tvz-swatch", text: s.label });
      sw.style.backgroundColor = s.color;
      if (s.ink) sw.style.color = s.ink;
      return sw;
    }),
  ]);
}

/** @param {string} s */
const short = (s) => (Array.from(s).length > 9 ? `${Array.from(s).slice(0, 8).join("")}\u2026` : s);

/**
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {import("./dom.js").Disposer} d
 */
export function renderLens(model, root, d) {
  const tooltip = createTooltip(root, d);
  const grid = h("div", { class: "tvz-lens-grid", role: "grid", "aria-label": "logit lens" });
  const legendSlot = h("div", { class: "tvz-lens-legend-slot" });
  const note = h("div", { class: "tvz-lens-note" }, [
    h("span", { text: "Rows: layers, output layer at the top, layer 0 (embeddings) at the bottom. Columns: input positions, counted from 0 as in Python (lens.token_ids[i]); each cell predicts the next token. " }),
    h("span", { class: "tvz-mark-demo tvz-first-correct", text: "first correct" }),
    " ",
    h("span", { class: "tvz-mark-demo tvz-settled", text: "settled" }),
  ]);
  const lensName = h("div", { class: "tvz-lens-name" });
  const trajectorySlot = h("div", { class: "tvz-lens-trajectory-slot" });
  root.append(
    lensName,
    h("div", { class: "tvz-view-row" }, [
      switchField(model, d, "lens_color", { label: "colour by", choices: LENS_CHOICES }),
    ]),
    legendSlot,
    note,
    h("div", { class: "tvz-lens-body" }, [h("div", { class: "tvz-lens-scroll" }, [grid]), trajectorySlot]),
  );

  /** @returns {Lens | null} */
  const lens = () => {
    const L = model.get("data");
    return L && Array.isArray(L.top) && L.top.length ? L : null;
  };

  /** @param {Lens} L @param {number} l */
  const layerName = (L, l) => (l === 0 ? "0 emb" : l === L.top.length - 1 ? `${l} out` : String(l));

  const render = () => {
    tooltip.unpin();
    grid.replaceChildren();
    const mode = LENS_SCALES[model.get("lens_color")] ? model.get("lens_color") : "top";
    legendSlot.replaceChildren(lensLegend(mode));
    const L = lens();
    lensName.textContent = `Lens: ${L && L.lens_name ? L.lens_name : "logit lens"}`;
    drawTrajectory();
    if (!L) {
      grid.append(h("div", { class: "tvz-note", text: "No logit-lens data." }));
      return;
    }
    const nL = L.top.length;
    const nP = L.top[0].length;
    grid.style.gridTemplateColumns = `max-content repeat(${nP}, minmax(3.6em, 1fr))`;
    const frag = document.createDocumentFragment();
    frag.append(h("div", { class: "tvz-lens-corner", text: "layer \u2191 / input" }));
    for (let i = 0; i < nP; i++) {
      const head = h("div", { class: "tvz-lens-head", role: "columnheader", "data-pos": i });
      head.append(displayNode(tokenDisplay({ id: L.input[i], t: L.input_text[i] }, L.pieces)));
      frag.append(head);
    }
    for (let l = nL - 1; l >= 0; l--) {
      frag.append(h("div", { class: "tvz-lens-layer", role: "rowheader", text: layerName(L, l) }));
      for (let i = 0; i < nP; i++) {
        const [id] = L.top[l][i][0];
        let cls = "tvz-lens-cell";
        if (L.first_correct[i] === l) cls += " tvz-first-correct";
        if (L.settled[i] === l) cls += " tvz-settled";
        if (L.target[i] === id) cls += " tvz-hit";
        const cell = h("div", {
          class: cls,
          role: "gridcell",
          tabindex: -1,
          "data-layer": l,
          "data-pos": i,
          text: short(plainLabel(pieceDisplay(L.pieces[String(id)]))),
        });
        const scale = LENS_SCALES[mode];
        const shown = scale.value(L, l, i);
        cell.style.backgroundColor = scale.color(shown) || "";
        cell.style.color = scale.ink(shown) || "";
        frag.append(cell);
      }
    }
    grid.append(frag);
    focus.refresh();
  };

  /** @param {HTMLElement | SVGElement} cell */
  const tip = (cell) => {
    const L = /** @type {Lens} */ (lens());
    const l = Number(cell.dataset.layer);
    const i = Number(cell.dataset.pos);
    const target = L.target[i];
    const body = h("div", {}, [
      h("div", { class: "tvz-tip-title", text: `layer ${layerName(L, l)}, position ${i}` }),
    ]);
    /** @type {[string, string][]} */
    const rows = [["input", plainLabel(pieceDisplay(L.pieces[String(L.input[i])]))]];
    if (target != null) {
      rows.push(["next token", plainLabel(pieceDisplay(L.pieces[String(target)]))]);
      rows.push(["its p here", formatPercent(L.target_prob[l][i])]);
      if (L.target_rank) rows.push(["its rank here", `#${L.target_rank[l][i]}`]);
    }
    if (L.kl) rows.push(["KL to final", `${L.kl[l][i].toFixed(3)} nats`]);
    if (L.entropy) rows.push(["entropy", `${L.entropy[l][i].toFixed(3)} nats`]);
    body.append(statTable(rows));
    if (L.first_correct[i] === l) body.append(h("div", { class: "tvz-note", text: "First layer whose top-1 is the actual next token." }));
    if (L.settled[i] === l) body.append(h("div", { class: "tvz-note", text: "From this layer on, top-1 equals the final prediction." }));
    body.append(h("div", { class: "tvz-tip-sub", text: `Top ${L.top[l][i].length} at this layer` }));
    body.append(candidateBars(L.top[l][i], L.pieces, target));
    return body;
  };

  itemTooltips({ container: grid, tooltip, disposer: d, itemOf: itemFinder(grid, ".tvz-lens-cell"), content: tip });
  const focus = rovingFocus(d, grid, ".tvz-lens-cell", lensStep);

  /** @param {number} l */
  const trajName = (l) => { const L = lens(); return L ? layerName(L, l) : String(l); };
  const drawTrajectory = () => {
    trajectorySlot.replaceChildren(trajectoryPanel(model.get("trajectory"), trajName, () => pin([])));
  };
  /** @param {number[]} value [position, token id] or [] */
  const pin = (value) => {
    model.set("pin", value);
    model.save_changes();
  };
  /** @param {Event} e */
  const pinCell = (e) => {
    const cell = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (e.target).closest(".tvz-lens-cell"));
    const L = lens();
    if (!cell || !L) return;
    const l = Number(cell.dataset.layer);
    const i = Number(cell.dataset.pos);
    pin([i, L.top[l][i][0][0]]);
  };
  d.listen(grid, "dblclick", pinCell);
  d.listen(grid, "keydown", (/** @type {Event} */ e) => {
    if (/** @type {KeyboardEvent} */ (e).key === "Enter") pinCell(e);
  });
  d.onModel(model, "change:trajectory", drawTrajectory);
  d.onModel(model, "change:data", render);
  d.onModel(model, "change:lens_color", render);
  render();
}

/**
 * Arrow keys in the lens grid: Left/Right along a layer, Up/Down to the layer above/below (the output
 * layer is drawn at the top), Home/End to a layer's first/last position.
 * @type {import("./roving.js").Step}
 */
function lensStep(cell, key, cells) {
  const layer = Number(cell.dataset.layer);
  const pos = Number(cell.dataset.pos);
  /** @param {number} l @param {number} p */
  const at = (l, p) => cells.find((c) => Number(c.dataset.layer) === l && Number(c.dataset.pos) === p) ?? null;
  if (key === "ArrowUp") return at(layer + 1, pos);
  if (key === "ArrowDown") return at(layer - 1, pos);
  const row = cells.filter((c) => Number(c.dataset.layer) === layer);
  return linearStep(cell, key, row);
}
