// @ts-check
// The branch bar: the runs of the branch tree, one radio button each; choosing one sets `current_branch`
// (Python then sends that run's strips).

import { h, displayNode } from "../dom.js";
import { pieceDisplay, plainLabel } from "../format.js";
import { radioKeys, setTrait } from "../controls.js";
import { isBusy } from "./state.js";

/**
 * @typedef {import("../format.js").Pieces} Pieces
 * @typedef {{id: number, parent: number|null, source: string|null, index: number|null, token: number|null,
 *   generated: number, stopped_by: string|null}} BranchRun  one run of the branch tree
 */

/**
 * Hidden while there is only one run; disabled while a run is going.
 * @param {import("../types.js").Model} model @param {import("../dom.js").Disposer} d
 */
export function branchBar(model, d) {
  const el = h("div", { class: "tvz-branch-bar", role: "radiogroup", "aria-label": "branches" });
  const update = () => {
    const runs = /** @type {BranchRun[]} */ (model.get("branches_data")?.branches ?? []);
    const pieces = model.get("branches_data")?.pieces ?? {};
    el.hidden = runs.length < 2;
    if (el.hidden) return el.replaceChildren();
    const current = model.get("current_branch");
    const busy = isBusy(model);
    el.replaceChildren(h("span", { class: "tvz-branch-title", text: "branches" }), ...runs.map((run) => {
      const b = h("button", { type: "button", role: "radio", class: "tvz-branch", "data-branch": run.id,
        "aria-checked": String(run.id === current), title: branchTitle(run, pieces) });
      b.tabIndex = run.id === current ? 0 : -1;
      b.disabled = busy;
      b.append(...branchLabel(run, pieces));
      return b;
    }));
  };
  d.listen(el, "click", (ev) => {
    const b = ev.target instanceof Element ? ev.target.closest("button[data-branch]") : null;
    if (b instanceof HTMLButtonElement && !b.disabled) setTrait(model, "current_branch", Number(b.dataset.branch));
  });
  radioKeys(d, el, () => Array.from(el.querySelectorAll("button[data-branch]")),
    (next) => setTrait(model, "current_branch", Number(next.dataset.branch)));
  return { el, update };
}

/**
 * A branch button's label: "main", or "↳ ‹token› at prompt 4".
 * @param {BranchRun} run @param {Pieces} pieces
 * @returns {(Node | string)[]}
 */
function branchLabel(run, pieces) {
  if (run.token == null) return ["main"];
  const where = `${run.source} ${run.index ?? 0}`; // Python's 0-based index, as everywhere in the view
  return [`${run.id} \u21b3 `, h("span", { class: "tvz-branch-tok" }, [displayNode(pieceDisplay(pieces[String(run.token)]))]), ` at ${where}`];
}

/** @param {BranchRun} run @param {Pieces} pieces */
function branchTitle(run, pieces) {
  const ended = run.stopped_by ? `, stopped by ${run.stopped_by}` : "";
  if (run.token == null) return `the run from the prompt: ${run.generated} generated${ended}`;
  return `branch ${run.id} of run ${run.parent}: ${plainLabel(pieceDisplay(pieces[String(run.token)]))} in place of ` +
    `${run.source} token ${run.index ?? 0}; ${run.generated} tokens${ended}`;
}
