// @ts-check
// Label scores (`_kind` "labels"): one bar per label (softmax probability over the labels' log-probs),
// the predicted label marked; hovering a label shows its per-token log-probabilities.

import { rovingFocus } from "./roving.js";
import { h, displayNode } from "./dom.js";
import { textSegments, formatPercent, formatNumber } from "./format.js";
import { probColor, probInk } from "./colors.js";
import { statTable } from "./tooltip.js";
import { probBar } from "./bars.js";
import { itemFinder, onItemHover } from "./hover.js";

/**
 * @typedef {{
 *   labels: string[], normalize: Normalize, logprob: number[], label_logprob: number[], normalized: number[],
 *   probs: number[], predicted: string, breakdown: {t: string, lp: number|null, p: number|null, in_label: boolean}[][]
 * }} Scores
 * @typedef {"label" | "mean" | "full"} Normalize
 */

/** The three scores of a label, in the order shown, with the payload field holding each. */
const SCORE_ROWS = /** @type {const} */ ([
  { normalize: "full", field: "logprob", name: "log p (whole text)" },
  { normalize: "label", field: "label_logprob", name: "log p (label tokens)" },
  { normalize: "mean", field: "normalized", name: "mean log p per label token" },
]);

/**
 * Display name of the score the softmax used (LabelScores.normalize).
 * @param {Normalize | undefined} normalize
 */
function usedScoreName(normalize) {
  return (SCORE_ROWS.find((r) => r.normalize === normalize) || SCORE_ROWS[1]).name;
}

/**
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {import("./dom.js").Disposer} d
 */
export function renderLabels(model, root, d) {
  const bars = h("div", { class: "tvz-label-bars", role: "list" });
  const detail = h("div", { class: "tvz-label-detail", "aria-live": "polite" });
  const sub = h("div", { class: "tvz-sub" });
  root.append(sub, bars, detail);

  /** @returns {Scores | null} */
  const scores = () => {
    const s = model.get("data");
    return s && Array.isArray(s.labels) && s.labels.length ? s : null;
  };

  /** @param {number} i */
  const showDetail = (i) => {
    const s = scores();
    if (!s) return;
    for (const row of bars.children) row.classList.toggle("tvz-active", row.getAttribute("data-i") === String(i));
    /** @type {[string, string][]} */
    const rows = [["probability", formatPercent(s.probs[i])], ...SCORE_ROWS.map((r) => /** @type {[string, string]} */ ([r.name, formatNumber(s[r.field][i], 3)]))];
    const toks = h("div", { class: "tvz-breakdown" });
    for (const t of s.breakdown[i]) {
      const chip = h("span", { class: t.in_label ? "tvz-bd-tok tvz-in-label" : "tvz-bd-tok" }, [
        h("span", { class: "tvz-bd-text" }, [displayNode({ kind: "text", segments: textSegments(t.t) })]),
        h("span", { class: "tvz-bd-lp", text: `${formatNumber(t.lp, 2)} nats` }),
      ]);
      if (t.in_label) {
        chip.style.backgroundColor = probColor(t.p) || "";
        chip.style.color = probInk(t.p) || "";
      }
      toks.append(chip);
    }
    const table = statTable(rows);
    markUsedScore(table, usedScoreName(s.normalize));
    detail.replaceChildren(h("div", { class: "tvz-tip-title" }, [`Label `, h("span", { class: "tvz-answer", text: s.labels[i] })]), table, h("div", { class: "tvz-tip-sub", text: "Per-token log p, in nats (label tokens highlighted)" }), toks);
  };

  const render = () => {
    bars.replaceChildren();
    detail.replaceChildren();
    const s = scores();
    sub.textContent = `Label probabilities: softmax over the labels' ${usedScoreName(s?.normalize)}. Hover a label for its tokens.`;
    if (!s) {
      bars.append(h("div", { class: "tvz-note", text: "No label scores." }));
      return;
    }
    const longest = Math.max(4, ...s.labels.map((l) => Array.from(String(l)).length));
    bars.style.setProperty("--tvz-label-w", `${Math.min(28, longest) + 1}ch`);
    s.labels.forEach((label, i) => {
      const p = s.probs[i];
      const predicted = label === s.predicted;
      bars.append(
        h("div", { class: predicted ? "tvz-label-row tvz-predicted" : "tvz-label-row", role: "listitem", tabindex: -1, "data-i": i }, [
          h("span", { class: "tvz-label-name", text: label }),
          probBar(p),
          h("span", { class: "tvz-label-p", text: formatPercent(p) }),
          // every row has the badge cell, so all rows lay out alike and the bar tracks share one scale
          h("span", { class: predicted ? "tvz-badge" : "tvz-badge-slot", text: predicted ? "predicted" : "" }),
        ]),
      );
    });
    showDetail(Math.max(0, s.labels.indexOf(s.predicted)));
    focus.refresh();
  };

  onItemHover(d, bars, itemFinder(bars, ".tvz-label-row"), (row) => showDetail(Number(row.getAttribute("data-i"))));
  const focus = rovingFocus(d, bars, ".tvz-label-row");
  d.onModel(model, "change:data", render);
  render();
}

/**
 * Mark the stat-table entry of the score the softmax used (its name and value).
 * @param {HTMLElement} table a statTable (dl of dt/dd pairs) @param {string} name
 */
function markUsedScore(table, name) {
  for (const dt of table.querySelectorAll("dt")) {
    if (dt.textContent !== name) continue;
    dt.classList.add("tvz-used");
    dt.nextElementSibling?.classList.add("tvz-used");
    dt.setAttribute("title", "the score the softmax over labels used");
  }
}
