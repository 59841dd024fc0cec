// @ts-check
// One tooltip per view: shown on hover/focus, pinned on click, placed next to its anchor (fixed to the viewport, so output areas cannot clip it).

import { h, displayNode } from "./dom.js";
import { pieceDisplay, plainLabel, formatPercent } from "./format.js";
import { probColor } from "./colors.js";

let counter = 0;

/**
 * @typedef {{
 *   el: HTMLDivElement,
 *   show: (anchor: Element, content: Node) => void,
 *   hide: () => void,
 *   pin: (anchor: Element, content: Node) => void,
 *   unpin: () => void,
 *   isPinned: () => boolean,
 *   anchor: () => Element | null,
 * }} Tooltip
 */

/**
 * @param {HTMLElement} root positioned container (position: relative) the tooltip lives in
 * @returns {Tooltip}
 */
export function createTooltip(root) {
  const id = `tvz-tip-${++counter}`;
  const el = h("div", { class: "tvz-tooltip", role: "tooltip", id });
  el.hidden = true;
  // The tooltip lives in a host under <body>: inside the notebook, the next cell's output would paint over
  // it (each cell is its own stacking context). The host carries the root's classes, so the view's
  // styles and theme variables apply; it goes away with the view.
  const host = h("div", { class: `${root.className} tvz-tip-host` });
  host.append(el);
  (root.ownerDocument.body || root).append(host);
  // The view may be rendered before it is attached to the page: remove the host only once the root,
  // having been attached, is detached again.
  let attached = root.isConnected;
  const removeWithRoot = new MutationObserver(() => {
    if (root.isConnected) attached = true;
    else if (attached) {
      host.remove();
      removeWithRoot.disconnect();
    }
  });
  removeWithRoot.observe(root.ownerDocument.body || root, { childList: true, subtree: true });
  /** @type {Element | null} */
  let current = null;
  let pinned = false;

  /** @param {Element} anchor */
  function place(anchor) {
    // Fixed to the viewport: notebook output areas clip or scroll their content, and a tooltip under the
    // last line of a short view would otherwise be cut off. An ancestor with a transform or containment
    // (JupyterLab's windowed notebook) moves the origin of "fixed": measure it and compensate.
    el.style.left = "0px";
    el.style.top = "0px";
    const origin = el.getBoundingClientRect();
    const a = anchor.getBoundingClientRect();
    const r = root.getBoundingClientRect();
    const width = el.offsetWidth;
    const height = el.offsetHeight;
    const viewWidth = document.documentElement.clientWidth || window.innerWidth;
    const right = Math.min(viewWidth, Math.max(r.right, r.left + width + 8));
    const left = Math.max(4, Math.min(a.left, right - width - 4));
    const below = a.bottom + 6;
    const above = a.top - height - 6;
    const top = below + height > window.innerHeight && above >= 0 ? above : below;
    el.style.left = `${left - origin.left}px`;
    el.style.top = `${top - origin.top}px`;
  }

  // Scrolling moves the anchor but not a fixed tooltip: follow it. The listener goes with the view.
  const onScroll = () => {
    if (attached && !root.isConnected) {
      window.removeEventListener("scroll", onScroll, true);
      host.remove();
    }
    else if (current && !el.hidden) place(current);
  };
  window.addEventListener("scroll", onScroll, { capture: true, passive: true });

  /** @param {Element} anchor @param {Node} content */
  function open(anchor, content) {
    if (current && current !== anchor) current.removeAttribute("aria-describedby");
    current = anchor;
    el.replaceChildren(content);
    el.hidden = false;
    anchor.setAttribute("aria-describedby", id);
    place(anchor);
  }

  return {
    el,
    show(anchor, content) {
      if (pinned) return; // a pinned tooltip stays until unpinned
      open(anchor, content);
    },
    hide() {
      if (pinned) return;
      el.hidden = true;
      if (current) current.removeAttribute("aria-describedby");
      current = null;
    },
    pin(anchor, content) {
      pinned = false;
      open(anchor, content);
      pinned = true;
      el.classList.add("tvz-pinned");
      el.append(h("div", { class: "tvz-hint", text: "pinned \u2014 Esc or click elsewhere to close" }));
    },
    unpin() {
      pinned = false;
      el.classList.remove("tvz-pinned");
      this.hide();
    },
    isPinned: () => pinned,
    anchor: () => current,
  };
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
  // One label width for all rows (each row is its own grid), in monospace characters, capped.
  const longest = Math.max(3, ...shown.map(([cid]) => Array.from(plainLabel(pieceDisplay(pieces[String(cid)]))).length));
  list.style.setProperty("--tvz-cand-w", `${Math.min(16, longest) + 1}ch`);
  for (const [cid, p] of shown) {
    const isActual = actualId != null && cid === actualId;
    const bar = h("span", { class: "tvz-bar" });
    bar.style.width = `${Math.max(0.5, Math.min(100, p * 100)).toFixed(1)}%`;
    bar.style.background = probColor(p) || "";
    list.append(
      h("li", { class: isActual ? "tvz-cand tvz-actual" : "tvz-cand", "data-id": cid }, [
        h("span", { class: "tvz-cand-tok" }, [displayNode(pieceDisplay(pieces[String(cid)]))]),
        h("span", { class: "tvz-bar-track" }, [bar]),
        h("span", { class: "tvz-cand-p", text: formatPercent(p) }),
      ]),
    );
  }
  return list;
}

/**
 * A two-column table of labelled values.
 * @param {[string, string][]} rows
 */
export function statTable(rows) {
  const dl = h("dl", { class: "tvz-stats" });
  for (const [k, v] of rows) dl.append(h("dt", { text: k }), h("dd", { text: v }));
  return dl;
}
