// @ts-check
// Beam search tree (`_kind` "beams", and inside TokenViz): x = step, one node per live beam per step,
// edges to the parent beam, branches pruned later drawn faded.

import { rovingFocus } from "./roving.js";
import { h, svg, displayNode, Disposer } from "./dom.js";
import { pieceDisplay, plainLabel, textSegments, formatNumber, formatPercent } from "./format.js";
import { createTooltip, statTable } from "./tooltip.js";
import { itemFinder, itemTooltips } from "./hover.js";
import { decodeStrip } from "./token_table.js";

/**
 * @typedef {import("./types.js").Strip} Strip
 * @typedef {import("./types.js").TreeNode} TreeNode
 */

const DX = 92;
const DY = 32;
const LEFT = 80;
const TOP = 22;

/** @param {string} s @param {number} n */
const shorten = (s, n) => (Array.from(s).length > n ? `${Array.from(s).slice(0, n - 1).join("")}\u2026` : s);

/** What a beam's score is, said once above the list. */
export const BEAM_SCORE_TEXT = "Returned beams, best first. score = the sum of the beam's token log-probabilities " +
  "(nats) \u00f7 length^length_penalty, as transformers ranks finished beams (higher is better).";

/**
 * A beam's score with the numbers it is made of, as Python sent them: "−0.42 = −0.84 nats ÷ 2^1".
 * @param {NonNullable<Strip["beams"]>[number]} b
 */
function scoreParts(b) {
  if (b.logprob_sum == null || b.length == null || b.length_penalty == null) return "";
  return ` = ${formatNumber(b.logprob_sum, 3)} nats \u00f7 ${b.length}^${b.length_penalty}`;
}

/**
 * The list of returned beams with their scores, best first.
 * @param {Strip} g
 */
export function beamList(g) {
  const list = h("ol", { class: "tvz-beam-list" });
  (g.beams ?? []).forEach((b, i) => {
    list.append(
      h("li", { class: i === 0 ? "tvz-best-beam" : "" }, [
        h("span", { class: "tvz-beam-score", text: `score ${formatNumber(b.score, 3)}` }),
        h("span", { class: "tvz-beam-parts", text: scoreParts(b) }),
        i === 0 ? h("span", { class: "tvz-beam-best", text: "best" }) : "",
        h("span", { class: "tvz-beam-text" }, [displayNode({ kind: "text", segments: textSegments(b.text) })]),
      ]),
    );
  });
  return list;
}

/** The tree's key: what the line styles mean. */
export const TREE_KEY_TEXT = "x = step. Thick line = the best beam (returned first); faded, dashed = pruned " +
  "later. Hover a node for its score (cumulative log-probability, nats).";

/**
 * SVG beam tree with hover/focus tooltips.
 * @param {Strip} g
 * @param {import("./tooltip.js").Tooltip} tooltip
 * @param {Disposer} d
 */
export function beamTree(g, tooltip, d) {
  /** @type {TreeNode[][]} */
  const tree = g.tree ?? [];
  const pieces = g.pieces;
  const maxLive = Math.max(1, ...tree.map((s) => s.length));
  const width = LEFT + tree.length * DX + 70;
  const height = TOP * 2 + (maxLive - 1) * DY;
  const rootY = TOP + ((maxLive - 1) * DY) / 2;
  const edges = svg("g", { class: "tvz-edges" });
  const nodes = svg("g", { class: "tvz-nodes" });
  const el = svg("svg", { class: "tvz-tree", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "beam search tree" }, [edges, nodes]);
  // Shrinks to fit the view down to 70% (every column in sight, no hidden scrollbar to find); narrower
  // than that it scrolls, with a scrollbar that shows (widget.css).
  el.style.minWidth = `${Math.round(width * 0.7)}px`;

  nodes.append(
    svg("g", { class: "tvz-node tvz-root-node" }, [
      svg("circle", { cx: LEFT - 20, cy: rootY, r: 5 }),
      svg("text", { x: LEFT - 28, y: rootY + 4, "text-anchor": "end", text: "prompt" }),
    ]),
  );
  /** @param {number} s @param {number} j */
  const pos = (s, j) => [LEFT - 20 + (s + 1) * DX, TOP + j * DY];
  tree.forEach((step, s) => {
    step.forEach((node, j) => {
      const [x, y] = pos(s, j);
      const [px, py] = s === 0 || node.parent == null ? [LEFT - 20, rootY] : pos(s - 1, node.parent);
      const mx = (px + x) / 2;
      const faded = (node.kept ? "" : " tvz-pruned") + (node.best ? " tvz-best" : "");
      edges.append(svg("path", { class: `tvz-edge${faded}`, d: `M${px},${py} C${mx},${py} ${mx},${y} ${x},${y}` }));
      const label = shorten(plainLabel(pieceDisplay(pieces[String(node.id)])), 10);
      nodes.append(
        svg("g", { class: `tvz-node${faded}`, tabindex: -1, "data-step": s, "data-beam": j }, [
          svg("circle", { cx: x, cy: y, r: 5 }),
          svg("text", { x: x + 8, y: y - 7, text: label }),
        ]),
      );
    });
  });

  /** @param {Element} node */
  const tip = (node) => {
    const s = Number(node.getAttribute("data-step"));
    const j = Number(node.getAttribute("data-beam"));
    const n = tree[s][j];
    return h("div", {}, [
      h("div", { class: "tvz-tip-head" }, [
        h("span", { class: "tvz-tip-tok" }, [displayNode(pieceDisplay(pieces[String(n.id)]))]),
        h("span", { class: "tvz-tip-src", text: `step ${s + 1}, beam ${j + 1}${n.best ? " (best beam)" : n.kept ? "" : " (pruned later)"}` }),
      ]),
      statTable([
        ["score", `${formatNumber(n.score, 3)} nats (cumulative log p)`],
        ["token p", `${formatPercent(n.p)} (log p ${formatNumber(n.lp, 3)} nats)`],
        ["id", String(n.id)],
      ]),
    ]);
  };
  itemTooltips({ container: el, tooltip, disposer: d, itemOf: itemFinder(el, ".tvz-node[data-step]"), content: tip });
  rovingFocus(d, el, ".tvz-node[data-step]").refresh();
  return h("div", { class: "tvz-tree-scroll" }, [el]);
}

/**
 * The standalone beams view: trait `data` (token-strip payload with `tree` and `beams`).
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {Disposer} d
 */
export function renderBeamsView(model, root, d) {
  const tooltip = createTooltip(root, d);
  const box = h("div", { class: "tvz-beams-view" });
  root.append(box);
  /** @type {Disposer | null} */
  let inner = null;
  const render = () => {
    if (inner) inner.dispose();
    inner = new Disposer();
    tooltip.hide();
    const sent = model.get("data");
    /** @type {Strip} */
    const g = { ...sent, ...decodeStrip(sent) }; // the pieces of every id, the chunks' included
    box.replaceChildren();
    if (!g.tree?.length) {
      box.append(h("div", { class: "tvz-note", text: "No beam tree (generate with num_beams > 1)." }));
      return;
    }
    box.append(
      h("div", { class: "tvz-sub tvz-tree-key", text: `Beam tree: ${TREE_KEY_TEXT}` }),
      beamTree(g, tooltip, inner),
    );
    if (g.beams?.length) box.append(h("div", { class: "tvz-sub tvz-beam-caption", text: BEAM_SCORE_TEXT }), beamList(g));
  };
  d.add(() => inner && inner.dispose());
  d.onModel(model, "change:data", render);
  render();
}
