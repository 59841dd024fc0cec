// @ts-check
// Probability bars: the one bar drawing, used by candidate lists and label scores.

import { h, displayNode } from "./dom.js";
import { pieceDisplay, plainLabel, formatPercent } from "./format.js";
import { probColor } from "./colors.js";

/**
 * A bar track filled to `p` (at least a sliver, so tiny probabilities still show; empty at 0), coloured by `p`.
 * @param {number} p
 */
export function probBar(p) {
  const bar = h("span", { class: "tvz-bar" });
  // a sliver for any p > 0, nothing for exactly 0 (a candidate the sampler removed)
  bar.style.width = `${p > 0 ? Math.max(0.5, Math.min(100, p * 100)).toFixed(1) : 0}%`;
  bar.style.background = probColor(p) || "";
  return h("span", { class: "tvz-bar-track" }, [bar]);
}

/**
 * A small bar list of candidates, best first, the actual token highlighted. sampled: draw each candidate's
 * probability after temperature / top-k / top-p (its third number, where sent), the model's beside it.
 * @param {import("./types.js").Cand[]} cands
 * @param {import("./format.js").Pieces} pieces
 * @param {number | null} actualId
 * @param {number} [limit]
 * @param {boolean} [sampled]
 */
export function candidateBars(cands, pieces, actualId, limit = Infinity, sampled = false) {
  const list = h("ol", { class: "tvz-cands" });
  const shown = cands.slice(0, Math.max(0, limit));
  const display = (/** @type {number} */ cid) => pieceDisplay(pieces[String(cid)]);
  // One label width for all rows (each row is its own grid), in monospace characters, capped.
  const longest = Math.max(3, ...shown.map(([cid]) => Array.from(plainLabel(display(cid))).length));
  list.style.setProperty("--tvz-cand-w", `${Math.min(16, longest) + 1}ch`);
  list.classList.toggle("tvz-cands-sampled", sampled);
  for (const [cid, p, sp] of shown) {
    const isActual = actualId != null && cid === actualId;
    const after = sampled && sp != null;
    const removed = after && sp === 0;
    const row = h("li", { class: isActual ? "tvz-cand tvz-actual" : "tvz-cand", "data-id": cid }, [
      h("span", { class: "tvz-cand-tok" }, [displayNode(display(cid))]),
      probBar(after ? sp : p),
      h("span", { class: "tvz-cand-p", text: removed ? REMOVED : formatPercent(after ? sp : p) }),
    ]);
    if (sampled) row.append(h("span", { class: "tvz-cand-raw", text: formatPercent(p) }));
    row.classList.toggle("tvz-cand-removed", removed);
    list.append(row);
  }
  return list;
}

/** A candidate that top-k / top-p took out of the distribution sampled from. */
export const REMOVED = "removed";
