// @ts-check
// anywidget entry point: one bundle, one render() that picks the view from the `_kind` trait.

import { h, Disposer } from "./dom.js";
import { followTheme } from "./theme.js";
import { renderTokenViz } from "./tokenviz.js";
import { renderLens } from "./lens.js";
import { renderICL } from "./icl.js";
import { renderLabels } from "./labels.js";
import { renderBeamsView } from "./beams.js";
import { renderCompare } from "./compare.js";
import { renderReshape } from "./reshape.js";
import { renderBayes } from "./bayes.js";
import { renderLoom } from "./loom.js";

/** @type {Record<string, (model: import("./types.js").Model, root: HTMLElement, d: Disposer) => void>} */
const VIEWS = {
  tokens: renderTokenViz,
  lens: renderLens,
  icl: renderICL,
  labels: renderLabels,
  beams: renderBeamsView,
  compare: renderCompare,
  reshape: renderReshape,
  bayes: renderBayes,
  loom: renderLoom,
};

/**
 * @param {{model: import("./types.js").Model, el: HTMLElement}} ctx
 * @returns {() => void} cleanup: removes listeners, timers and the view's DOM
 */
function render({ model, el }) {
  const kind = String(model.get("_kind") || "tokens");
  const d = new Disposer();
  const root = h("div", { class: `tvz-root tvz-kind-${kind}`, "data-kind": kind });
  if (model.get("interactive") === false) root.classList.add("tvz-static");
  el.append(root);
  d.add(() => root.remove());
  followTheme(root, d); // before the view: its tooltip host copies the root's classes
  const view = VIEWS[kind];
  try {
    if (!view) throw new Error(`unknown view kind ${JSON.stringify(kind)}`);
    view(model, root, d);
  } catch (err) {
    // A broken payload should show a message, not a blank output cell.
    console.error("tokviz", err);
    root.append(h("div", { class: "tvz-error", role: "alert", text: `tokviz view failed: ${err instanceof Error ? err.message : String(err)}` }));
  }
  return () => d.dispose();
}

export default { render };
