// @ts-check
// The one way views react to the pointer and keyboard over their items (tokens, lens cells, beam nodes,
// chart points, label rows). Listeners sit on the container (one per event, however many items) and
// go with the view's Disposer.

/**
 * @typedef {import("./dom.js").Disposer} Disposer
 * @typedef {import("./tooltip.js").Tooltip} Tooltip
 * @typedef {(target: EventTarget | null) => HTMLElement | SVGElement | null} ItemOf
 */

/**
 * The item an event happened on: the closest ancestor matching `selector` inside `container`.
 * @param {Element} container @param {string} selector
 * @returns {ItemOf}
 */
export function itemFinder(container, selector) {
  return (target) => {
    const item = target instanceof Element ? target.closest(selector) : null;
    return (item instanceof HTMLElement || item instanceof SVGElement) && container.contains(item) ? item : null;
  };
}

/**
 * Calls `show(item)` when the pointer enters an item or keyboard focus reaches it.
 * @param {Disposer} d @param {Element} container @param {ItemOf} itemOf
 * @param {(item: HTMLElement | SVGElement) => void} show
 */
export function onItemHover(d, container, itemOf, show) {
  /** @param {Event} ev */
  const handle = (ev) => {
    const item = itemOf(ev.target);
    if (item) show(item);
  };
  d.listen(container, "mouseover", handle);
  d.listen(container, "focusin", handle);
}

/**
 * Tooltips over a container's items: hover or focus shows one, leaving hides it; click, Enter or Space
 * pins it (again: unpins, and `onUnpin` runs); Escape or a click outside the items and the tooltip only
 * closes it, so whatever `onPin` recorded (the strip's selection) stays.
 * @param {{
 *   container: Element, tooltip: Tooltip, disposer: Disposer, itemOf: ItemOf,
 *   content: (item: HTMLElement | SVGElement) => Node,
 *   onPin?: (item: HTMLElement | SVGElement) => void, onUnpin?: () => void, pinHint?: string,
 *   pointers?: Element,
 * }} cfg  pointers: another element whose clicks point at items (a click there does not close the pin)
 * @returns {{show: (item: HTMLElement | SVGElement) => void, pin: (item: HTMLElement | SVGElement) => void}}
 *   what hovering and clicking an item do, for other controls that point at items (the strip's chart)
 */
export function itemTooltips(cfg) {
  const { container, tooltip, disposer: d, itemOf, content } = cfg;
  const ownsPin = () => tooltip.isPinned() && container.contains(tooltip.anchor());
  /** @param {HTMLElement | SVGElement} item */
  const pin = (item) => {
    tooltip.pin(item, content(item), cfg.pinHint);
    if (cfg.onPin) cfg.onPin(item);
  };
  /** @param {HTMLElement | SVGElement} item */
  const togglePin = (item) => {
    if (tooltip.isPinned() && tooltip.anchor() === item) {
      tooltip.unpin();
      if (cfg.onUnpin) cfg.onUnpin();
      return;
    }
    pin(item);
  };
  const close = () => tooltip.unpin();

  onItemHover(d, container, itemOf, (item) => {
    if (tooltip.anchor() !== item) tooltip.show(item, content(item));
  });
  d.listen(container, "mouseout", (ev) => {
    const item = itemOf(ev.target);
    if (item && itemOf(ev.relatedTarget) !== item) tooltip.hide();
  });
  d.listen(container, "focusout", () => tooltip.hide());
  d.listen(container, "click", (ev) => {
    const item = itemOf(ev.target);
    if (item) togglePin(item);
  });
  d.listen(container, "keydown", (ev) => {
    const item = itemOf(ev.target);
    if (item && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      togglePin(item);
    }
  });
  const doc = container.ownerDocument;
  d.listen(doc, "keydown", (ev) => {
    if (ev.key === "Escape" && ownsPin()) close();
  });
  d.listen(doc, "click", (ev) => {
    if (!ownsPin()) return;
    const t = ev.target;
    if (t instanceof Node && (tooltip.el.contains(t) || itemOf(t) || cfg.pointers?.contains(t))) return;
    close();
  });
  return { show: (item) => tooltip.show(item, content(item)), pin };
}
