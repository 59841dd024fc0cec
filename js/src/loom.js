// @ts-check
// The loom (`_kind` "loom"): the tree of a prompt's continuations, left to right. Edge width and colour
// follow the token's probability; marked paths (greedy, beams, samples) are tagged on their nodes.
// Hover: a node's numbers and the alternatives at its step. Click / Enter: pin the node and ask Python to
// grow it; "Continue" asks Python to generate on from the pinned path. Python sends every number.

import { rovingFocus } from "./roving.js";
import { h, svg, displayNode, Disposer } from "./dom.js";
import { pieceDisplay, plainLabel, textSegments, formatNumber, formatPercent } from "./format.js";
import { createTooltip, statTable } from "./tooltip.js";
import { itemFinder, itemTooltips } from "./hover.js";
import { probColor } from "./colors.js";

/**
 * @typedef {{id: number, parent: number|null, d: number, tok: number|null, p: number|null, lp: number|null,
 *   pp: number, r: number|null, h: number|null, c: number[], x: boolean, g: boolean, e: boolean,
 *   m: Record<string, number>}} LoomNode
 * @typedef {{label: string, kind: string, nodes: number[], count: number, text: string}} LoomPath
 * @typedef {{prompt: string, prompt_cut: boolean, model: string, settings: Record<string, number>,
 *   nodes: LoomNode[], paths: LoomPath[], mass: number[], growable: boolean,
 *   continued: {node: number, path_text: string, text: string, stopped_by: string} | null,
 *   pieces: import("./format.js").Pieces}} LoomData
 */

const DX = 118;
const DY = 24;
const LEFT = 70;
const TOP = 18;
/** Widest edge, for a token of probability 1 (px). */
const MAX_EDGE = 9;

/** @param {string} s @param {number} n */
const shorten = (s, n) => (Array.from(s).length > n ? `${Array.from(s).slice(0, n - 1).join("")}\u2026` : s);

/** What the drawing means, said once above it. */
export const LOOM_KEY_TEXT = "Left to right: each column is one more token. Edge width and colour = the token's " +
  "probability after the path before it (violet unlikely \u2026 yellow likely). Tags: G greedy, B1.. beams, " +
  "S\u00d7n samples. Hover a node for its numbers; click it (or Enter) to pin it and grow the tree there.";

/**
 * Leaves get one row each, in the tree's order (children best first); a parent sits midway between its
 * first and last child. Returns each node's row (fractional for parents) and the number of rows.
 * @param {LoomNode[]} nodes
 */
export function treeRows(nodes) {
  /** @type {number[]} */
  const row = new Array(nodes.length).fill(0);
  let next = 0;
  /** @param {number} id */
  const place = (id) => {
    const kids = nodes[id].c;
    if (!kids.length) {
      row[id] = next++;
      return;
    }
    kids.forEach(place);
    row[id] = (row[kids[0]] + row[kids[kids.length - 1]]) / 2;
  };
  if (nodes.length) place(0);
  return { row, rows: Math.max(1, next) };
}

/**
 * Short tags of a node's marks: "G" greedy, "B2" beam 2, "S×3" three samples (of any setting).
 * @param {Record<string, number>} marks
 */
export function markTags(marks) {
  const tags = [];
  let samples = 0;
  for (const [label, count] of Object.entries(marks)) {
    if (label === "greedy") tags.push("G");
    else if (label.startsWith("beam ")) tags.push(`B${label.slice(5)}`);
    else samples += count;
  }
  if (samples) tags.push(`S\u00d7${samples}`);
  return tags.join(" ");
}

/** @param {LoomData} g @param {number} id */
const tokenLabel = (g, id) => {
  const n = g.nodes[id];
  return n.tok == null ? "prompt" : plainLabel(pieceDisplay(g.pieces[String(n.tok)]));
};

/** The path's text from the root's first token to node id, as the pieces show it. @param {LoomData} g @param {number} id */
function pathText(g, id) {
  const parts = [];
  for (let n = g.nodes[id]; n && n.parent != null; n = g.nodes[n.parent]) parts.push(tokenLabel(g, n.id));
  return parts.reverse().join("");
}

/**
 * A node's tooltip: its numbers, its marks and the alternatives at its step (its siblings, best first).
 * @param {LoomData} g @param {number} id
 */
function nodeTip(g, id) {
  const n = g.nodes[id];
  if (n.parent == null) {
    return h("div", {}, [
      h("div", { class: "tvz-tip-head", text: "The prompt" }),
      statTable([["next tokens", `${n.c.length} shown, covering ${formatPercent(g.mass[0] ?? 0)}`]]),
    ]);
  }
  const piece = g.pieces[String(n.tok)];
  const rows = /** @type {[string, string][]} */ ([
    ["p", n.p == null ? "unknown" : `${formatPercent(n.p)} (log p ${n.lp == null ? "unknown" : formatNumber(n.lp, 3)} nats)`],
    ["path p", formatPercent(n.pp)],
    ["rank", n.r == null ? "unknown" : String(n.r)],
    ["entropy", n.h == null ? "unknown" : `${formatNumber(n.h, 3)} nats`],
    ["depth", String(n.d)],
    ["id", String(n.tok)],
  ]);
  const marks = Object.entries(n.m).map(([label, count]) => (count > 1 ? `${label} \u00d7${count}` : label));
  if (marks.length) rows.push(["paths", marks.join(", ")]);
  const siblings = g.nodes[/** @type {number} */ (n.parent)].c.map((c) => g.nodes[c]);
  const alternatives = h("ol", { class: "tvz-loom-alts" });
  for (const s of siblings.slice(0, 8)) {
    alternatives.append(h("li", { class: s.id === id ? "tvz-loom-this" : "" }, [
      h("span", { class: "tvz-loom-alt-tok" }, [displayNode(pieceDisplay(g.pieces[String(s.tok)]))]),
      h("span", { class: "tvz-loom-alt-p", text: s.p == null ? "?" : formatPercent(s.p) }),
    ]));
  }
  return h("div", {}, [
    h("div", { class: "tvz-tip-head" }, [
      h("span", { class: "tvz-tip-tok" }, [displayNode(pieceDisplay(piece))]),
      h("span", { class: "tvz-tip-src", text: n.g ? "off the rule (a marked path took it)" : n.e ? "end of text" : n.x ? "grown" : "not grown yet" }),
    ]),
    statTable(rows),
    h("div", { class: "tvz-sub", text: "Alternatives at this step:" }),
    alternatives,
  ]);
}

/**
 * Arrow keys follow the tree: Right = first child, Left = parent, Up/Down = the node drawn above/below
 * in the same column, Home = the prompt.
 * @param {LoomData} g @param {number[]} row
 * @returns {import("./roving.js").Step}
 */
function treeStep(g, row) {
  return (item, key, items) => {
    const id = Number(item.getAttribute("data-node"));
    const n = g.nodes[id];
    /** @param {number | null | undefined} target */
    const find = (target) => (target == null ? null : items.find((el) => Number(el.getAttribute("data-node")) === target) ?? null);
    if (key === "ArrowRight") return find(n.c[0]);
    if (key === "ArrowLeft") return find(n.parent);
    if (key === "ArrowDown" || key === "ArrowUp") {
      const column = g.nodes.filter((o) => o.d === n.d).sort((a, b) => row[a.id] - row[b.id]);
      const i = column.findIndex((o) => o.id === id);
      return find(column[key === "ArrowDown" ? i + 1 : i - 1]?.id);
    }
    if (key === "Home") return find(0);
    return undefined;
  };
}

/**
 * The SVG tree.
 * @param {LoomData} g @param {import("./tooltip.js").Tooltip} tooltip @param {Disposer} d
 * @param {(id: number) => void} onPin
 */
function loomTree(g, tooltip, d, onPin) {
  const { row, rows } = treeRows(g.nodes);
  const deepest = Math.max(0, ...g.nodes.map((n) => n.d));
  const width = LEFT + deepest * DX + 110;
  const height = TOP * 2 + (rows - 1) * DY;
  /** @param {number} id */
  const pos = (id) => [LEFT + g.nodes[id].d * DX, TOP + row[id] * DY];
  const edges = svg("g", { class: "tvz-edges" });
  const nodes = svg("g", { class: "tvz-nodes" });
  const el = svg("svg", { class: "tvz-tree tvz-loom-tree", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "loom: tree of continuations" }, [edges, nodes]);
  el.style.minWidth = `${Math.round(width * 0.7)}px`;
  for (const n of g.nodes) {
    const [x, y] = pos(n.id);
    if (n.parent != null) {
      const [px, py] = pos(n.parent);
      const mx = (px + x) / 2;
      const widthPx = 0.8 + MAX_EDGE * (n.p ?? 0);
      edges.append(svg("path", {
        class: `tvz-edge tvz-loom-edge${n.g ? " tvz-loom-grafted" : ""}`, "data-node": n.id,
        d: `M${px + 5},${py} C${mx},${py} ${mx},${y} ${x - 5},${y}`,
        style: `stroke: ${probColor(n.p) ?? "var(--tvz-fg2)"}; stroke-width: ${widthPx.toFixed(2)}px`,
      }));
    }
    const tags = markTags(n.m);
    const label = n.parent == null ? "prompt" : shorten(tokenLabel(g, n.id), 11);
    nodes.append(svg("g", {
      class: `tvz-node tvz-loom-node${tags ? " tvz-loom-marked" : ""}${n.x ? " tvz-loom-grown" : ""}`,
      tabindex: -1, "data-node": n.id, "aria-label": `${label}${n.p == null ? "" : `, p ${formatPercent(n.p)}`}`,
    }, [
      // the whole label area takes the pointer (the group's centre may be empty space)
      svg("rect", { class: "tvz-loom-hit", x: n.parent == null ? x - LEFT + 4 : x - 7, y: y - 14, width: n.parent == null ? LEFT + 3 : DX - 20, height: DY }),
      svg("circle", { cx: x, cy: y, r: n.parent == null ? 6 : 4.5 }),
      svg("text", { x: n.parent == null ? x - 10 : x + 8, y: y - 5, "text-anchor": n.parent == null ? "end" : "start", text: label }),
      tags ? svg("text", { class: "tvz-loom-tags", x: x + 8, y: y + 10, text: tags }) : "",
    ]));
  }
  itemTooltips({
    container: el, tooltip, disposer: d, itemOf: itemFinder(el, ".tvz-loom-node[data-node]"),
    content: (item) => nodeTip(g, Number(item.getAttribute("data-node"))),
    onPin: (item) => onPin(Number(item.getAttribute("data-node"))),
    pinHint: g.growable ? "pinned: growing this node in Python" : undefined,
  });
  const roving = rovingFocus(d, el, ".tvz-loom-node[data-node]", treeStep(g, row));
  roving.refresh();
  return { el: h("div", { class: "tvz-tree-scroll" }, [el]), svg: el };
}

/** The marked paths, each with its count, path probability and text. @param {LoomData} g */
function pathList(g) {
  const list = h("ol", { class: "tvz-loom-paths" });
  for (const p of g.paths) {
    const last = p.nodes[p.nodes.length - 1];
    const pp = last == null ? 1 : g.nodes[last].pp;
    list.append(h("li", {}, [
      h("span", { class: "tvz-loom-path-label", text: p.count > 1 ? `${p.label} \u00d7${p.count}` : p.label }),
      h("span", { class: "tvz-loom-path-p", text: `path p ${formatPercent(pp)}` }),
      h("span", { class: "tvz-beam-text" }, [displayNode({ kind: "text", segments: textSegments(p.text) })]),
    ]));
  }
  return list;
}

/**
 * The loom view: trait `data` (LoomData), `pinned` and `status`; messages {action: "expand" | "continue", node}.
 * @param {import("./types.js").Model} model @param {HTMLElement} root @param {Disposer} d
 */
export function renderLoom(model, root, d) {
  const tooltip = createTooltip(root, d);
  const box = h("div", { class: "tvz-loom-view" });
  root.append(box);
  const interactive = model.get("interactive") !== false;
  /** @type {Disposer | null} */
  let inner = null;
  const render = () => {
    if (inner) inner.dispose();
    inner = new Disposer();
    const focused = root.ownerDocument.activeElement;
    const hadFocus = focused instanceof Element && box.contains(focused) ? focused.getAttribute("data-node") : null;
    tooltip.unpin(); // its node is about to be redrawn: a pinned tip would show the old numbers
    tooltip.hide();
    /** @type {LoomData} */
    const g = model.get("data");
    box.replaceChildren();
    if (!g?.nodes?.length) {
      box.append(h("div", { class: "tvz-note", text: "No loom to show." }));
      return;
    }
    const s = g.settings;
    const mass = g.mass.map((m, i) => `${i + 1}: ${formatPercent(m)}`).join(", ");
    box.append(
      h("div", { class: "tvz-loom-head" }, [
        h("span", { class: "tvz-sub", text: `${g.model} \u00b7 after ` }),
        h("span", { class: "tvz-loom-prompt" }, [displayNode({ kind: "text", segments: textSegments(`${g.prompt_cut ? "\u2026" : ""}${g.prompt}`) })]),
      ]),
      h("div", { class: "tvz-sub", text: `${g.nodes.length} nodes \u00b7 rule: children = the fewest most probable tokens reaching top_p ${s.top_p}, at most ${s.max_children} \u00b7 covered probability by depth: ${mass}` }),
      h("div", { class: "tvz-sub tvz-tree-key", text: LOOM_KEY_TEXT }),
    );
    const pinned = Number(model.get("pinned"));
    const canAct = interactive && g.growable;
    const tree = loomTree(g, tooltip, inner, (id) => {
      if (!canAct) return;
      model.set("pinned", id);
      model.save_changes();
      model.send({ action: "expand", node: id });
    });
    box.append(tree.el);
    if (canAct) {
      const button = h("button", { class: "tvz-btn tvz-loom-continue", type: "button", text: "Continue this path", disabled: pinned < 1 });
      inner.listen(button, "click", () => model.send({ action: "continue", node: Number(model.get("pinned")) }));
      box.append(h("div", { class: "tvz-loom-bar" }, [
        h("span", { class: "tvz-sub", text: pinned >= 1 ? "Pinned: " : "Pin a node (click it) to continue its path." }),
        pinned >= 1 ? h("span", { class: "tvz-loom-pinned" }, [displayNode({ kind: "text", segments: textSegments(pathText(g, pinned)) })]) : "",
        button,
        h("span", { class: "tvz-loom-status", role: "status", text: String(model.get("status") ?? "") }),
      ]));
    }
    if (g.continued) {
      box.append(h("div", { class: "tvz-loom-continued" }, [
        h("span", { class: "tvz-sub", text: `Continued (greedy, stopped by ${g.continued.stopped_by}): ` }),
        displayNode({ kind: "text", segments: textSegments(g.continued.path_text) }),
        h("span", { class: "tvz-loom-more" }, [displayNode({ kind: "text", segments: textSegments(g.continued.text) })]),
      ]));
    }
    if (g.paths.length) box.append(h("div", { class: "tvz-sub", text: "Marked paths:" }), pathList(g));
    if (hadFocus != null) {
      const again = tree.svg.querySelector(`[data-node="${Number(hadFocus)}"]`);
      if (again instanceof SVGElement) again.focus();
    }
  };
  d.add(() => inner && inner.dispose());
  d.onModel(model, "change:data", render);
  d.onModel(model, "change:status", () => {
    const line = box.querySelector(".tvz-loom-status");
    if (line) line.textContent = String(model.get("status") ?? "");
  });
  d.onModel(model, "change:pinned", render);
  render();
}
