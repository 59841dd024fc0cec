// @ts-check
// The beams under the charts: the returned beams and, folded, the beam tree with its own tooltip.

import { h, Disposer } from "../dom.js";
import { createTooltip } from "../tooltip.js";
import { beamTree, beamList, BEAM_SCORE_TEXT, TREE_KEY_TEXT } from "../beams.js";

/**
 * @typedef {import("../types.js").Strip} Strip
 */

/**
 * @param {HTMLElement} root the view (the tree's tooltip lives beside it) @param {Disposer} d
 * @returns {{el: HTMLDivElement, update: (g: Partial<Strip>) => void}} update: g = the generation trait
 */
export function beamsPanel(root, d) {
  const el = h("div", { class: "tvz-beams" });
  const treeTip = createTooltip(root, d);
  /** @type {Disposer | null} */
  let treeDisposer = null;
  /** @type {unknown} */
  let shownBeams = null;
  d.add(() => treeDisposer && treeDisposer.dispose());
  // Rebuilt only when the beams change (they arrive at the end of a run), not on every streamed token.
  /** @param {Partial<Strip>} g */
  const update = (g) => {
    const key = JSON.stringify([g.beams || null, g.tree ? g.tree.length : 0]);
    if (key === shownBeams) return;
    shownBeams = key;
    if (treeDisposer) treeDisposer.dispose();
    treeDisposer = new Disposer();
    treeTip.hide();
    el.replaceChildren();
    if (!g.beams?.length) return;
    const beams = /** @type {Strip} */ (g);
    el.append(h("div", { class: "tvz-sub tvz-beam-caption", text: BEAM_SCORE_TEXT }), beamList(beams));
    if (beams.tree?.length) {
      const det = h("details", { class: "tvz-tree-box" }, [h("summary", { text: "Beam tree" })]);
      det.append(h("div", { class: "tvz-sub tvz-tree-key", text: TREE_KEY_TEXT }), beamTree(beams, treeTip, treeDisposer));
      el.append(det);
    }
  };
  return { el, update };
}
