// @ts-check
// One Tab stop per group of items (tokens, lens cells, beam nodes, chart points, label rows): the current
// item has tabindex 0, all others -1, and arrow keys move inside the group (WAI-ARIA "roving tabindex").
// Items are created with tabindex -1; `refresh()` after a redraw gives the group its one stop again.

/**
 * @typedef {(item: HTMLElement | SVGElement, key: string, items: (HTMLElement | SVGElement)[]) =>
 *   (HTMLElement | SVGElement | null | undefined)} Step
 *   the item a key moves to from `item` (undefined: the key is not handled here)
 */

/** @param {Element} el */
const shown = (el) => !el.closest("[hidden]");

/**
 * Left/Right (and Up/Down) move to the previous/next item, Home/End to the first/last.
 * @type {Step}
 */
export const linearStep = (item, key, items) => {
  const i = items.indexOf(item);
  if (key === "ArrowRight" || key === "ArrowDown") return items[i + 1] ?? null;
  if (key === "ArrowLeft" || key === "ArrowUp") return items[i - 1] ?? null;
  if (key === "Home") return items[0];
  if (key === "End") return items[items.length - 1];
  return undefined;
};

/**
 * @param {import("./dom.js").Disposer} d
 * @param {Element} container
 * @param {string} selector the items
 * @param {Step} [step] how keys move (default: linearStep)
 * @returns {{refresh: () => void, current: () => HTMLElement | SVGElement | null}}
 */
export function rovingFocus(d, container, selector, step = linearStep) {
  /** @type {HTMLElement | SVGElement | null} */
  let current = null;
  const items = () => /** @type {(HTMLElement | SVGElement)[]} */ (Array.from(container.querySelectorAll(selector)).filter(shown));
  /** @param {HTMLElement | SVGElement} item */
  const makeCurrent = (item) => {
    if (current && current !== item) current.tabIndex = -1;
    current = item;
    item.tabIndex = 0;
  };
  /** @param {EventTarget | null} target */
  const itemOf = (target) => {
    const item = target instanceof Element ? target.closest(selector) : null;
    return (item instanceof HTMLElement || item instanceof SVGElement) && container.contains(item) ? item : null;
  };
  d.listen(container, "focusin", (ev) => {
    const item = itemOf(ev.target);
    if (item) makeCurrent(item);
  });
  d.listen(container, "keydown", (ev) => {
    const item = itemOf(ev.target);
    if (!item || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const next = step(item, ev.key, items());
    if (next === undefined) return;
    ev.preventDefault(); // the page does not scroll on an arrow key that moves (or cannot move) focus
    if (next) {
      makeCurrent(next);
      next.focus();
    }
  });
  return {
    refresh() {
      if (current && current.isConnected && shown(current)) return;
      current = null;
      const first = container.querySelector(selector);
      const all = first && !shown(first) ? items() : first ? [first] : [];
      if (all[0] instanceof HTMLElement || all[0] instanceof SVGElement) makeCurrent(all[0]);
    },
    current: () => current,
  };
}
