// @ts-check
// The pinned token's trajectory beside the lens grid: one row per layer (output at the top, as the grid),
// a bar for its probability there and its rank. Python computes every number (LogitLens.trajectory).

import { h } from "./dom.js";
import { formatPercent } from "./format.js";

/**
 * @typedef {{ position: number, token_id: number, label: string, lens_name: string,
 *   probs: number[], ranks: number[] }} TrajectoryData
 */

/**
 * @param {TrajectoryData | null | undefined} t @param {(l: number) => string} layerName
 * @param {() => void} unpin
 */
export function trajectoryPanel(t, layerName, unpin) {
  if (!t || !Array.isArray(t.probs) || !t.probs.length) {
    return h("div", { class: "tvz-lens-trajectory tvz-note",
      text: "Double-click a cell (or press Enter on it) to pin its top-1 token and follow it through the layers." });
  }
  const close = h("button", { type: "button", class: "tvz-lens-unpin", text: "unpin" });
  close.addEventListener("click", unpin);
  const title = h("div", { class: "tvz-tip-title" }, [
    h("span", { text: "Trajectory of " }),
    h("code", { class: "tvz-lens-pinned-token", text: JSON.stringify(t.label) }),
    h("span", { text: ` at position ${t.position} (${t.lens_name})` }),
  ]);
  const rows = [];
  for (let l = t.probs.length - 1; l >= 0; l--) {
    const bar = h("span", { class: "tvz-lens-traj-bar" });
    bar.style.width = `${Math.max(0, Math.min(1, t.probs[l])) * 100}%`;
    rows.push(h("div", { class: "tvz-lens-traj-row", "data-layer": l }, [
      h("span", { class: "tvz-lens-traj-layer", text: layerName(l) }),
      h("span", { class: "tvz-lens-traj-track" }, [bar]),
      h("span", { class: "tvz-lens-traj-prob", text: formatPercent(t.probs[l]) }),
      h("span", { class: "tvz-lens-traj-rank", text: `#${t.ranks[l]}` }),
    ]));
  }
  return h("div", { class: "tvz-lens-trajectory", role: "group", "aria-label": "pinned token trajectory" }, [
    title,
    h("div", { class: "tvz-note", text: "Per layer: its probability (bar, %) and rank (#) in the whole vocabulary." }),
    ...rows,
    close,
  ]);
}
