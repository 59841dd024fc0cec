// @ts-check
// One tooltip per view: shown on hover/focus, pinned on click, placed next to its anchor (fixed to the viewport, so output areas cannot clip it).

import { h } from "./dom.js";

let counter = 0;
const PIN_HINT = "pinned \u2014 Esc or click elsewhere to close";

/**
 * @typedef {{
 *   el: HTMLDivElement,
 *   show: (anchor: Element, content: Node) => void,
 *   hide: () => void,
 *   pin: (anchor: Element, content: Node, hint?: string) => void,
 *   unpin: () => void,
 *   isPinned: () => boolean,
 *   anchor: () => Element | null,
 *   dropDetached: () => void,
 * }} Tooltip
 */

/**
 * @param {HTMLElement} root positioned container (position: relative) the tooltip lives in
 * @param {import("./dom.js").Disposer} d the view's disposer: takes the tooltip, its scroll listener and
 *   its observer away with the view
 * @returns {Tooltip}
 */
export function createTooltip(root, d) {
  const id = `tvz-tip-${++counter}`;
  const el = h("div", { class: "tvz-tooltip", role: "tooltip", id });
  el.hidden = true;
  // The tooltip lives in a host under <body>: inside the notebook, the next cell's output would paint over
  // it (each cell is its own stacking context). The host carries the root's classes, so the view's
  // styles and theme variables apply; it goes away with the view. Where the view is in a shadow root
  // (marimo renders widgets in one), the host goes there instead: the view's styles exist only inside it.
  const host = h("div", { class: `${root.className} tvz-tip-host` });
  host.append(el);
  const body = root.ownerDocument.body;
  const home = () => {
    const top = root.getRootNode();
    return top instanceof ShadowRoot ? top : body;
  };
  const attach = () => {
    host.classList.toggle("tvz-dark", root.classList.contains("tvz-dark")); // the theme may have changed
    const where = home();
    if (host.parentNode !== where) where.append(host);
  };
  attach();
  d.add(() => host.remove());
  // The host follows the root: gone while the root is out of the page (a cleared output, a notebook
  // cell detached while scrolled away), back when it returns.
  const followRoot = new MutationObserver(() => {
    if (root.isConnected && !host.isConnected) attach();
    else if (!root.isConnected && host.isConnected) host.remove();
  });
  followRoot.observe(body, { childList: true, subtree: true });
  d.add(() => followRoot.disconnect());
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

  // Scrolling moves the anchor but not a fixed tooltip: follow it.
  d.listen(window, "scroll", () => {
    if (current && !el.hidden) place(current);
  }, { capture: true, passive: true });

  /** @param {Element} anchor @param {Node} content */
  function open(anchor, content) {
    attach(); // the view may have been moved into a shadow root after it was built
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
    pin(anchor, content, hint = PIN_HINT) {
      pinned = false;
      el.classList.add("tvz-pinned");
      // The hint is part of the content before placing: added after, it would grow the tooltip over its
      // anchor when it was placed above it.
      const withHint = document.createDocumentFragment();
      withHint.append(content, h("div", { class: "tvz-hint", text: hint }));
      open(anchor, withHint);
      pinned = true;
    },
    unpin() {
      pinned = false;
      el.classList.remove("tvz-pinned");
      this.hide();
    },
    isPinned: () => pinned,
    anchor: () => current,
    dropDetached() {
      // The anchor was redrawn away (a new analysis): its tooltip describes nothing on the page.
      if (current && !current.isConnected) this.unpin();
    },
  };
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
