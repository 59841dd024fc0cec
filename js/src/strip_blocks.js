// @ts-check
// The tokens of one part of the strip (prompt or generated), in blocks of up to BLOCK_MAX tokens, each
// ending after a newline where it can. A short strip draws every block, inline, as one flowing text. A
// long one (over VIRTUAL_FROM tokens in all) is virtualised: its blocks stack as rows, and only those in
// or near the strip's visible part hold token spans; the others are empty rows of their measured (or
// estimated) height. So a 131,072-token analysis lays out a few hundred spans, and hovering, pinning and
// the keyboard work as in a short one: asking for a token's span draws its block first.

const BLOCK_MAX = 512;
const BLOCK_MIN = 64; // a newline ends a block only after this many tokens: blocks stay few
export const VIRTUAL_FROM = 3000;
const NEAR = "600px 0px"; // blocks this close to the visible part are drawn before they scroll in
const FIRST_GUESS_PX = 2.4; // a token's share of a block's height before any block was measured

/** @typedef {{start: number, end: number, el: HTMLElement, drawn: boolean}} Block */

/**
 * @param {{box: HTMLElement, scroller: HTMLElement, span: (i: number) => HTMLElement,
 *   keep: (el: Element) => boolean, disposer: import("./dom.js").Disposer}} cfg
 *   span: the element of token i; keep: whether a drawn block must stay drawn (it holds the selection or
 *   the tooltip's token)
 */
export function blockBox(cfg) {
  const { box } = cfg;
  /** @type {Block[]} */
  let blocks = [];
  let virtual = false;
  let pxPerToken = FIRST_GUESS_PX;
  let count = 0;
  const watcher = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const block = blocks.find((b) => b.el === entry.target);
      if (!block) continue;
      if (entry.isIntersecting) draw(block);
      else if (!cfg.keep(block.el)) clear(block);
    }
  }, { root: cfg.scroller, rootMargin: NEAR });
  cfg.disposer.add(() => watcher.disconnect());

  /** @param {Block} block */
  function draw(block) {
    if (block.drawn) return;
    const frag = document.createDocumentFragment();
    for (let i = block.start; i < block.end; i++) frag.append(cfg.span(i));
    block.el.style.height = "";
    block.el.replaceChildren(frag);
    block.drawn = true;
    if (virtual) {
      const height = block.el.getBoundingClientRect().height;
      if (height > 0) pxPerToken = height / (block.end - block.start);
    }
  }

  /** An empty row as tall as the block was (or is guessed to be). @param {Block} block */
  function clear(block) {
    if (!virtual || !block.drawn) return;
    const height = block.el.getBoundingClientRect().height;
    block.el.style.height = `${height}px`;
    block.el.replaceChildren();
    block.drawn = false;
  }

  /** An undrawn block's row: as tall as its tokens would be at the height measured so far. @param {Block} block */
  function guessHeight(block) {
    if (virtual && !block.drawn) block.el.style.height = `${(block.end - block.start) * pxPerToken}px`;
  }

  /** @param {number} start */
  function newBlock(start) {
    const el = document.createElement("span");
    el.className = "tvz-block";
    const block = { start, end: start, el, drawn: !virtual };
    blocks.push(block);
    box.append(el);
    if (virtual) watcher.observe(el);
    return block;
  }

  /**
   * Tokens [count, tokens.length) join the strip: the last block grows, then new blocks follow.
   * @param {{t: string}[]} tokens
   */
  function extend(tokens) {
    let block = blocks[blocks.length - 1];
    for (let i = count; i < tokens.length; i++) {
      const size = block ? block.end - block.start : 0;
      const full = !block || size >= BLOCK_MAX || (size >= BLOCK_MIN && tokens[i - 1].t.includes("\n"));
      if (full) {
        if (block) guessHeight(block);
        block = newBlock(i);
      }
      block.end = i + 1;
      if (block.drawn) block.el.append(cfg.span(i));
    }
    if (block) guessHeight(block);
    count = tokens.length;
  }

  /**
   * Draw `tokens` from scratch. long: the whole strip is long enough to be virtualised.
   * @param {{t: string}[]} tokens @param {boolean} long
   */
  function reset(tokens, long) {
    for (const b of blocks) watcher.unobserve(b.el);
    blocks = [];
    count = 0;
    virtual = long;
    box.replaceChildren();
    extend(tokens);
  }

  /** The span of token i (its block drawn first), or null. @param {number} i @returns {HTMLElement | null} */
  function spanAt(i) {
    if (!(i >= 0 && i < count)) return null;
    let lo = 0, hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (blocks[mid].start <= i) lo = mid;
      else hi = mid - 1;
    }
    const block = blocks[lo];
    draw(block);
    const span = block.el.children[i - block.start];
    return span instanceof HTMLElement ? span : null;
  }

  /** The token spans drawn now. @returns {HTMLElement[]} */
  const drawnSpans = () => /** @type {HTMLElement[]} */ ([...box.querySelectorAll(".tvz-token")]);

  return { reset, extend, spanAt, drawnSpans, count: () => count, isVirtual: () => virtual };
}
