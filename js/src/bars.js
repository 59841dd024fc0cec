// @ts-check
// Probability bars: the one bar drawing, used by candidate lists and label scores.

import { h, displayNode } from "./dom.js";
import { pieceDisplay, plainLabel, formatPercent } from "./format.js";
import { probColor } from "./colors.js";

/**
 * A bar track filled to `p` (at least a sliver, so tiny probabilities still show), coloured by `p`.
 * @param {number} p
 */
export function probBar(p) {
  const bar = h("span", { class: "tvz-bar" });
  bar.style.width = `${Math.max(0.5, Math.min(100, p * 100)).toFixed(1)}%`;
  bar.style.background = probColor(p) || "";
  return h("span", { class: "tvz-bar-track" }, [bar]);
}

/**
 * A small bar list of candidates, best first, the actual token highlighted.
 * @param {import("./types.js").Cand[]} cands
 * @param {import("./format.js").Pieces} pieces
 * @param {number | null} actualId
 * @param {number} [limit]
 */
export function candidateBars(cands, pieces, actualId, limit = Infinity) {
  const list = h("ol", { class: "tvz-cands" });
  const shown = cands.slice(0, Math.max(0, limit));
  const display = (/** @type {number} */ cid) => pieceDisplay(pieces[String(cid)]);
  // One label width for all rows (each row is its own grid), in monospace characters, capped.
  const longest = Math.max(3, ...shown.map(([cid]) => Array.from(plainLabel(display(cid))).length));
  list.style.setProperty("--tvz-cand-w", `${Math.min(16, longest) + 1}ch`);
  for (const [cid, p] of shown) {
    const isActual = actualId != null && cid === actualId;
    list.append(
      h("li", { class: isActual ? "tvz-cand tvz-actual" : "tvz-cand", "data-id": cid }, [
        h("span", { class: "tvz-cand-tok" }, [displayNode(display(cid))]),
        probBar(p),
        h("span", { class: "tvz-cand-p", text: formatPercent(p) }),
      ]),
    );
  }
  return list;
}
