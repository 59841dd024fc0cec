// src/format.js
var MARK = Object.freeze({ space: "\xB7", tab: "\u2192", newline: "\u21B5", nbsp: "\u237D" });
function isBlank(ch) {
  return ch === " " || ch === "	" || ch === "\n" || ch === "\r" || ch === "\xA0";
}
function textSegments(text) {
  const out = [];
  const push = (kind, s) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += s;
    else out.push({ kind, text: s });
  };
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === " ") {
      const prev = chars[i - 1];
      const next = chars[i + 1];
      const interior = prev !== void 0 && next !== void 0 && !isBlank(prev) && !isBlank(next);
      push(interior ? "text" : "ws", interior ? " " : MARK.space);
    } else if (ch === "	") {
      push("ws", MARK.tab);
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && chars[i + 1] === "\n") continue;
      push("ws", MARK.newline);
      out.push({ kind: "nl" });
    } else if (ch === "\xA0") {
      push("ws", MARK.nbsp);
    } else if (ch.charCodeAt(0) < 32 || ch === "\x7F") {
      push("ws", String.fromCharCode(ch === "\x7F" ? 9249 : 9216 + ch.charCodeAt(0)));
    } else {
      push("text", ch);
    }
  }
  return out;
}
function byteBadges(hex) {
  const clean = String(hex || "").replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  const out = [];
  for (let i = 0; i + 1 < clean.length; i += 2) out.push(clean.slice(i, i + 2));
  return out;
}
function pieceDisplay(piece) {
  if (typeof piece === "string") return piece === "" ? { kind: "empty" } : { kind: "text", segments: textSegments(piece) };
  if (piece && typeof piece === "object") {
    if ("special" in piece) return { kind: "special", name: String(piece.special) };
    if ("bytes" in piece) return { kind: "bytes", bytes: byteBadges(piece.bytes) };
  }
  return { kind: "empty" };
}
function tokenDisplay(tok, pieces) {
  const piece = pieces[String(tok.id)];
  if (tok.t === "" || piece && typeof piece === "object" && "special" in piece) return pieceDisplay(piece);
  const segments = textSegments(tok.t);
  return tok.pending ? { kind: "text", segments, pending: byteBadges(tok.pending) } : { kind: "text", segments };
}
function plainLabel(d) {
  switch (d.kind) {
    case "text":
      return d.segments.map((s) => s.kind === "nl" ? "" : s.text).join("");
    case "bytes":
      return `\u2039${d.bytes.join(" ")}\u203A`;
    case "special":
      return d.name;
    default:
      return "\u2205";
  }
}
var PERCENT_DIGITS = 3;
var PERCENT_FLOOR = 1e-6;
function formatPercent(p) {
  if (p == null || Number.isNaN(p)) return "\u2013";
  if (p <= 0) return "0%";
  if (p >= 1) return "100%";
  const pct = p * 100;
  if (pct < PERCENT_FLOOR) return `< ${PERCENT_FLOOR.toFixed(6)}%`;
  if (pct < 1e-3) return `${pct.toPrecision(PERCENT_DIGITS)}%`;
  return `${belowHundred(pct)}%`;
}
function belowHundred(pct) {
  const text = pct.toPrecision(PERCENT_DIGITS);
  if (Number(text) < 100) return text;
  let decimals = 1;
  while (decimals < 15 && Number(pct.toFixed(decimals)) >= 100) decimals++;
  return pct.toFixed(decimals);
}
function natsToBits(nats) {
  return nats / Math.LN2;
}
function formatBits(nats) {
  return formatSurprisal(nats == null ? nats : natsToBits(nats));
}
function formatLogProb(lp) {
  return lp == null || Number.isNaN(lp) ? "\u2013" : `${formatNumber(lp, 3)} nats`;
}
function formatSurprisal(bits) {
  if (bits == null || Number.isNaN(bits)) return "\u2013";
  return `${bits.toFixed(2)} bits`;
}
function formatRank(r) {
  if (r == null) return "\u2013";
  return `#${Math.round(r).toLocaleString("en-US")}`;
}
function formatNumber(x, digits = 2) {
  if (x == null || Number.isNaN(x)) return "\u2013";
  if (!Number.isFinite(x)) return x > 0 ? "\u221E" : "-\u221E";
  return x.toFixed(digits);
}

// src/dom.js
function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children) if (c) el.append(c);
  return el;
}
var SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, children = []) {
  const el = (
    /** @type {SVGElement} */
    document.createElementNS(SVG_NS, tag)
  );
  setAttrs(el, attrs);
  for (const c of children) if (c) el.append(c);
  return el;
}
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") el.setAttribute("class", String(v));
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}
var Disposer = class {
  constructor() {
    this.fns = [];
  }
  /** @param {() => void} fn */
  add(fn) {
    this.fns.push(fn);
  }
  /**
   * addEventListener that is undone on dispose.
   * @param {EventTarget} target @param {string} type @param {(ev: any) => void} fn
   * @param {AddEventListenerOptions | boolean} [opts]
   */
  listen(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.add(() => target.removeEventListener(type, fn, opts));
  }
  /**
   * model.on that is undone on dispose.
   * @param {import("./types.js").Model} model @param {string} event @param {(...args: any[]) => void} fn  (msg:custom handlers get the message)
   */
  onModel(model, event, fn) {
    model.on(event, fn);
    this.add(() => model.off(event, fn));
  }
  dispose() {
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        fn();
      } catch (e) {
        console.warn("tokviz cleanup", e);
      }
    }
  }
};
function displayNode(d, opts = {}) {
  const frag = document.createDocumentFragment();
  if (d.kind === "text") {
    for (const s of d.segments) {
      if (s.kind === "text") frag.append(s.text);
      else if (s.kind === "ws") frag.append(h("span", { class: "tvz-ws", text: s.text }));
      else if (opts.breaks) frag.append(h("br"));
    }
    for (const b of d.pending || []) frag.append(h("span", { class: "tvz-byte", text: b }));
  } else if (d.kind === "bytes") {
    for (const b of d.bytes) frag.append(h("span", { class: "tvz-byte", text: b }));
  } else if (d.kind === "special") {
    frag.append(h("span", { class: "tvz-special", text: d.name }));
  } else {
    frag.append(h("span", { class: "tvz-ws", text: plainLabel(d) }));
  }
  return frag;
}

// src/theme.js
function luminanceOf(css) {
  const m = css.match(/[\d.]+/g);
  if (!m || m.length < 3 || m.length > 3 && Number(m[3]) === 0) return null;
  const lin = (v) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[0]) + 0.7152 * lin(m[1]) + 0.0722 * lin(m[2]);
}
function followTheme(root, d) {
  const apply = () => {
    const y = luminanceOf(getComputedStyle(root).backgroundColor);
    if (y != null) root.classList.toggle("tvz-dark", y < 0.2);
  };
  apply();
  const frame = requestAnimationFrame(apply);
  d.add(() => cancelAnimationFrame(frame));
  const watch = new MutationObserver(() => requestAnimationFrame(apply));
  const body = root.ownerDocument.body;
  if (body) watch.observe(body, { attributes: true });
  watch.observe(root.ownerDocument.documentElement, { attributes: true });
  d.add(() => watch.disconnect());
}

// src/tooltip.js
var counter = 0;
var PIN_HINT = "pinned \u2014 Esc or click elsewhere to close";
function createTooltip(root, d) {
  const id = `tvz-tip-${++counter}`;
  const el = h("div", { class: "tvz-tooltip", role: "tooltip", id });
  el.hidden = true;
  const host = h("div", { class: `${root.className} tvz-tip-host` });
  host.append(el);
  const body = root.ownerDocument.body;
  const home = () => {
    const top = root.getRootNode();
    return top instanceof ShadowRoot ? top : body;
  };
  const attach = () => {
    host.classList.toggle("tvz-dark", root.classList.contains("tvz-dark"));
    const where = home();
    if (host.parentNode !== where) where.append(host);
  };
  attach();
  d.add(() => host.remove());
  const followRoot = new MutationObserver(() => {
    if (root.isConnected && !host.isConnected) attach();
    else if (!root.isConnected && host.isConnected) host.remove();
  });
  followRoot.observe(body, { childList: true, subtree: true });
  d.add(() => followRoot.disconnect());
  let current = null;
  let pinned = false;
  function place(anchor) {
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
  d.listen(window, "scroll", () => {
    if (current && !el.hidden) place(current);
  }, { capture: true, passive: true });
  function open(anchor, content) {
    attach();
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
      if (pinned) return;
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
      if (current && !current.isConnected) this.unpin();
    }
  };
}
function statTable(rows) {
  const dl = h("dl", { class: "tvz-stats" });
  for (const [k, v] of rows) dl.append(h("dt", { text: k }), h("dd", { text: v }));
  return dl;
}

// src/colors.js
var STEPS = 9;
var PROB_LOG_MIN = -4;
var clamp01 = (x) => Math.min(1, Math.max(0, x));
function probUnit(p) {
  if (!(p > 0)) return 0;
  return clamp01((Math.log10(p) - PROB_LOG_MIN) / -PROB_LOG_MIN);
}
function unitStep(u) {
  return Math.round(clamp01(u) * (STEPS - 1));
}
function unitColor(u) {
  return `var(--tvz-s${unitStep(u)})`;
}
function unitInk(u) {
  return `var(--tvz-s${unitStep(u)}-ink)`;
}
function probColor(p) {
  return p == null ? null : unitColor(probUnit(p));
}
function probInk(p) {
  return p == null ? null : unitInk(probUnit(p));
}
var LINEAR_STEPS = 5;
function linearStep(p) {
  return Math.min(LINEAR_STEPS - 1, Math.max(0, Math.floor(p * LINEAR_STEPS)));
}
var RANK_BUCKETS = Object.freeze([
  { max: 1, label: "1", unit: 1 },
  { max: 10, label: "2\u201310", unit: 0.75 },
  { max: 100, label: "11\u2013100", unit: 0.5 },
  { max: 1e3, label: "101\u20131000", unit: 0.25 },
  { max: Infinity, label: ">1000", unit: 0 }
]);
function rankBucket(r) {
  if (r == null || !(r >= 1)) return -1;
  return RANK_BUCKETS.findIndex((b) => r <= b.max);
}
function rankColor(r) {
  const b = rankBucket(r);
  return b < 0 ? null : unitColor(RANK_BUCKETS[b].unit);
}
function rankInk(r) {
  const b = rankBucket(r);
  return b < 0 ? null : unitInk(RANK_BUCKETS[b].unit);
}
var ENTROPY_MAX_BITS = 8;
function entropyColor(nats) {
  if (nats == null || Number.isNaN(nats)) return null;
  return bitsColor(natsToBits(nats));
}
function bitsColor(bits) {
  const u = clamp01(bits / ENTROPY_MAX_BITS);
  return `hsla(270, 70%, 55%, ${(0.05 + 0.5 * u).toFixed(3)})`;
}
function shownProb(tok, probMode) {
  if (probMode === "sampled" && tok.g && tok.sp != null) return tok.sp;
  return tok.p ?? null;
}
function tokenColor(tok, colorBy, probMode) {
  if (colorBy === "rank") return rankColor(tok.r);
  if (colorBy === "entropy") return entropyColor(tok.h);
  return probColor(shownProb(tok, probMode));
}
function tokenInk(tok, colorBy, probMode) {
  if (colorBy === "rank") return rankInk(tok.r);
  if (colorBy === "entropy") return null;
  return probInk(shownProb(tok, probMode));
}
function legendStops(colorBy) {
  if (colorBy === "rank") {
    return RANK_BUCKETS.map((b) => ({ color: unitColor(b.unit), ink: unitInk(b.unit), label: b.label }));
  }
  if (colorBy === "entropy") {
    return [0, 2, 4, 6, 8].map((bits) => ({
      color: bitsColor(bits),
      ink: null,
      label: bits === 8 ? "\u22658 bits" : `${bits}`
    }));
  }
  return [1e-4, 1e-3, 0.01, 0.1, 1].map((p) => ({
    color: unitColor(probUnit(p)),
    ink: unitInk(probUnit(p)),
    label: p >= 0.01 ? `${p * 100}%` : p === 1e-3 ? "0.1%" : "\u22640.01%"
  }));
}
var DIFF_MAX_NATS = 4;
var DIFF_ALPHA = 0.5;
var DIFF_HUES = Object.freeze({
  less: Object.freeze([33, 102, 172]),
  more: Object.freeze([230, 97, 1])
});
function diffUnit(d) {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 0 : Math.sign(d);
  return Math.max(-1, Math.min(1, d / DIFF_MAX_NATS));
}
function diffColor(d) {
  if (d == null || Number.isNaN(d)) return null;
  const u = diffUnit(d);
  const [r, g, b] = u < 0 ? DIFF_HUES.less : DIFF_HUES.more;
  return `rgba(${r}, ${g}, ${b}, ${(DIFF_ALPHA * Math.sqrt(Math.abs(u))).toFixed(3)})`;
}
function diffLegendStops() {
  return [-4, -2, -1, 0, 1, 2, 4].map((d) => ({
    d,
    color: (
      /** @type {string} */
      diffColor(d)
    ),
    label: d === 0 ? "0" : `${d <= -DIFF_MAX_NATS ? "\u2264" : d >= DIFF_MAX_NATS ? "\u2265" : ""}${d > 0 ? "+" : "\u2212"}${Math.abs(d)}`
  }));
}

// src/bars.js
function probBar(p) {
  const bar = h("span", { class: "tvz-bar" });
  bar.style.width = `${p > 0 ? Math.max(0.5, Math.min(100, p * 100)).toFixed(1) : 0}%`;
  bar.style.background = probColor(p) || "";
  return h("span", { class: "tvz-bar-track" }, [bar]);
}
function candidateBars(cands, pieces, actualId, limit = Infinity, sampled = false) {
  const list = h("ol", { class: "tvz-cands" });
  const shown2 = cands.slice(0, Math.max(0, limit));
  const display = (cid) => pieceDisplay(pieces[String(cid)]);
  const longest = Math.max(3, ...shown2.map(([cid]) => Array.from(plainLabel(display(cid))).length));
  list.style.setProperty("--tvz-cand-w", `${Math.min(16, longest) + 1}ch`);
  list.classList.toggle("tvz-cands-sampled", sampled);
  for (const [cid, p, sp] of shown2) {
    const isActual = actualId != null && cid === actualId;
    const after = sampled && sp != null;
    const removed = after && sp === 0;
    const row = h("li", { class: isActual ? "tvz-cand tvz-actual" : "tvz-cand", "data-id": cid }, [
      h("span", { class: "tvz-cand-tok" }, [displayNode(display(cid))]),
      probBar(after ? sp : p),
      h("span", { class: "tvz-cand-p", text: removed ? REMOVED : formatPercent(after ? sp : p) })
    ]);
    if (sampled) row.append(h("span", { class: "tvz-cand-raw", text: formatPercent(p) }));
    row.classList.toggle("tvz-cand-removed", removed);
    list.append(row);
  }
  return list;
}
var REMOVED = "removed";

// src/hover.js
function itemFinder(container, selector) {
  return (target) => {
    const item = target instanceof Element ? target.closest(selector) : null;
    return (item instanceof HTMLElement || item instanceof SVGElement) && container.contains(item) ? item : null;
  };
}
function onItemHover(d, container, itemOf, show) {
  const handle = (ev) => {
    const item = itemOf(ev.target);
    if (item) show(item);
  };
  d.listen(container, "mouseover", handle);
  d.listen(container, "focusin", handle);
}
function itemTooltips(cfg) {
  const { container, tooltip, disposer: d, itemOf, content } = cfg;
  const ownsPin = () => tooltip.isPinned() && container.contains(tooltip.anchor());
  const pin = (item) => {
    tooltip.pin(item, content(item), cfg.pinHint);
    if (cfg.onPin) cfg.onPin(item);
  };
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

// src/roving.js
var shown = (el) => !el.closest("[hidden]");
var linearStep2 = (item, key, items) => {
  const i = items.indexOf(item);
  if (key === "ArrowRight" || key === "ArrowDown") return items[i + 1] ?? null;
  if (key === "ArrowLeft" || key === "ArrowUp") return items[i - 1] ?? null;
  if (key === "Home") return items[0];
  if (key === "End") return items[items.length - 1];
  return void 0;
};
function rovingFocus(d, container, selector, step = linearStep2) {
  let current = null;
  const items = () => (
    /** @type {(HTMLElement | SVGElement)[]} */
    Array.from(container.querySelectorAll(selector)).filter(shown)
  );
  const makeCurrent = (item) => {
    if (current && current !== item) current.tabIndex = -1;
    current = item;
    item.tabIndex = 0;
  };
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
    if (next === void 0) return;
    ev.preventDefault();
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
    current: () => current
  };
}

// src/strip_blocks.js
var BLOCK_MAX = 512;
var BLOCK_MIN = 64;
var VIRTUAL_FROM = 3e3;
var NEAR = "600px 0px";
var FIRST_GUESS_PX = 2.4;
function blockBox(cfg) {
  const { box } = cfg;
  let blocks = [];
  let virtual = false;
  let pxPerToken = FIRST_GUESS_PX;
  let count3 = 0;
  const watcher = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const block = blocks.find((b) => b.el === entry.target);
      if (!block) continue;
      if (entry.isIntersecting) draw(block);
      else if (!cfg.keep(block.el)) clear(block);
    }
  }, { root: cfg.scroller, rootMargin: NEAR });
  cfg.disposer.add(() => watcher.disconnect());
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
  function clear(block) {
    if (!virtual || !block.drawn) return;
    const height = block.el.getBoundingClientRect().height;
    block.el.style.height = `${height}px`;
    block.el.replaceChildren();
    block.drawn = false;
  }
  function guessHeight(block) {
    if (virtual && !block.drawn) block.el.style.height = `${(block.end - block.start) * pxPerToken}px`;
  }
  function newBlock(start) {
    const el = document.createElement("span");
    el.className = "tvz-block";
    const block = { start, end: start, el, drawn: !virtual };
    blocks.push(block);
    box.append(el);
    if (virtual) watcher.observe(el);
    return block;
  }
  function extend(tokens) {
    let block = blocks[blocks.length - 1];
    for (let i = count3; i < tokens.length; i++) {
      const size = block ? block.end - block.start : 0;
      const full = !block || size >= BLOCK_MAX || size >= BLOCK_MIN && tokens[i - 1].t.includes("\n");
      if (full) {
        if (block) guessHeight(block);
        block = newBlock(i);
      }
      block.end = i + 1;
      if (block.drawn) block.el.append(cfg.span(i));
    }
    if (block) guessHeight(block);
    count3 = tokens.length;
  }
  function reset(tokens, long) {
    for (const b of blocks) watcher.unobserve(b.el);
    blocks = [];
    count3 = 0;
    virtual = long;
    box.replaceChildren();
    extend(tokens);
  }
  function spanAt(i) {
    if (!(i >= 0 && i < count3)) return null;
    let lo = 0, hi = blocks.length - 1;
    while (lo < hi) {
      const mid = lo + hi + 1 >> 1;
      if (blocks[mid].start <= i) lo = mid;
      else hi = mid - 1;
    }
    const block = blocks[lo];
    draw(block);
    const span = block.el.children[i - block.start];
    return span instanceof HTMLElement ? span : null;
  }
  const drawnSpans = () => (
    /** @type {HTMLElement[]} */
    [...box.querySelectorAll(".tvz-token")]
  );
  return { reset, extend, spanAt, drawnSpans, count: () => count3, isVirtual: () => virtual };
}

// src/strip.js
var STRIP_PIN_HINT = "selected \u2014 Esc closes; click the token again (or \u201Cclear selection\u201D) to unselect";
function createStrip(cfg) {
  const { tooltip, disposer, options } = cfg;
  const el = h("div", { class: "tvz-strip", role: "group", "aria-label": "tokens" });
  const promptBox = h("span", { class: "tvz-prompt-tokens" });
  const nextEl = h("span", { class: "tvz-next", tabindex: -1, "data-source": "next", text: "next \u25B8" });
  const sep = h("span", { class: "tvz-sep", "aria-hidden": "true", text: "\u25B8" });
  const genBox = h("span", { class: "tvz-gen-tokens" });
  nextEl.hidden = true;
  sep.hidden = true;
  el.append(promptBox, nextEl, sep, genBox);
  const data = {
    branchPoint: (
      /** @type {number | null} */
      null
    ),
    // the generated token a branch forced in
    // unavailable: numbers the result cannot give, each with its reason (a served model's), as Python sends them
    prompt: {
      tokens: (
        /** @type {Tok[]} */
        []
      ),
      pieces: (
        /** @type {Pieces} */
        {}
      ),
      unavailable: (
        /** @type {Record<string, string>} */
        {}
      )
    },
    generated: {
      tokens: (
        /** @type {Tok[]} */
        []
      ),
      pieces: (
        /** @type {Pieces} */
        {}
      ),
      unavailable: (
        /** @type {Record<string, string>} */
        {}
      )
    },
    next: { cands: (
      /** @type {import("./types.js").Cand[] | null} */
      null
    ), pieces: (
      /** @type {Pieces} */
      {}
    ) }
  };
  let selectedEl = null;
  function paint(span, tok, o) {
    span.style.backgroundColor = tokenColor(tok, o.colorBy, o.probMode) || "";
    span.style.color = tokenInk(tok, o.colorBy, o.probMode) || "";
  }
  function tokenSpan(tok, i, source, pieces, o) {
    const d = tokenDisplay(tok, pieces);
    const span = document.createElement("span");
    let cls = source === "generated" ? "tvz-token tvz-gen" : "tvz-token";
    if (tok.f) cls += " tvz-forced";
    if (source === "generated" && i === data.branchPoint) cls += " tvz-branch-point";
    if (d.kind === "bytes") cls += " tvz-partial";
    else if (d.kind === "special") cls += " tvz-tag";
    span.className = cls;
    span.tabIndex = -1;
    span.dataset.index = String(i);
    span.dataset.source = source;
    paint(span, tok, o);
    span.append(displayNode(d, { breaks: true }));
    return span;
  }
  const keep = (block) => !!selectedEl && block.contains(selectedEl) || block.contains(tooltip.anchor() ?? null);
  const boxOf = (source, box) => blockBox({
    box,
    scroller: el,
    keep,
    disposer,
    span: (i) => tokenSpan(data[source].tokens[i], i, source, data[source].pieces, options())
  });
  const boxes = { prompt: boxOf("prompt", promptBox), generated: boxOf("generated", genBox) };
  function setPrompt(s) {
    data.prompt.tokens = s && s.tokens || [];
    data.prompt.pieces = s && s.pieces || {};
    data.prompt.unavailable = s && s.unavailable || {};
    data.next.cands = s && s.next || null;
    data.next.pieces = data.prompt.pieces;
    boxes.prompt.reset(data.prompt.tokens, data.prompt.tokens.length > VIRTUAL_FROM);
    el.classList.toggle("tvz-virtual", boxes.prompt.isVirtual() || boxes.generated.isVirtual());
    updateMarkers();
    tooltip.dropDetached();
  }
  function setGenerated(tokens, pieces, branchPoint = null, unavailable = {}) {
    const old = data.generated.tokens;
    const n = boxes.generated.count();
    const extends_ = n <= tokens.length && n === old.length && (n === 0 || old[n - 1].id === tokens[n - 1].id) && branchPoint === data.branchPoint;
    data.branchPoint = branchPoint;
    data.generated.tokens = tokens;
    data.generated.pieces = pieces || {};
    data.generated.unavailable = unavailable;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 4;
    if (extends_) boxes.generated.extend(tokens);
    else boxes.generated.reset(tokens, tokens.length > VIRTUAL_FROM);
    el.classList.toggle("tvz-virtual", boxes.prompt.isVirtual() || boxes.generated.isVirtual());
    if (atEnd && el.scrollHeight > el.clientHeight) el.scrollTop = el.scrollHeight;
    updateMarkers();
    tooltip.dropDetached();
  }
  function updateMarkers() {
    const hasGen = data.generated.tokens.length > 0;
    sep.hidden = !hasGen || data.prompt.tokens.length === 0;
    nextEl.hidden = hasGen || !data.next.cands || data.next.cands.length === 0;
    focus.refresh();
  }
  function recolor() {
    const o = options();
    for (
      const src of
      /** @type {const} */
      ["prompt", "generated"]
    ) {
      const toks = data[src].tokens;
      for (const span of boxes[src].drawnSpans()) {
        const tok = toks[Number(span.dataset.index)];
        if (tok) paint(span, tok, o);
        else span.style.backgroundColor = span.style.color = "";
      }
    }
  }
  function markSelected(sel) {
    if (selectedEl) selectedEl.classList.remove("tvz-selected");
    selectedEl = sel ? spanAt(sel.source, sel.index) : null;
    if (selectedEl) selectedEl.classList.add("tvz-selected");
  }
  function spanAt(source, index) {
    return source === "generated" || source === "prompt" ? boxes[source].spanAt(index) : null;
  }
  function tipContent(span) {
    const o = options();
    const limit = o.alternatives ?? Infinity;
    if (span.dataset.source === "next") {
      return h("div", {}, [
        h("div", { class: "tvz-tip-title", text: "Predicted next token" }),
        candidateBars(data.next.cands || [], data.next.pieces, null, limit)
      ]);
    }
    const source = span.dataset.source === "generated" ? "generated" : "prompt";
    const tok = data[source].tokens[Number(span.dataset.index)];
    const pieces = data[source].pieces;
    if (!tok) return h("div", { text: "?" });
    const d = tokenDisplay(tok, pieces);
    const head = h("div", { class: "tvz-tip-head" }, [
      h("span", { class: "tvz-tip-tok" }, [displayNode(d)]),
      // Python's own index (analysis.tokens[i], generation.tokens[i]): one numbering in every view
      h("span", { class: "tvz-tip-src", text: `${source} token ${span.dataset.index}` })
    ]);
    const body = h("div", {}, [head]);
    const rows = [];
    const piece = pieces[String(tok.id)];
    if (piece && typeof piece === "object" && "bytes" in piece) rows.push(["bytes", bytesNote(tok, piece.bytes)]);
    const why = data[source].unavailable;
    const predicted = tok.p != null || tok.sp != null || tok.top && tok.top.length > 0;
    if (!predicted) {
      body.append(h("div", { class: "tvz-note", text: "First token: nothing before it, so no prediction." }));
    } else {
      if (tok.p != null || tok.sp != null) rows.push(...probabilityRows(tok));
      else rows.push(["p", NOT_REPORTED]);
      if (tok.lp != null && tok.s != null) {
        rows.push([LOGP_SURPRISAL_LABEL, `${formatLogProb(tok.lp)} \xB7 ${formatSurprisal(tok.s)}`]);
      }
      rows.push(
        ["rank", tok.r == null && why.rank ? OUTSIDE_TOP_K : formatRank(tok.r)],
        ["entropy", tok.h == null && why.entropy ? NOT_REPORTED : formatBits(tok.h)]
      );
    }
    rows.push(["id", String(tok.id)]);
    body.append(statTable(rows));
    if (tok.g && tok.sp != null) body.append(h("div", { class: "tvz-note tvz-sampled-note", text: SAMPLED_P_NOTE }));
    if (tok.f) body.append(h("div", { class: "tvz-note tvz-forced-note", text: FORCED_NOTE }));
    if (tok.top && tok.top.length) {
      const shown2 = Math.min(limit, tok.top.length);
      const sampled = o.probMode === "sampled" && !!tok.g && tok.top.some((c) => c.length > 2);
      body.append(h("div", { class: "tvz-tip-sub", text: sampled ? `Top ${shown2} predicted here, ${SAMPLED_LIST_NOTE}` : `Top ${shown2} predicted here` }));
      const bars = candidateBars(tok.top, pieces, tok.id, limit, sampled);
      if (cfg.onBranch) {
        bars.classList.add("tvz-branchable");
        for (const row of bars.children) if (row instanceof HTMLElement) row.tabIndex = 0;
      }
      body.append(bars);
      if (cfg.onBranch) body.append(h("div", { class: "tvz-hint tvz-branch-hint", text: BRANCH_HINT }));
      if (!tok.top.slice(0, shown2).some((c) => c[0] === tok.id)) {
        body.append(h("div", { class: "tvz-note", text: `Actual token not in the top ${shown2} (rank ${tok.r == null && why.rank ? OUTSIDE_TOP_K : formatRank(tok.r)}).` }));
      }
    }
    return body;
  }
  const tokenOf = itemFinder(el, ".tvz-token, .tvz-next");
  const select = (span) => {
    const src = span.dataset.source;
    if (src === "prompt" || src === "generated") cfg.onSelect?.({ source: src, index: Number(span.dataset.index) });
  };
  const tips = itemTooltips({
    container: el,
    tooltip,
    disposer,
    itemOf: tokenOf,
    content: tipContent,
    onPin: select,
    onUnpin: () => cfg.onSelect?.(null),
    pinHint: STRIP_PIN_HINT,
    pointers: cfg.pointers
  });
  const itemAt = (g) => {
    const nPrompt = data.prompt.tokens.length, nGen = data.generated.tokens.length;
    if (g < 0) return null;
    if (g < nPrompt) return spanAt("prompt", g);
    if (nGen) return spanAt("generated", g - nPrompt);
    return g === nPrompt && !nextEl.hidden ? nextEl : null;
  };
  const stripStep = (item, key, items) => {
    const nPrompt = data.prompt.tokens.length;
    const last = nPrompt + (data.generated.tokens.length || (nextEl.hidden ? 0 : 1)) - 1;
    const src = item.dataset.source;
    if (src !== "prompt" && src !== "generated" && src !== "next") return linearStep2(item, key, items);
    const g = src === "prompt" ? Number(item.dataset.index) : src === "next" ? nPrompt : nPrompt + Number(item.dataset.index);
    if (key === "ArrowRight" || key === "ArrowDown") return itemAt(g + 1);
    if (key === "ArrowLeft" || key === "ArrowUp") return itemAt(g - 1);
    if (key === "Home") return itemAt(0);
    if (key === "End") return itemAt(last);
    return void 0;
  };
  const focus = rovingFocus(disposer, el, ".tvz-token, .tvz-next", stripStep);
  const branchFrom = (ev) => {
    const row = ev.target instanceof Element ? ev.target.closest(".tvz-branchable .tvz-cand[data-id]") : null;
    const span = tooltip.anchor();
    if (!row || !cfg.onBranch || !tooltip.isPinned() || !(span instanceof HTMLElement) || !el.contains(span)) return;
    const source = span.dataset.source;
    if (source !== "prompt" && source !== "generated") return;
    ev.preventDefault();
    cfg.onBranch({ source, index: Number(span.dataset.index), tokenId: Number(row.getAttribute("data-id")) });
  };
  disposer.listen(tooltip.el, "click", branchFrom);
  disposer.listen(tooltip.el, "keydown", (ev) => {
    if (
      /** @type {KeyboardEvent} */
      ev.key === "Enter"
    ) branchFrom(ev);
  });
  function showAt(source, index) {
    const span = spanAt(source, index);
    if (span && tooltip.anchor() !== span) tips.show(span);
  }
  function pinAt(source, index) {
    const span = spanAt(source, index);
    if (!span) return;
    span.scrollIntoView({ block: "nearest" });
    tips.pin(span);
  }
  return {
    el,
    setPrompt,
    setGenerated,
    recolor,
    markSelected,
    spanAt,
    showAt,
    pinAt,
    data,
    selectedSpan: () => selectedEl
  };
}
var NOT_REPORTED = "not reported by the server";
var OUTSIDE_TOP_K = "outside the server's top-k";
var FORCED_NOTE = "Forced: a branch put this token here (nothing sampled it); p is the model's probability of it.";
var BRANCH_HINT = "To branch, click the token, then a candidate: generation continues with it in this token's place.";
var LOGP_SURPRISAL_LABEL = "log p \xB7 surprisal";
var RAW_P_LABEL = "model's p";
var SAMPLED_P_LABEL = "sampled p";
var SAMPLED_LIST_NOTE = "after temperature/top-k/top-p (model's p in grey)";
var SAMPLED_P_NOTE = "sampled p: after temperature / top-k / top-p, the distribution this token was drawn from.";
function probabilityRows(tok) {
  if (!(tok.g && tok.sp != null)) return [["p", formatPercent(tok.p)]];
  return [[RAW_P_LABEL, formatPercent(tok.p)], [SAMPLED_P_LABEL, formatPercent(tok.sp)]];
}
function bytesNote(tok, hex) {
  const bytes = byteBadges(hex).join(" ");
  if (!tok.t) return `${bytes} (part of a character)`;
  return tok.pending ? `${bytes} (ends with the start of a character)` : `${bytes} (completes a character)`;
}

// src/controls.js
function setTrait(model, name, value) {
  model.set(name, value);
  model.save_changes();
}
function acceptNumber(v, limit) {
  if (!Number.isFinite(v)) return false;
  if (limit.off != null && v === limit.off) return true;
  if (limit.integer && !Number.isInteger(v)) return false;
  if (limit.high != null && v > limit.high) return false;
  if (limit.low != null && (v < limit.low || limit.low_open && v === limit.low)) return false;
  return true;
}
function rangeText(limit) {
  const { low, high } = limit;
  const off = limit.off != null ? `; ${limit.off} = off` : "";
  if (low != null && high != null) return `${limit.low_open ? "(" : "["}${low}, ${high}]${off}`;
  if (low != null) return `${limit.low_open ? ">" : "\u2265"} ${low}${off}`;
  return high != null ? `\u2264 ${high}${off}` : `any number${off}`;
}
function numberField(model, d, name, o) {
  const input = h("input", { type: "number", class: "tvz-num", name });
  const note = h("span", { class: "tvz-field-note", role: "status" });
  const label = h("label", { class: "tvz-field" }, [h("span", { text: o.label }), input, note]);
  const limit = () => model.get("limits")[name];
  const applyLimit = () => {
    const l = limit();
    const min = l.off != null && (l.low == null || l.off < l.low) ? l.off : l.low;
    input.min = min == null ? "" : String(min);
    input.max = l.high == null ? "" : String(l.high);
    input.step = String(l.step);
    label.title = [o.title, `allowed: ${rangeText(l)}`].filter(Boolean).join(" \u2014 ");
  };
  const refuse = (message) => {
    note.textContent = message;
    input.classList.toggle("tvz-adjusted", message !== "");
  };
  const sync = () => {
    const v = model.get(name);
    if (document.activeElement !== input || Number(input.value) !== v) input.value = v == null ? "" : String(v);
    refuse("");
  };
  applyLimit();
  sync();
  d.onModel(model, "change:limits", applyLimit);
  d.onModel(model, `change:${name}`, sync);
  d.listen(input, "change", () => {
    const typed = input.value === "" ? NaN : Number(input.value);
    if (!acceptNumber(typed, limit())) {
      const what = input.value === "" ? "a number" : input.value;
      refuse(`${what} not used: ${o.label} allowed ${rangeText(limit())} (still ${model.get(name)})`);
      return;
    }
    refuse("");
    if (typed !== model.get(name)) setTrait(model, name, typed);
  });
  return label;
}
function checkField(model, d, name, o) {
  const input = h("input", { type: "checkbox", name });
  const sync = () => {
    input.checked = !!model.get(name);
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  d.listen(input, "change", () => setTrait(model, name, input.checked));
  return h("label", { class: "tvz-field tvz-check", title: o.title }, [input, h("span", { text: o.label })]);
}
var RADIO_KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
function radioKeys(d, group2, buttons, choose) {
  d.listen(group2, "keydown", (ev) => {
    const move = RADIO_KEYS[
      /** @type {keyof RADIO_KEYS} */
      /** @type {KeyboardEvent} */
      ev.key
    ];
    const all = buttons();
    const at = all.indexOf(
      /** @type {HTMLButtonElement} */
      ev.target
    );
    if (!move || at < 0) return;
    ev.preventDefault();
    const next = all[(at + move + all.length) % all.length];
    choose(next);
    next.focus();
  });
}
function switchField(model, d, name, o) {
  const group2 = h("span", { class: "tvz-switch", role: "radiogroup", "aria-label": o.label });
  const buttons = [];
  for (const [value, label] of o.choices) {
    const b = h("button", { type: "button", role: "radio", "data-value": value, text: label });
    d.listen(b, "click", () => setTrait(model, name, value));
    buttons.push(b);
    group2.append(b);
  }
  radioKeys(d, group2, () => buttons, (next) => setTrait(model, name, next.dataset.value));
  const sync = () => {
    const v = model.get(name);
    for (const b of buttons) {
      b.setAttribute("aria-checked", String(b.dataset.value === v));
      b.tabIndex = b.dataset.value === v ? 0 : -1;
    }
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  return h("span", { class: "tvz-field" }, [h("span", { text: o.label }), group2]);
}
var LEGEND_TEXT = {
  prob: "Probability the model gave each token given the text before it (log scale):",
  rank: "Rank of each token among all predictions at its position:",
  entropy: "Uncertainty (entropy, bits) of the prediction at each position:"
};
function legend(getMode, getNote) {
  const el = h("div", { class: "tvz-legend" });
  const update = () => {
    const mode = getMode();
    const stops = legendStops(mode);
    const note = getNote ? getNote() : "";
    el.replaceChildren(
      h("span", { class: "tvz-legend-text", text: (LEGEND_TEXT[mode] || "") + (note ? ` ${note}` : "") }),
      ...stops.map((s) => {
        const sw = h("span", { class: "tvz-swatch", text: s.label });
        sw.style.backgroundColor = s.color;
        if (s.ink) sw.style.color = s.ink;
        return sw;
      })
    );
  };
  update();
  return { el, update };
}
function marksKey() {
  const entry = (cls, text, meaning) => h("span", { class: "tvz-key-entry" }, [
    h("span", { class: `tvz-key-mark ${cls}`, text }),
    h("span", { class: "tvz-key-meaning", text: meaning })
  ]);
  return h("div", { class: "tvz-key", role: "note", "aria-label": "what the marks mean" }, [
    entry("tvz-ws", MARK.space, "a space"),
    entry("tvz-ws", MARK.newline, "a newline"),
    entry("tvz-ws", MARK.tab, "a tab"),
    entry("tvz-byte", byteBadges("e2")[0], "a byte: part of a character split across tokens"),
    entry("tvz-key-gen", "word", "a generated token (the prompt's tokens are upright)")
  ]);
}

// src/token_table.js
var POW10 = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));
var NULL = 0;
var EXCEPTION = 1;
var ZERO = 2;
var FIRST_CODE = 3;
var FLAG_GENERATED = 1;
var FLAG_FORCED = 2;
var FLAG_SAMPLED = 4;
var ARRAYS = { u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, i2: Int16Array, i4: Int32Array };
var decimalValue = (m, e) => -e > 22 ? m / POW10[22] / POW10[-e - 22] : m / POW10[-e];
function readColumn(buffer, col, exceptions) {
  const [, type, offset, count3, codec, digitsOrPlaces, lowest] = col;
  const raw = new ARRAYS[type](buffer, offset, count3);
  if (!codec) return raw;
  const out = new Float64Array(count3);
  if (codec === "fixed") {
    const scale = POW10[digitsOrPlaces];
    const nullCode = type === "i2" ? -(2 ** 15) : -(2 ** 31);
    for (let i = 0; i < count3; i++) out[i] = raw[i] === nullCode ? NaN : raw[i] / scale;
  } else {
    const first = 10 ** (digitsOrPlaces - 1), span = 9 * first;
    for (let i = 0; i < count3; i++) {
      const code = raw[i];
      if (code === NULL || code === EXCEPTION) out[i] = NaN;
      else if (code === ZERO) out[i] = 0;
      else {
        const j = code - FIRST_CODE;
        out[i] = decimalValue(j % span + first, Math.floor(j / span) + lowest);
      }
    }
  }
  for (const [i, v] of Object.entries(exceptions)) out[Number(i)] = v ?? NaN;
  return out;
}
var orNull = (v) => Number.isNaN(v) ? null : v;
function defaultText(pieces, id) {
  const piece = pieces[String(id)];
  if (typeof piece === "string") return piece;
  return piece && "special" in piece ? piece.special : "";
}
function decodeChunk(chunk, pieces) {
  Object.assign(pieces, chunk.pieces);
  const view = chunk.data;
  const buffer = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
  const c = {};
  for (const col of chunk.columns) c[col[0]] = readColumn(buffer, col, chunk.exceptions?.[col[0]] ?? {});
  const n = chunk.length;
  const topStart = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) topStart[i + 1] = topStart[i] + c.top_n[i];
  const texts = chunk.text ?? {}, pending = chunk.pending ?? {};
  const tokens = new Array(n);
  for (let i = 0; i < n; i++) tokens[i] = new TableToken(c, i, topStart, texts, pending, pieces);
  return (
    /** @type {Tok[]} */
    tokens
  );
}
var TableToken = class {
  /**
   * @param {Record<string, any>} c @param {number} i @param {Uint32Array} topStart
   * @param {Record<string, string>} texts @param {Record<string, string>} pending @param {Pieces} pieces
   */
  constructor(c, i, topStart, texts, pending, pieces) {
    this._c = c;
    this._i = i;
    this._topStart = topStart;
    this._texts = texts;
    this._pending = pending;
    this._pieces = pieces;
  }
  get id() {
    return this._c.id[this._i];
  }
  get t() {
    return this._texts[this._i] ?? defaultText(this._pieces, this.id);
  }
  get p() {
    return orNull(this._c.p[this._i]);
  }
  get lp() {
    return orNull(this._c.lp[this._i]);
  }
  get s() {
    return orNull(this._c.s[this._i]);
  }
  get r() {
    return this._c.r[this._i] || null;
  }
  // ranks start at 1: 0 is null
  get h() {
    return orNull(this._c.h[this._i]);
  }
  get pending() {
    return this._pending[this._i];
  }
  get g() {
    return this._c.flags[this._i] & FLAG_GENERATED ? 1 : void 0;
  }
  get f() {
    return this._c.flags[this._i] & FLAG_FORCED ? 1 : void 0;
  }
  get sp() {
    return this._c.flags[this._i] & FLAG_SAMPLED ? orNull(this._c.sp[this._i]) : void 0;
  }
  get ss() {
    return this._c.flags[this._i] & FLAG_SAMPLED ? orNull(this._c.ss[this._i]) : void 0;
  }
  /** The shown candidates, [id, prob] or [id, prob, sampled prob], or null where there is no prediction. */
  get top() {
    const from = this._topStart[this._i], to = this._topStart[this._i + 1];
    if (from === to) return null;
    const { top_id: ids, top_p: probs, top_sp: sampled } = this._c;
    const cands = [];
    for (let j = from; j < to; j++) {
      const sp = sampled ? sampled[j] : NaN;
      cands.push(Number.isNaN(sp) ? [ids[j], probs[j]] : [ids[j], probs[j], sp]);
    }
    return cands;
  }
};
function decodeStrip(strip, more = []) {
  const pieces = { ...strip.pieces ?? {} };
  let tokens = [];
  for (const chunk of [...strip.chunks ?? [], ...more]) {
    if (chunk.start !== tokens.length) break;
    tokens = tokens.concat(decodeChunk(chunk, pieces));
  }
  return { tokens, pieces };
}

// src/tokenviz/state.js
var BUSY = /* @__PURE__ */ new Set(["analyzing", "generating"]);
var decoded = /* @__PURE__ */ new WeakMap();
var received = /* @__PURE__ */ new WeakMap();
function stripTrait(model, name) {
  const live = name === "generation_data" && streaming.get(model);
  if (live) return live;
  const sent = model.get(name) ?? {};
  if (!sent.chunks) return { ...sent, tokens: [], pieces: sent.pieces ?? {} };
  const apart = sent.key ? receivedFor(model, name, sent.key) : null;
  const count3 = apart ? apart.chunks.length : 0;
  const memo = decoded.get(sent);
  if (memo && memo.count === count3) return memo.strip;
  const strip = { ...sent, ...decodeStrip(sent, apart ? apart.chunks : []) };
  decoded.set(sent, { count: count3, strip });
  if (apart && !apart.asked && strip.tokens.length < (sent.length ?? 0)) {
    apart.asked = true;
    model.send({ action: "chunks", trait: name, key: sent.key, from: (sent.chunks ?? []).length + count3 });
  }
  return strip;
}
function receivedFor(model, name, key) {
  let byTrait = received.get(model);
  if (!byTrait) received.set(model, byTrait = /* @__PURE__ */ new Map());
  let held = byTrait.get(name);
  if (!held || held.key !== key) byTrait.set(name, held = { key, chunks: [], asked: false });
  return held;
}
function applyChunkMessage(model, msg, buffers = []) {
  if (msg.kind !== "strip_chunk") return false;
  const sent = model.get(msg.trait) ?? {};
  if (sent.key !== msg.key) return false;
  const held = receivedFor(model, msg.trait, msg.key);
  if (msg.index !== (sent.chunks ?? []).length + held.chunks.length) return false;
  const chunk = { ...msg.chunk, data: buffers[0] };
  held.chunks.push(chunk);
  return chunk.start + chunk.length >= (sent.length ?? 0);
}
var streaming = /* @__PURE__ */ new WeakMap();
function applyStreamMessage(model, msg, buffers = []) {
  if (msg.kind === "generation_end") return streaming.delete(model);
  if (msg.kind !== "generation_delta") return false;
  const { kind: _, from, chunk, ...summary } = msg;
  const held = streaming.get(model);
  if (from !== 0 && (!held || held.tokens.length !== from)) return false;
  const pieces = from === 0 || !held ? {} : held.pieces;
  const tokens = decodeChunk({ ...chunk, data: buffers[0] }, pieces);
  streaming.set(model, {
    ...from === 0 || !held ? {} : held,
    ...summary,
    pieces,
    tokens: from === 0 || !held ? tokens : held.tokens.concat(tokens)
  });
  return true;
}
var endStream = (model) => streaming.delete(model);
var isBusy = (model) => BUSY.has(model.get("status"));

// src/tokenviz/prompt.js
function promptRow(model, d) {
  const prompt = h("textarea", { class: "tvz-prompt", rows: 3, "aria-label": "Prompt", spellcheck: "false" });
  prompt.value = model.get("prompt");
  d.listen(prompt, "input", () => setTrait(model, "prompt", prompt.value));
  d.onModel(model, "change:prompt", () => {
    const v = model.get("prompt");
    if (prompt.value !== v) prompt.value = v;
  });
  const act = (action) => model.send({ action });
  const bAnalyze = h("button", { type: "button", class: "tvz-btn tvz-primary", "data-action": "analyze", text: "Analyze" });
  const bGenerate = h("button", { type: "button", class: "tvz-btn", "data-action": "generate", text: "Generate" });
  const bStop = h("button", { type: "button", class: "tvz-btn", "data-action": "stop", text: "Stop" });
  d.listen(bAnalyze, "click", () => act("analyze"));
  d.listen(bGenerate, "click", () => act("generate"));
  d.listen(bStop, "click", () => act("stop"));
  d.listen(prompt, "keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      if (!isBusy(model)) act("analyze");
    }
  });
  const el = h("div", { class: "tvz-prompt-row" }, [
    prompt,
    h("div", { class: "tvz-actions" }, [bAnalyze, bGenerate, bStop])
  ]);
  const showBusy = (busy) => {
    bAnalyze.disabled = busy;
    bGenerate.disabled = busy;
    bStop.disabled = !busy;
  };
  return { el, showBusy };
}

// src/tokenviz/settings.js
var PROB_MODE_CHOICES = [["raw", "model's probability"], ["sampled", "after temperature/top-k/top-p"]];
function group(name, title, children) {
  return h("fieldset", { class: `tvz-group tvz-group-${name}` }, [h("legend", { text: title }), ...children]);
}
function decodingGroup(model, d, unsupported) {
  const samplingFields = [
    numberField(model, d, "temperature", { label: "temperature", title: "used only when sampling" }),
    numberField(model, d, "top_k", { label: "top-k", title: "sampling filter, used only when sampling" }),
    numberField(model, d, "top_p", { label: "top-p", title: "sampling filter, used only when sampling" })
  ];
  const samplingHint = h("span", {
    class: "tvz-hint tvz-sampling-hint",
    text: "temperature, top-k and top-p apply only when \u201Csample\u201D is ticked"
  });
  const beamsField = numberField(model, d, "num_beams", { label: "beams" });
  if (unsupported.num_beams) {
    const input = beamsField.querySelector("input");
    if (input) input.disabled = true;
    beamsField.classList.add("tvz-off");
    beamsField.title = unsupported.num_beams;
  }
  const el = group("decoding", "Decoding \u2014 used by Generate", [
    numberField(model, d, "max_new_tokens", { label: "max new tokens" }),
    checkField(model, d, "do_sample", { label: "sample", title: "sample instead of greedy / beam search" }),
    ...samplingFields,
    beamsField,
    checkField(model, d, "stop_at_newline", { label: "stop at newline" }),
    samplingHint
  ]);
  const showSampling = () => {
    const sampling = !!model.get("do_sample");
    for (const field of samplingFields) {
      const input = field.querySelector("input");
      if (input) input.disabled = !sampling;
      field.classList.toggle("tvz-off", !sampling);
    }
    samplingHint.hidden = sampling;
  };
  return { el, showSampling };
}
function nextRunHint(model) {
  const el = h("span", { class: "tvz-hint tvz-next-run" });
  const update = () => {
    const shown2 = stripTrait(model, "analysis_data").alternatives ?? stripTrait(model, "generation_data").alternatives;
    const wanted = model.get("alternatives");
    el.hidden = shown2 == null || shown2 === wanted;
    el.textContent = `alternatives ${wanted}: from the next Analyze / Generate (this result has ${shown2})`;
  };
  return { el, update };
}
function displayGroup(model, d, o) {
  return group("display", "Display", [
    switchField(model, d, "color_by", { label: "colour by", choices: [["prob", "probability"], ["rank", "rank"], ["entropy", "entropy"]] }),
    switchField(model, d, "prob_mode", { label: "generated", choices: PROB_MODE_CHOICES }),
    ...o.interactive ? [
      numberField(model, d, "alternatives", { label: "alternatives", title: "candidates shown per token" }),
      o.nextRun
    ] : [],
    ...o.extra
  ]);
}

// src/export.js
var TSV_COLUMNS = [
  "source",
  "index",
  "token",
  "id",
  "p",
  "log_p_nats",
  "surprisal_bits",
  "rank",
  "entropy_bits",
  "sampled_p"
];
var entropyBits = (h2) => h2 == null ? null : Number(natsToBits(h2).toPrecision(4));
function tsvText(tok, pieces) {
  const piece = pieces[String(tok.id)];
  const bytes = (hex) => byteBadges(hex).map((b) => `\\x${b}`).join("");
  if (tok.t === "" && piece && typeof piece === "object" && "bytes" in piece) return bytes(piece.bytes);
  const text = tok.t.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "	": "\\t", "\n": "\\n", "\r": "\\r" })[c] ?? c);
  return tok.pending ? text + bytes(tok.pending) : text;
}
function stripTsv(parts) {
  const cell2 = (v) => v == null ? "" : String(v);
  const lines = [TSV_COLUMNS.join("	")];
  for (const { source, tokens, pieces } of parts) {
    tokens.forEach((tok, i) => {
      lines.push([source, i, tsvText(tok, pieces), tok.id, tok.p, tok.lp, tok.s, tok.r, entropyBits(tok.h), tok.sp].map(cell2).join("	"));
    });
  }
  return `${lines.join("\n")}
`;
}
async function copyText(text, doc) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = doc.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.left = "-9999px";
    doc.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = doc.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}
function downloadText(text, filename, type, doc) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 6e4);
}

// src/tokenviz/export-buttons.js
function exportButtons(model, d, o) {
  const { strip, root } = o;
  const bCopy = h("button", {
    type: "button",
    class: "tvz-btn",
    "data-export": "tsv",
    text: "copy TSV",
    title: "copy every token with its numbers, tab-separated (paste into a spreadsheet)"
  });
  const bSave = h("button", {
    type: "button",
    class: "tvz-btn",
    "data-action": "save-html",
    text: "save HTML",
    title: "download this view as one self-contained HTML page (works without Python)"
  });
  const exportNote = h("span", { class: "tvz-hint tvz-export-note", role: "status" });
  const note = (text) => {
    exportNote.textContent = text;
  };
  d.listen(bCopy, "click", async () => {
    const parts = (
      /** @type {const} */
      ["prompt", "generated"].map((source) => ({ source, ...strip.data[source] }))
    );
    const n = parts[0].tokens.length + parts[1].tokens.length;
    const ok = await copyText(stripTsv(parts), root.ownerDocument);
    note(ok ? `copied ${n} tokens as TSV` : "the browser refused the clipboard: use w.analysis / w.generation in Python");
  });
  d.listen(bSave, "click", () => {
    note("building the page\u2026");
    model.send({ action: "save_html" });
  });
  d.onModel(model, "msg:custom", (msg) => {
    if (!msg || msg.kind !== "html" || typeof msg.html !== "string") return;
    downloadText(msg.html, msg.filename || "tokviz.html", "text/html", root.ownerDocument);
    note(`saved ${msg.filename || "tokviz.html"}`);
  });
  return h("span", { class: "tvz-field tvz-export" }, [bCopy, ...o.interactive ? [bSave] : [], exportNote]);
}

// src/tokenviz/selection.js
function selection(model, d, strip, tooltip) {
  const clearButton = h("button", { type: "button", class: "tvz-btn tvz-clear-selection", text: "clear selection" });
  d.listen(clearButton, "click", () => setTrait(model, "selected", {}));
  const update = () => {
    const sel = model.get("selected");
    const source = sel.source;
    strip.markSelected(source === "prompt" || source === "generated" ? sel : null);
    const idle = !strip.selectedSpan();
    clearButton.style.visibility = idle ? "hidden" : "";
    clearButton.disabled = idle;
    if (!source && tooltip.isPinned() && strip.el.contains(tooltip.anchor())) tooltip.unpin();
  };
  return { clearButton, update };
}

// src/tokenviz/notes.js
var UNAVAILABLE_LABELS = {
  logprob: "some log-probabilities",
  rank: "rank beyond the top-k",
  first_prediction: "the second token's prediction",
  token_ids: "token ids",
  next: "the distribution after the text",
  sampled_prob: "sampled probability",
  prob: "the model's own probability",
  eos_token: "end-of-text token",
  token_text: "some token text",
  cut_off: "the rest of the generation"
};
function errorBox(model) {
  const el = h("div", { class: "tvz-error", role: "alert" });
  const update = () => {
    const msg = model.get("error") || "";
    el.textContent = msg;
    el.hidden = !msg;
  };
  return { el, update };
}
function staleNote(model, strip) {
  const el = h("div", { class: "tvz-stale-note", role: "status" });
  const update = () => {
    const a = stripTrait(model, "analysis_data");
    const made = a.from_prompt ?? a.text;
    const stale = made != null && made !== model.get("prompt");
    strip.el.classList.toggle("tvz-stale", stale);
    el.hidden = !stale;
    el.textContent = "The prompt has changed: the colours and perplexity below are for the previous prompt. Press Analyze to update them.";
  };
  return { el, update };
}
function emptyNote(interactive, strip) {
  const el = h("div", { class: "tvz-empty", text: interactive ? "Nothing analysed yet: type a prompt above and press Analyze (Ctrl+Enter) to colour each token by its probability, or Generate to continue it." : "This view holds no result." });
  const update = () => {
    el.hidden = strip.data.prompt.tokens.length + strip.data.generated.tokens.length > 0;
  };
  return { el, update };
}
function unavailableList(model) {
  const el = h("details", { class: "tvz-unavailable" });
  const label = (name) => UNAVAILABLE_LABELS[name] ?? name.replace(/_/g, " ");
  const update = () => {
    const reasons = {
      ...stripTrait(model, "analysis_data").unavailable ?? {},
      ...stripTrait(model, "generation_data").unavailable ?? {}
    };
    const names = Object.keys(reasons);
    el.hidden = names.length === 0;
    el.replaceChildren(
      h("summary", { text: `Not available: ${names.map(label).join(", ")}` }),
      h("ul", {}, names.map((n) => h("li", {}, [
        h("span", { class: "tvz-unavailable-name", text: `${label(n)}: ` }),
        h("span", { text: reasons[n] })
      ])))
    );
  };
  return { el, update };
}

// src/charts.js
var GEN_KEY = "generated token";
var GEN_KEY_SAMPLED = "generated token, after temperature/top-k/top-p";
var PLOT_HEIGHT = 56;
var LABEL_ROOM = 64;
var MAX_BARS = 1500;
var clip = (s) => Array.from(s).length > 8 ? `${Array.from(s).slice(0, 7).join("")}\u2026` : s;
function surprisalChart(cfg) {
  const genKey = h("span", { text: GEN_KEY });
  const promptBars = svg("path", { class: "tvz-surp-bars" });
  const genBars = svg("path", { class: "tvz-surp-bars tvz-surp-gen" });
  const cursor = svg("rect", { class: "tvz-surp-cursor", y: 0, height: PLOT_HEIGHT, width: 1 });
  const plot = svg("svg", {
    class: "tvz-surp-svg",
    height: PLOT_HEIGHT,
    preserveAspectRatio: "none",
    role: "img"
  }, [promptBars, genBars, cursor]);
  const top = h("span", { class: "tvz-surp-top" });
  const title = h("div", { class: "tvz-chart-title", text: "Surprisal of each token, in bits (tall = unexpected). Hover a bar to see its token; click to select it." });
  const key = h("div", { class: "tvz-surp-key" }, [
    h("span", { class: "tvz-surp-key-entry", "data-source": "prompt" }, [h("span", { class: "tvz-surp-swatch" }), "prompt token"]),
    h("span", { class: "tvz-surp-key-entry tvz-surp-key-gen", "data-source": "generated" }, [h("span", { class: "tvz-surp-swatch" }), genKey])
  ]);
  const labels = h("div", { class: "tvz-surp-labels", "aria-hidden": "true" });
  const area = h("div", { class: "tvz-surp-area" }, [plot, labels]);
  const el = h("div", { class: "tvz-chart tvz-surprisal" }, [
    title,
    key,
    h("div", { class: "tvz-surp-plot" }, [h("div", { class: "tvz-surp-axis" }, [top, h("span", { text: "0" })]), area])
  ]);
  const binNote = h("span", { class: "tvz-surp-bins" });
  title.append(binNote);
  let perBar = 1;
  let shown2 = { prompt: [], generated: [], promptPieces: {}, genPieces: {} };
  const placeLabels = () => {
    const total = shown2.prompt.length + shown2.generated.length;
    const width = area.clientWidth;
    labels.replaceChildren();
    if (!total || !width) return;
    const every = Math.max(1, Math.ceil(total * LABEL_ROOM / width));
    for (let i = 0; i < total; i += every) {
      const gen = i >= shown2.prompt.length;
      const tok = gen ? shown2.generated[i - shown2.prompt.length] : shown2.prompt[i];
      const text = clip(plainLabel(tokenDisplay(tok, gen ? shown2.genPieces : shown2.promptPieces)));
      const label = h("span", { class: gen ? "tvz-surp-label tvz-surp-label-gen" : "tvz-surp-label", "data-pos": i, text });
      label.style.left = `${(i + 0.5) / total * 100}%`;
      labels.append(label);
    }
  };
  if (typeof ResizeObserver !== "undefined") {
    let lastWidth = 0;
    const resize = new ResizeObserver(() => {
      if (area.clientWidth !== lastWidth) placeLabels();
      lastWidth = area.clientWidth;
    });
    resize.observe(area);
    cfg.disposer.add(() => resize.disconnect());
  }
  const refAt = (i) => {
    const n = shown2.prompt.length;
    if (i < 0 || i >= n + shown2.generated.length) return null;
    return i < n ? { source: "prompt", index: i } : { source: "generated", index: i - n };
  };
  const positionOf = (ev) => {
    const box = plot.getBoundingClientRect();
    const total = shown2.prompt.length + shown2.generated.length;
    return Math.floor((ev.clientX - box.left) / Math.max(1, box.width) * total);
  };
  cfg.disposer.listen(plot, "mousemove", (ev) => {
    const i = positionOf(
      /** @type {MouseEvent} */
      ev
    );
    const ref = refAt(i);
    if (!ref) return;
    cursor.setAttribute("x", String(i - i % perBar));
    cursor.setAttribute("width", String(perBar));
    cursor.style.display = "";
    cfg.onHover(ref);
  });
  cfg.disposer.listen(plot, "mouseleave", () => {
    cursor.style.display = "none";
  });
  cfg.disposer.listen(plot, "click", (ev) => {
    const ref = refAt(positionOf(
      /** @type {MouseEvent} */
      ev
    ));
    if (ref) cfg.onPick(ref);
  });
  function update(prompt, generated, promptPieces = {}, genPieces = {}, sampled = false) {
    shown2 = { prompt, generated, promptPieces, genPieces };
    const bits = (tok) => sampled && tok.g && tok.ss != null ? tok.ss : tok.s;
    genKey.textContent = sampled ? GEN_KEY_SAMPLED : GEN_KEY;
    key.lastElementChild?.toggleAttribute("hidden", generated.length === 0);
    const total = prompt.length + generated.length;
    el.hidden = total === 0;
    let peak = 0;
    for (const tok of [...prompt, ...generated]) {
      const s = bits(tok);
      if (s != null && s > peak) peak = s;
    }
    const scaleTop = Math.max(1, Math.ceil(peak));
    perBar = Math.max(1, Math.ceil(total / MAX_BARS));
    const gap = perBar === 1 ? 0.1 : 0;
    const bars = (toks, from) => {
      let d = "";
      for (let k = 0; k < toks.length; k += perBar) {
        const end = Math.min(toks.length, k + perBar);
        let s = 0;
        for (let j = k; j < end; j++) {
          const v = bits(toks[j]);
          if (v != null && v > s) s = v;
        }
        if (s <= 0) continue;
        const height = s / scaleTop * PLOT_HEIGHT;
        d += `M${from + k + gap} ${PLOT_HEIGHT}v${-height.toFixed(2)}h${end - k - 2 * gap}v${height.toFixed(2)}z`;
      }
      return d;
    };
    promptBars.setAttribute("d", bars(prompt, 0));
    genBars.setAttribute("d", bars(generated, prompt.length));
    plot.setAttribute("viewBox", `0 0 ${Math.max(1, total)} ${PLOT_HEIGHT}`);
    const runs = perBar > 1 ? `, each bar the highest of ${perBar} tokens` : "";
    plot.setAttribute("aria-label", `surprisal of ${total} tokens${runs}, highest ${formatSurprisal(peak)}`);
    binNote.textContent = perBar > 1 ? ` Each bar: the most surprising of ${perBar} tokens in a row.` : "";
    top.textContent = `${scaleTop} bits`;
    cursor.style.display = "none";
    placeLabels();
  }
  return { el, update };
}
function bandLabels(edges) {
  const labels = edges.map((e, i) => {
    const low = i === 0 ? 1 : edges[i - 1] + 1;
    return low === e ? `rank ${e}` : `${low}\u2013${e}`;
  });
  labels.push(`> ${edges[edges.length - 1]}`);
  return labels;
}
function rankBar(what, bands) {
  const labels = bandLabels(bands.edges);
  const total = bands.counts.reduce((a, b) => a + b, 0);
  const bar = h("div", { class: "tvz-rank-bar", role: "img" });
  const key = h("div", { class: "tvz-rank-key" });
  bands.counts.forEach((count3, i) => {
    const color = rankColor(i < bands.edges.length ? bands.edges[i] : bands.edges[bands.edges.length - 1] + 1) || "";
    if (count3 > 0) {
      const seg = h("span", { class: "tvz-rank-seg", "data-band": i, title: `${labels[i]}: ${count3} of ${total}` });
      seg.style.flexGrow = String(count3);
      seg.style.backgroundColor = color;
      bar.append(seg);
    }
    const swatch = h("span", { class: "tvz-rank-swatch" });
    swatch.style.backgroundColor = color;
    key.append(h("span", { class: "tvz-rank-entry", "data-band": i }, [
      swatch,
      `${labels[i]}: `,
      h("span", { class: "tvz-rank-count", text: String(count3) })
    ]));
  });
  bar.setAttribute("aria-label", `${what}: ${labels.map((l, i) => `${l} ${bands.counts[i]}`).join(", ")}`);
  return h("div", { class: "tvz-rank-row", "data-what": what }, [
    h("span", { class: "tvz-rank-what", text: `${what} (${total})` }),
    bar,
    key
  ]);
}
function nextDistribution(o) {
  const list = candidateBars(o.cands, o.pieces, null);
  const labelWidth = Number.parseInt(list.style.getPropertyValue("--tvz-cand-w"), 10) || 0;
  list.style.setProperty("--tvz-cand-w", `${Math.max(labelWidth, 11)}ch`);
  if (o.rest != null) {
    list.append(h("li", { class: "tvz-cand tvz-rest" }, [
      h("span", { class: "tvz-cand-tok", text: "all others" }),
      probBar(o.rest),
      h("span", { class: "tvz-cand-p", text: formatPercent(o.rest) })
    ]));
  }
  return h("div", { class: "tvz-next-dist" }, [
    h("div", { class: "tvz-chart-title", text: o.title }),
    list,
    o.entropy != null ? h("div", { class: "tvz-hint", text: `entropy ${formatBits(o.entropy)}` }) : null
  ]);
}

// src/tokenviz/charts-box.js
function chartsPanel(cfg) {
  const el = h("section", { class: "tvz-charts", "aria-label": "charts" });
  const surprisal = surprisalChart(cfg);
  const ranksBox = h("div", { class: "tvz-chart tvz-ranks" });
  const nextBox = h("div", { class: "tvz-chart tvz-next-box" });
  el.append(surprisal.el, h("div", { class: "tvz-chart-row" }, [ranksBox, nextBox]));
  const update = (a, g, shown2, sampled = false) => {
    surprisal.update(
      shown2.prompt.tokens,
      shown2.generated.tokens,
      shown2.prompt.pieces,
      shown2.generated.pieces,
      sampled && !!g.sampled
    );
    ranksBox.replaceChildren();
    if (a.ranks && a.tokens?.length) ranksBox.append(rankBar("prompt", a.ranks));
    if (g.ranks && g.tokens?.length) ranksBox.append(rankBar("generated", g.ranks));
    if (ranksBox.childElementCount) {
      ranksBox.prepend(h("div", {
        class: "tvz-chart-title",
        text: "How highly the model ranked each actual token (rank 1 = its top prediction)"
      }));
    }
    nextBox.replaceChildren(nextPanel(a, g));
    el.hidden = shown2.prompt.tokens.length + shown2.generated.tokens.length === 0;
  };
  return { el, update };
}
function nextPanel(a, g) {
  if (g.tokens?.length) {
    if (g.next?.length) {
      return nextDistribution({
        title: "What the model predicts after the last generated token",
        cands: g.next,
        rest: g.next_rest,
        entropy: g.next_h,
        pieces: g.pieces ?? {}
      });
    }
    const why = g.stopped_by === "eos" ? "The generation ended with end-of-text: nothing follows it." : g.stopped_by ? "" : "The distribution after the last generated token appears when the generation ends.";
    return h("div", { class: "tvz-note", text: why });
  }
  if (!a.next?.length) return h("span");
  return nextDistribution({
    title: "What the model predicts after the last prompt token",
    cands: a.next,
    rest: a.next_rest,
    entropy: a.next_h,
    pieces: a.pieces ?? {}
  });
}

// src/tokenviz/branches.js
function branchBar(model, d) {
  const el = h("div", { class: "tvz-branch-bar", role: "radiogroup", "aria-label": "branches" });
  const update = () => {
    const runs = (
      /** @type {BranchRun[]} */
      model.get("branches_data")?.branches ?? []
    );
    const pieces = model.get("branches_data")?.pieces ?? {};
    el.hidden = runs.length < 2;
    if (el.hidden) return el.replaceChildren();
    const current = model.get("current_branch");
    const busy = isBusy(model);
    el.replaceChildren(h("span", { class: "tvz-branch-title", text: "branches" }), ...runs.map((run) => {
      const b = h("button", {
        type: "button",
        role: "radio",
        class: "tvz-branch",
        "data-branch": run.id,
        "aria-checked": String(run.id === current),
        title: branchTitle(run, pieces)
      });
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
  radioKeys(
    d,
    el,
    () => Array.from(el.querySelectorAll("button[data-branch]")),
    (next) => setTrait(model, "current_branch", Number(next.dataset.branch))
  );
  return { el, update };
}
function branchLabel(run, pieces) {
  if (run.token == null) return ["main"];
  const where = `${run.source} ${run.index ?? 0}`;
  return [`${run.id} \u21B3 `, h("span", { class: "tvz-branch-tok" }, [displayNode(pieceDisplay(pieces[String(run.token)]))]), ` at ${where}`];
}
function branchTitle(run, pieces) {
  const ended = run.stopped_by ? `, stopped by ${run.stopped_by}` : "";
  if (run.token == null) return `the run from the prompt: ${run.generated} generated${ended}`;
  return `branch ${run.id} of run ${run.parent}: ${plainLabel(pieceDisplay(pieces[String(run.token)]))} in place of ${run.source} token ${run.index ?? 0}; ${run.generated} tokens${ended}`;
}

// src/tokenviz/status.js
var STOP_LABELS = { cut_off: "cut off (the connection ended; the tokens so far are kept)" };
function progressText(g, numBeams) {
  if (g.max_new_tokens == null) return "";
  if (numBeams > 1) return `beam search, up to ${g.max_new_tokens} tokens: the beams appear when it ends`;
  return `step ${g.tokens?.length ?? 0} / ${g.max_new_tokens}`;
}
function statusLine(model, strip) {
  const el = h("div", { class: "tvz-status", "aria-live": "polite" });
  const update = () => {
    const st = model.get("status");
    const a = stripTrait(model, "analysis_data");
    const g = stripTrait(model, "generation_data");
    const parts = [h("span", { class: `tvz-state tvz-state-${st}`, text: st })];
    const name = model.get("model_name");
    if (name) parts.push(h("span", { text: `model: ${name}` }));
    if (a.perplexity != null) parts.push(h("span", { text: `perplexity: ${formatNumber(a.perplexity, 2)}` }));
    const nPrompt = strip.data.prompt.tokens.length;
    const nGen = strip.data.generated.tokens.length;
    const promptOf = a.length != null && a.length > nPrompt ? ` of ${a.length} (the rest on its way)` : "";
    if (nPrompt) parts.push(h("span", { text: `${nPrompt}${promptOf} prompt tokens` }));
    if (nGen) parts.push(h("span", { text: `${nGen} generated` }));
    if (g.stopped_by) parts.push(h("span", { text: `stopped by: ${STOP_LABELS[g.stopped_by] ?? g.stopped_by}` }));
    const progress = st === "generating" ? progressText(g, model.get("num_beams")) : "";
    if (progress) parts.push(h("span", { class: "tvz-progress", text: progress }));
    el.replaceChildren(...parts);
  };
  return { el, update };
}

// src/tokenviz/busy.js
var count = (n) => n.toLocaleString("en-US");
function busyLine(model) {
  const text = h("span", { class: "tvz-busy-text" });
  const bar = (
    /** @type {HTMLProgressElement} */
    h("progress", { class: "tvz-busy-bar", max: 1 })
  );
  const el = h("div", { class: "tvz-busy-line", role: "status", "aria-live": "polite" }, [text, bar]);
  const update = () => {
    const status = model.get("status");
    el.hidden = status !== "analyzing" && status !== "generating";
    if (el.hidden) return;
    if (status === "generating") {
      text.textContent = `Generating\u2026 ${progressText(stripTrait(model, "generation_data"), model.get("num_beams"))}`;
      bar.hidden = true;
      return;
    }
    const { done, total } = model.get("progress") ?? {};
    bar.hidden = !total;
    if (!total) {
      text.textContent = "Analyzing\u2026 reading the text";
      return;
    }
    bar.max = total;
    bar.value = done;
    text.textContent = done < total ? `Analyzing\u2026 ${count(done)} of ${count(total)} tokens scored` : `Analyzing\u2026 all ${count(total)} tokens scored; preparing the strip`;
  };
  return { el, update };
}

// src/beams.js
var DX = 92;
var DY = 32;
var LEFT = 80;
var TOP = 22;
var shorten = (s, n) => Array.from(s).length > n ? `${Array.from(s).slice(0, n - 1).join("")}\u2026` : s;
var BEAM_SCORE_TEXT = "Returned beams, best first. score = the sum of the beam's token log-probabilities (nats) \xF7 length^length_penalty, as transformers ranks finished beams (higher is better).";
function scoreParts(b) {
  if (b.logprob_sum == null || b.length == null || b.length_penalty == null) return "";
  return ` = ${formatNumber(b.logprob_sum, 3)} nats \xF7 ${b.length}^${b.length_penalty}`;
}
function beamList(g) {
  const list = h("ol", { class: "tvz-beam-list" });
  (g.beams ?? []).forEach((b, i) => {
    list.append(
      h("li", { class: i === 0 ? "tvz-best-beam" : "" }, [
        h("span", { class: "tvz-beam-score", text: `score ${formatNumber(b.score, 3)}` }),
        h("span", { class: "tvz-beam-parts", text: scoreParts(b) }),
        i === 0 ? h("span", { class: "tvz-beam-best", text: "best" }) : "",
        h("span", { class: "tvz-beam-text" }, [displayNode({ kind: "text", segments: textSegments(b.text) })])
      ])
    );
  });
  return list;
}
var TREE_KEY_TEXT = "x = step. Thick line = the best beam (returned first); faded, dashed = pruned later. Hover a node for its score (cumulative log-probability, nats).";
function beamTree(g, tooltip, d) {
  const tree = g.tree ?? [];
  const pieces = g.pieces;
  const maxLive = Math.max(1, ...tree.map((s) => s.length));
  const width = LEFT + tree.length * DX + 70;
  const height = TOP * 2 + (maxLive - 1) * DY;
  const rootY = TOP + (maxLive - 1) * DY / 2;
  const edges = svg("g", { class: "tvz-edges" });
  const nodes = svg("g", { class: "tvz-nodes" });
  const el = svg("svg", { class: "tvz-tree", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "beam search tree" }, [edges, nodes]);
  el.style.minWidth = `${Math.round(width * 0.7)}px`;
  nodes.append(
    svg("g", { class: "tvz-node tvz-root-node" }, [
      svg("circle", { cx: LEFT - 20, cy: rootY, r: 5 }),
      svg("text", { x: LEFT - 28, y: rootY + 4, "text-anchor": "end", text: "prompt" })
    ])
  );
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
          svg("text", { x: x + 8, y: y - 7, text: label })
        ])
      );
    });
  });
  const tip = (node) => {
    const s = Number(node.getAttribute("data-step"));
    const j = Number(node.getAttribute("data-beam"));
    const n = tree[s][j];
    return h("div", {}, [
      h("div", { class: "tvz-tip-head" }, [
        h("span", { class: "tvz-tip-tok" }, [displayNode(pieceDisplay(pieces[String(n.id)]))]),
        h("span", { class: "tvz-tip-src", text: `step ${s + 1}, beam ${j + 1}${n.best ? " (best beam)" : n.kept ? "" : " (pruned later)"}` })
      ]),
      statTable([
        ["score", `${formatNumber(n.score, 3)} nats (cumulative log p)`],
        ["token p", `${formatPercent(n.p)} (log p ${formatNumber(n.lp, 3)} nats)`],
        ["id", String(n.id)]
      ])
    ]);
  };
  itemTooltips({ container: el, tooltip, disposer: d, itemOf: itemFinder(el, ".tvz-node[data-step]"), content: tip });
  rovingFocus(d, el, ".tvz-node[data-step]").refresh();
  return h("div", { class: "tvz-tree-scroll" }, [el]);
}
function renderBeamsView(model, root, d) {
  const tooltip = createTooltip(root, d);
  const box = h("div", { class: "tvz-beams-view" });
  root.append(box);
  let inner = null;
  const render2 = () => {
    if (inner) inner.dispose();
    inner = new Disposer();
    tooltip.hide();
    const sent = model.get("data");
    const g = { ...sent, ...decodeStrip(sent) };
    box.replaceChildren();
    if (!g.tree?.length) {
      box.append(h("div", { class: "tvz-note", text: "No beam tree (generate with num_beams > 1)." }));
      return;
    }
    box.append(
      h("div", { class: "tvz-sub tvz-tree-key", text: `Beam tree: ${TREE_KEY_TEXT}` }),
      beamTree(g, tooltip, inner)
    );
    if (g.beams?.length) box.append(h("div", { class: "tvz-sub tvz-beam-caption", text: BEAM_SCORE_TEXT }), beamList(g));
  };
  d.add(() => inner && inner.dispose());
  d.onModel(model, "change:data", render2);
  render2();
}

// src/tokenviz/beams-box.js
function beamsPanel(root, d) {
  const el = h("div", { class: "tvz-beams" });
  const treeTip = createTooltip(root, d);
  let treeDisposer = null;
  let shownBeams = null;
  d.add(() => treeDisposer && treeDisposer.dispose());
  const update = (g) => {
    const key = JSON.stringify([g.beams || null, g.tree ? g.tree.length : 0]);
    if (key === shownBeams) return;
    shownBeams = key;
    if (treeDisposer) treeDisposer.dispose();
    treeDisposer = new Disposer();
    treeTip.hide();
    el.replaceChildren();
    if (!g.beams?.length) return;
    const beams = (
      /** @type {Strip} */
      g
    );
    el.append(h("div", { class: "tvz-sub tvz-beam-caption", text: BEAM_SCORE_TEXT }), beamList(beams));
    if (beams.tree?.length) {
      const det = h("details", { class: "tvz-tree-box" }, [h("summary", { text: "Beam tree" })]);
      det.append(h("div", { class: "tvz-sub tvz-tree-key", text: TREE_KEY_TEXT }), beamTree(beams, treeTip, treeDisposer));
      el.append(det);
    }
  };
  return { el, update };
}

// src/tokenviz/sampling-note.js
var FOLLOWS_SWITCH = "Colours, candidate lists and the surprisal chart of the generated tokens show these sampled probabilities (the model's own in grey beside them); the prompt, the ranks and the distribution after the text stay the model's.";
function settingsText(e) {
  const parts = [`temperature ${e.temperature}`];
  if (e.top_k != null) parts.push(`top-k ${e.top_k}`);
  if (e.top_p != null) parts.push(`top-p ${e.top_p}`);
  return parts.join(" \xB7 ");
}
function effectText(e) {
  if (!e.tokens) return `After ${settingsText(e)}: no sampled token yet.`;
  const moved = `${e.raised} made more likely, ${e.lowered} less`;
  const removed = e.removed == null ? "" : `; on average ${e.removed} of each token's listed candidates could not be drawn at all (removed)`;
  return `After ${settingsText(e)} (this run's settings): the ${e.tokens} drawn tokens' mean probability is ${formatPercent(e.mean_sp)}; the model gave them ${formatPercent(e.mean_p)} (${moved})${removed}.`;
}
var NOT_SAMPLED = "This generation was not sampled (greedy or beam search), so there is no \u201Cafter temperature/top-k/top-p\u201D probability: everything shows the model's own.";
function samplingNote(model) {
  const el = h("div", { class: "tvz-sampling-effect", role: "status" });
  const update = () => {
    const g = stripTrait(model, "generation_data");
    const on = model.get("prob_mode") === "sampled" && (g.tokens?.length ?? 0) > 0;
    el.hidden = !on;
    if (!on) return;
    const effect = (
      /** @type {SamplingEffect | undefined} */
      g.sampling_effect
    );
    el.replaceChildren(...effect ? [h("div", { text: effectText(effect) }), h("div", { class: "tvz-note", text: FOLLOWS_SWITCH })] : [h("div", { text: NOT_SAMPLED })]);
  };
  return { el, update };
}

// src/tokenviz.js
var SAMPLED_LEGEND_NOTE = "Generated tokens: after temperature / top-k / top-p (see below).";
function renderTokenViz(model, root, d) {
  const interactive = model.get("interactive") !== false;
  const tooltip = createTooltip(root, d);
  const opts = () => ({
    colorBy: model.get("color_by"),
    probMode: model.get("prob_mode"),
    alternatives: model.get("alternatives")
  });
  const unsupported = (
    /** @type {Record<string, string>} */
    model.get("unsupported") || {}
  );
  const prompt = promptRow(model, d);
  const decoding = decodingGroup(model, d, unsupported);
  const error = errorBox(model);
  const lg = legend(() => opts().colorBy, () => {
    const o = opts();
    return o.probMode === "sampled" && o.colorBy === "prob" ? SAMPLED_LEGEND_NOTE : "";
  });
  const charts = chartsPanel({
    disposer: d,
    onHover: (ref) => strip.showAt(ref.source, ref.index),
    onPick: (ref) => strip.pinAt(ref.source, ref.index)
  });
  const strip = createStrip({
    tooltip,
    disposer: d,
    options: opts,
    onSelect: (sel) => setTrait(model, "selected", sel || {}),
    onBranch: interactive && !unsupported.branch ? (b) => {
      if (!isBusy(model)) model.send({ action: "branch", source: b.source, index: b.index, token_id: b.tokenId });
    } : void 0,
    pointers: charts.el
  });
  const selected = selection(model, d, strip, tooltip);
  const nextRun = nextRunHint(model);
  const display = displayGroup(model, d, {
    interactive,
    nextRun: nextRun.el,
    extra: [selected.clearButton, exportButtons(model, d, { strip, root, interactive })]
  });
  const stale = staleNote(model, strip);
  const empty = emptyNote(interactive, strip);
  const branches = branchBar(model, d);
  const status = statusLine(model, strip);
  const busy = busyLine(model);
  const unavailable = unavailableList(model);
  const beams = beamsPanel(root, d);
  const sampling = samplingNote(model);
  root.append(
    ...interactive ? [prompt.el, decoding.el] : [],
    busy.el,
    error.el,
    display,
    lg.el,
    sampling.el,
    stale.el,
    empty.el,
    branches.el,
    strip.el,
    marksKey(),
    // the key to the strip it follows
    status.el,
    unavailable.el,
    charts.el,
    beams.el
  );
  const busyState = () => {
    const working = isBusy(model);
    prompt.showBusy(working);
    busy.update();
    root.classList.toggle("tvz-busy", working);
    root.classList.toggle("tvz-analyzing", model.get("status") === "analyzing");
  };
  const renderCharts = () => charts.update(
    stripTrait(model, "analysis_data"),
    stripTrait(model, "generation_data"),
    strip.data,
    model.get("prob_mode") === "sampled"
  );
  const renderAnalysis = () => {
    const a = stripTrait(model, "analysis_data");
    strip.setPrompt(a.tokens ? (
      /** @type {Strip} */
      a
    ) : null);
  };
  const renderGeneration = () => {
    const g = stripTrait(model, "generation_data");
    strip.setGenerated(g.tokens ?? [], g.pieces ?? {}, g.branch_point ?? null, g.unavailable ?? {});
    beams.update(g);
    selected.update();
    status.update();
    busy.update();
  };
  const recolor = () => {
    lg.update();
    strip.recolor();
  };
  const switchProbabilities = () => {
    recolor();
    sampling.update();
    renderCharts();
  };
  d.onModel(model, "change:progress", busy.update);
  d.onModel(model, "change:status", () => {
    busyState();
    status.update();
    branches.update();
  });
  d.onModel(model, "change:branches_data", branches.update);
  d.onModel(model, "change:current_branch", branches.update);
  d.onModel(model, "change:do_sample", decoding.showSampling);
  d.onModel(model, "change:alternatives", nextRun.update);
  d.onModel(model, "change:prompt", stale.update);
  d.onModel(model, "change:error", error.update);
  const analysisChanged = () => {
    renderAnalysis();
    renderCharts();
    selected.update();
    status.update();
    unavailable.update();
    stale.update();
    nextRun.update();
    empty.update();
  };
  d.onModel(model, "change:analysis_data", analysisChanged);
  const generationChanged = () => {
    renderGeneration();
    renderCharts();
    sampling.update();
    unavailable.update();
    nextRun.update();
    empty.update();
  };
  d.onModel(model, "change:generation_data", () => {
    endStream(model);
    generationChanged();
  });
  d.onModel(model, "msg:custom", (msg, buffers) => {
    if (applyStreamMessage(model, msg, buffers)) generationChanged();
    else if (applyChunkMessage(model, msg, buffers)) (msg.trait === "analysis_data" ? analysisChanged : generationChanged)();
  });
  d.onModel(model, "change:selected", selected.update);
  d.onModel(model, "change:model_name", status.update);
  d.onModel(model, "change:color_by", recolor);
  d.onModel(model, "change:prob_mode", switchProbabilities);
  busyState();
  decoding.showSampling();
  error.update();
  renderAnalysis();
  renderGeneration();
  renderCharts();
  sampling.update();
  unavailable.update();
  branches.update();
  stale.update();
  nextRun.update();
  empty.update();
}

// src/lens_scales.js
function binned(bounds, reverse) {
  const step = (v) => {
    if (v == null || !Number.isFinite(v)) return -1;
    let s = bounds.findIndex((b) => v < b);
    if (s < 0) s = bounds.length;
    return reverse ? LINEAR_STEPS - 1 - s : s;
  };
  return {
    color: (v) => step(v) < 0 ? null : `var(--tvz-l${step(v)})`,
    ink: (v) => step(v) < 0 ? null : `var(--tvz-l${step(v)}-ink)`
  };
}
var blueStops = (labels) => labels.map((label, i) => ({ color: `var(--tvz-l${i})`, ink: `var(--tvz-l${i}-ink)`, label }));
var LENS_SCALES = {
  top: {
    text: "Cell colour: how sure this layer is of its own top-1 token (its probability; linear steps of 20%, in blue: not the token strip's colours):",
    stops: blueStops(Array.from({ length: LINEAR_STEPS }, (_, i) => `${100 * i / LINEAR_STEPS}\u2013${100 * (i + 1) / LINEAR_STEPS}%`)),
    color: (p) => p == null ? null : `var(--tvz-l${linearStep(p)})`,
    ink: (p) => p == null ? null : `var(--tvz-l${linearStep(p)}-ink)`,
    value: (L, l, i) => L.top[l][i][0][1]
  },
  target: {
    text: "Cell colour: probability this layer gives the token that actually comes next (log scale, the token strip's colours):",
    stops: legendStops("prob"),
    color: probColor,
    ink: probInk,
    value: (L, l, i) => L.target_prob[l][i]
  },
  kl: {
    text: "Cell colour: KL(final layer \u2016 this layer), nats: how far this layer's whole distribution is from the output's (darker = closer; in blue):",
    stops: blueStops(["\u226510", "3\u201310", "1\u20133", "0.1\u20131", "<0.1"]),
    ...binned([0.1, 1, 3, 10], true),
    value: (L, l, i) => L.kl ? L.kl[l][i] : null
  },
  rank: {
    text: "Cell colour: rank this layer gives the token that actually comes next (1 = its top-1; darker = better; in blue):",
    stops: blueStops([">1000", "101\u20131000", "11\u2013100", "2\u201310", "1"]),
    ...binned([2, 11, 101, 1001], true),
    value: (L, l, i) => L.target_rank ? L.target_rank[l][i] : null
  },
  entropy: {
    text: "Cell colour: entropy of this layer's next-token distribution, nats (darker = more spread out; in blue):",
    stops: blueStops(["<0.5", "0.5\u20131.5", "1.5\u20133", "3\u20136", "\u22656"]),
    ...binned([0.5, 1.5, 3, 6], false),
    value: (L, l, i) => L.entropy ? L.entropy[l][i] : null
  }
};
var LENS_CHOICES = [
  ["top", "top-1 probability"],
  ["target", "next-token probability"],
  ["kl", "KL to final"],
  ["rank", "rank of next token"],
  ["entropy", "entropy"]
];

// src/lens_trajectory.js
function trajectoryPanel(t, layerName, unpin) {
  if (!t || !Array.isArray(t.probs) || !t.probs.length) {
    return h("div", {
      class: "tvz-lens-trajectory tvz-note",
      text: "Double-click a cell (or press Enter on it) to pin its top-1 token and follow it through the layers."
    });
  }
  const close = h("button", { type: "button", class: "tvz-lens-unpin", text: "unpin" });
  close.addEventListener("click", unpin);
  const title = h("div", { class: "tvz-tip-title" }, [
    h("span", { text: "Trajectory of " }),
    h("code", { class: "tvz-lens-pinned-token", text: JSON.stringify(t.label) }),
    h("span", { text: ` at position ${t.position} (${t.lens_name})` })
  ]);
  const rows = [];
  for (let l = t.probs.length - 1; l >= 0; l--) {
    const bar = h("span", { class: "tvz-lens-traj-bar" });
    bar.style.width = `${Math.max(0, Math.min(1, t.probs[l])) * 100}%`;
    rows.push(h("div", { class: "tvz-lens-traj-row", "data-layer": l }, [
      h("span", { class: "tvz-lens-traj-layer", text: layerName(l) }),
      h("span", { class: "tvz-lens-traj-track" }, [bar]),
      h("span", { class: "tvz-lens-traj-prob", text: formatPercent(t.probs[l]) }),
      h("span", { class: "tvz-lens-traj-rank", text: `#${t.ranks[l]}` })
    ]));
  }
  return h("div", { class: "tvz-lens-trajectory", role: "group", "aria-label": "pinned token trajectory" }, [
    title,
    h("div", { class: "tvz-note", text: "Per layer: its probability (bar, %) and rank (#) in the whole vocabulary." }),
    ...rows,
    close
  ]);
}

// src/lens.js
function lensLegend(mode) {
  const scale = LENS_SCALES[mode];
  return h("div", { class: "tvz-legend tvz-lens-legend" }, [
    h("span", { class: "tvz-legend-text", text: scale.text }),
    ...scale.stops.map((s) => {
      const sw = h("span", { class: "tvz-swatch", text: s.label });
      sw.style.backgroundColor = s.color;
      if (s.ink) sw.style.color = s.ink;
      return sw;
    })
  ]);
}
var short = (s) => Array.from(s).length > 9 ? `${Array.from(s).slice(0, 8).join("")}\u2026` : s;
function renderLens(model, root, d) {
  const tooltip = createTooltip(root, d);
  const grid = h("div", { class: "tvz-lens-grid", role: "grid", "aria-label": "logit lens" });
  const legendSlot = h("div", { class: "tvz-lens-legend-slot" });
  const note = h("div", { class: "tvz-lens-note" }, [
    h("span", { text: "Rows: layers, output layer at the top, layer 0 (embeddings) at the bottom. Columns: input positions, counted from 0 as in Python (lens.token_ids[i]); each cell predicts the next token. " }),
    h("span", { class: "tvz-mark-demo tvz-first-correct", text: "first correct" }),
    " ",
    h("span", { class: "tvz-mark-demo tvz-settled", text: "settled" })
  ]);
  const lensName = h("div", { class: "tvz-lens-name" });
  const trajectorySlot = h("div", { class: "tvz-lens-trajectory-slot" });
  root.append(
    lensName,
    h("div", { class: "tvz-view-row" }, [
      switchField(model, d, "lens_color", { label: "colour by", choices: LENS_CHOICES })
    ]),
    legendSlot,
    note,
    h("div", { class: "tvz-lens-body" }, [h("div", { class: "tvz-lens-scroll" }, [grid]), trajectorySlot])
  );
  const lens = () => {
    const L = model.get("data");
    return L && Array.isArray(L.top) && L.top.length ? L : null;
  };
  const layerName = (L, l) => l === 0 ? "0 emb" : l === L.top.length - 1 ? `${l} out` : String(l);
  const render2 = () => {
    tooltip.unpin();
    grid.replaceChildren();
    const mode = LENS_SCALES[model.get("lens_color")] ? model.get("lens_color") : "top";
    legendSlot.replaceChildren(lensLegend(mode));
    const L = lens();
    lensName.textContent = `Lens: ${L && L.lens_name ? L.lens_name : "logit lens"}`;
    drawTrajectory();
    if (!L) {
      grid.append(h("div", { class: "tvz-note", text: "No logit-lens data." }));
      return;
    }
    const nL = L.top.length;
    const nP = L.top[0].length;
    grid.style.gridTemplateColumns = `max-content repeat(${nP}, minmax(3.6em, 1fr))`;
    const frag = document.createDocumentFragment();
    frag.append(h("div", { class: "tvz-lens-corner", text: "layer \u2191 / input" }));
    for (let i = 0; i < nP; i++) {
      const head = h("div", { class: "tvz-lens-head", role: "columnheader", "data-pos": i });
      head.append(displayNode(tokenDisplay({ id: L.input[i], t: L.input_text[i] }, L.pieces)));
      frag.append(head);
    }
    for (let l = nL - 1; l >= 0; l--) {
      frag.append(h("div", { class: "tvz-lens-layer", role: "rowheader", text: layerName(L, l) }));
      for (let i = 0; i < nP; i++) {
        const [id] = L.top[l][i][0];
        let cls = "tvz-lens-cell";
        if (L.first_correct[i] === l) cls += " tvz-first-correct";
        if (L.settled[i] === l) cls += " tvz-settled";
        if (L.target[i] === id) cls += " tvz-hit";
        const cell2 = h("div", {
          class: cls,
          role: "gridcell",
          tabindex: -1,
          "data-layer": l,
          "data-pos": i,
          text: short(plainLabel(pieceDisplay(L.pieces[String(id)])))
        });
        const scale = LENS_SCALES[mode];
        const shown2 = scale.value(L, l, i);
        cell2.style.backgroundColor = scale.color(shown2) || "";
        cell2.style.color = scale.ink(shown2) || "";
        frag.append(cell2);
      }
    }
    grid.append(frag);
    focus.refresh();
  };
  const tip = (cell2) => {
    const L = (
      /** @type {Lens} */
      lens()
    );
    const l = Number(cell2.dataset.layer);
    const i = Number(cell2.dataset.pos);
    const target = L.target[i];
    const body = h("div", {}, [
      h("div", { class: "tvz-tip-title", text: `layer ${layerName(L, l)}, position ${i}` })
    ]);
    const rows = [["input", plainLabel(pieceDisplay(L.pieces[String(L.input[i])]))]];
    if (target != null) {
      rows.push(["next token", plainLabel(pieceDisplay(L.pieces[String(target)]))]);
      rows.push(["its p here", formatPercent(L.target_prob[l][i])]);
      if (L.target_rank) rows.push(["its rank here", `#${L.target_rank[l][i]}`]);
    }
    if (L.kl) rows.push(["KL to final", `${L.kl[l][i].toFixed(3)} nats`]);
    if (L.entropy) rows.push(["entropy", `${L.entropy[l][i].toFixed(3)} nats`]);
    body.append(statTable(rows));
    if (L.first_correct[i] === l) body.append(h("div", { class: "tvz-note", text: "First layer whose top-1 is the actual next token." }));
    if (L.settled[i] === l) body.append(h("div", { class: "tvz-note", text: "From this layer on, top-1 equals the final prediction." }));
    body.append(h("div", { class: "tvz-tip-sub", text: `Top ${L.top[l][i].length} at this layer` }));
    body.append(candidateBars(L.top[l][i], L.pieces, target));
    return body;
  };
  itemTooltips({ container: grid, tooltip, disposer: d, itemOf: itemFinder(grid, ".tvz-lens-cell"), content: tip });
  const focus = rovingFocus(d, grid, ".tvz-lens-cell", lensStep);
  const trajName = (l) => {
    const L = lens();
    return L ? layerName(L, l) : String(l);
  };
  const drawTrajectory = () => {
    trajectorySlot.replaceChildren(trajectoryPanel(model.get("trajectory"), trajName, () => pin([])));
  };
  const pin = (value) => {
    model.set("pin", value);
    model.save_changes();
  };
  const pinCell = (e) => {
    const cell2 = (
      /** @type {HTMLElement | null} */
      /** @type {HTMLElement} */
      e.target.closest(".tvz-lens-cell")
    );
    const L = lens();
    if (!cell2 || !L) return;
    const l = Number(cell2.dataset.layer);
    const i = Number(cell2.dataset.pos);
    pin([i, L.top[l][i][0][0]]);
  };
  d.listen(grid, "dblclick", pinCell);
  d.listen(grid, "keydown", (e) => {
    if (
      /** @type {KeyboardEvent} */
      e.key === "Enter"
    ) pinCell(e);
  });
  d.onModel(model, "change:trajectory", drawTrajectory);
  d.onModel(model, "change:data", render2);
  d.onModel(model, "change:lens_color", render2);
  render2();
}
function lensStep(cell2, key, cells) {
  const layer = Number(cell2.dataset.layer);
  const pos = Number(cell2.dataset.pos);
  const at = (l, p) => cells.find((c) => Number(c.dataset.layer) === l && Number(c.dataset.pos) === p) ?? null;
  if (key === "ArrowUp") return at(layer + 1, pos);
  if (key === "ArrowDown") return at(layer - 1, pos);
  const row = cells.filter((c) => Number(c.dataset.layer) === layer);
  return linearStep2(cell2, key, row);
}

// src/axes.js
var BASELINE = 4;
function chartAxes(o) {
  const { frame: f, x, y } = o;
  const axes = svg("g", { class: "tvz-axes" });
  for (const v of y.ticks) {
    axes.append(
      svg("line", { class: "tvz-grid-line", x1: f.left, x2: f.width - f.right, y1: y.at(v), y2: y.at(v) }),
      svg("text", { x: f.left - y.gap, y: y.at(v) + BASELINE, "text-anchor": "end", text: y.label(v) })
    );
  }
  for (const v of x.ticks) {
    axes.append(svg("text", { x: x.at(v), y: f.height - f.bottom + x.gap, "text-anchor": "middle", text: x.label(v) }));
  }
  axes.append(svg("text", {
    x: (f.left + f.width - f.right) / 2,
    y: f.height - o.xTitle.rise,
    "text-anchor": "middle",
    text: o.xTitle.text
  }));
  if (o.yTitle) {
    const mid = (f.top + f.height - f.bottom) / 2;
    axes.append(svg("text", {
      x: o.yTitle.x,
      y: mid,
      "text-anchor": "middle",
      transform: `rotate(-90 ${o.yTitle.x} ${mid})`,
      text: o.yTitle.text
    }));
  }
  return axes;
}
function spacedTicks(values, most) {
  const every = Math.max(1, Math.ceil(values.length / most));
  return values.filter((_, i) => i % every === 0 || i === values.length - 1);
}
var PERCENT_TICKS = [0, 0.25, 0.5, 0.75, 1];
var percentTick = (p) => `${p * 100}%`;

// src/icl.js
var W = 520;
var H = 240;
var M = { left: 48, right: 16, top: 14, bottom: 36 };
var FRAME = { width: W, height: H, ...M };
function renderICL(model, root, d) {
  const tooltip = createTooltip(root, d);
  const plot = h("div", { class: "tvz-icl-plot" });
  const caption = h("div", { class: "tvz-icl-caption", "aria-live": "polite" });
  const strip = createStrip({ tooltip, disposer: d, options: () => ({ colorBy: "prob", probMode: "raw" }) });
  const lg = legend(() => "prob");
  const stripBox = h("div", { class: "tvz-icl-strip" }, [caption, lg.el, strip.el]);
  root.append(plot, stripBox);
  let active = null;
  const curve = () => {
    const c = model.get("data");
    return c && Array.isArray(c.shots) && c.shots.length ? c : null;
  };
  const showShot = (idx) => {
    const c = curve();
    if (!c) return;
    if (active) active.classList.remove("tvz-active");
    active = plot.querySelector(`.tvz-point[data-i="${idx}"]`);
    if (active) active.classList.add("tvz-active");
    const k = c.shots[idx];
    const known = c.mean[idx] != null;
    caption.textContent = [
      `${k} shot${k === 1 ? "" : "s"}: mean p(answer) ${known ? formatPercent(c.mean[idx]) : "not reported by the server"}`,
      ...known ? [`range ${formatPercent(c.low[idx])}\u2013${formatPercent(c.high[idx])}`] : [],
      `first token ${formatPercent(c.first_mean[idx])}`,
      `mean rank ${formatRank(c.rank_mean[idx])}`,
      `mean entropy ${formatBits(c.entropy_mean[idx])}`
    ].join(" \xB7 ");
    tooltip.unpin();
    strip.setPrompt({ ...c.strips[idx], ...decodeStrip(c.strips[idx]) });
  };
  const render2 = () => {
    plot.replaceChildren();
    active = null;
    const c = curve();
    if (!c) {
      plot.append(h("div", { class: "tvz-note", text: "No curve data." }));
      return;
    }
    const n = c.shots.length;
    const x0 = Math.min(...c.shots);
    const x1 = Math.max(...c.shots);
    const sx = (k) => M.left + (x1 === x0 ? 0.5 : (k - x0) / (x1 - x0)) * (W - M.left - M.right);
    const sy = (p) => M.top + (1 - Math.min(1, Math.max(0, p))) * (H - M.top - M.bottom);
    const line = (ys) => ys.map((y, i) => y == null ? "" : `${i && ys[i - 1] != null ? "L" : "M"}${sx(c.shots[i]).toFixed(1)},${sy(y).toFixed(1)}`).join(" ").trim();
    const axes = chartAxes({
      frame: FRAME,
      x: { ticks: spacedTicks(c.shots, 12), at: sx, label: String, gap: 16 },
      y: { ticks: PERCENT_TICKS, at: sy, label: percentTick, gap: 6 },
      xTitle: { text: "shots (examples in the prompt)", rise: 4 }
    });
    const lower = c.low.map((y, i) => [sx(c.shots[i]), sy(y ?? 0)]).reverse().map(([x, y]) => `L${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
    const whole = c.low.every((y) => y != null) && c.high.every((y) => y != null);
    const layers = [
      axes,
      ...whole ? [svg("path", { class: "tvz-band", d: `${line(c.high)} ${lower} Z` })] : [],
      svg("path", { class: "tvz-line tvz-line-first", d: line(c.first_mean) }),
      svg("path", { class: "tvz-line", d: line(c.mean) })
    ];
    const points = svg("g", { class: "tvz-points" });
    c.mean.forEach((p, i) => {
      const cls = p == null ? "tvz-point tvz-point-unknown" : "tvz-point";
      const label = `${c.shots[i]} shots: ${p == null ? "not reported by the server" : formatPercent(p)}`;
      points.append(svg("circle", { class: cls, cx: sx(c.shots[i]), cy: sy(p ?? 0), r: 5, tabindex: -1, "data-i": i, "aria-label": label }));
    });
    layers.push(points);
    const chart = svg("svg", { class: "tvz-icl-svg", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "answer probability vs shots" }, layers);
    plot.append(
      h("div", { class: "tvz-sub" }, [
        "P(answer ",
        h("span", { class: "tvz-answer", text: c.answer || "" }),
        ") vs shots: mean line, min\u2013max band over example orders",
        ", dashed = first answer token",
        ". Hover a point for its prompt."
      ]),
      chart,
      ...Object.entries(c.unavailable ?? {}).map(([name, why]) => h("div", { class: "tvz-note tvz-unavailable-note", text: `Not available (${name.replace(/_/g, " ")}): ${why}` }))
    );
    showShot(n - 1);
    focus.refresh();
  };
  onItemHover(d, plot, itemFinder(plot, ".tvz-point"), (point) => showShot(Number(point.getAttribute("data-i"))));
  const focus = rovingFocus(d, plot, ".tvz-point");
  d.onModel(model, "change:data", render2);
  render2();
}

// src/labels.js
var SCORE_ROWS = (
  /** @type {const} */
  [
    { normalize: "full", field: "logprob", name: "log p (whole text)" },
    { normalize: "label", field: "label_logprob", name: "log p (label tokens)" },
    { normalize: "mean", field: "normalized", name: "mean log p per label token" }
  ]
);
function usedScoreName(normalize) {
  return (SCORE_ROWS.find((r) => r.normalize === normalize) || SCORE_ROWS[1]).name;
}
function renderLabels(model, root, d) {
  const bars = h("div", { class: "tvz-label-bars", role: "list" });
  const detail = h("div", { class: "tvz-label-detail", "aria-live": "polite" });
  const sub = h("div", { class: "tvz-sub" });
  root.append(sub, bars, detail);
  const scores = () => {
    const s = model.get("data");
    return s && Array.isArray(s.labels) && s.labels.length ? s : null;
  };
  const showDetail = (i) => {
    const s = scores();
    if (!s) return;
    for (const row of bars.children) row.classList.toggle("tvz-active", row.getAttribute("data-i") === String(i));
    const rows = [["probability", formatPercent(s.probs[i])], ...SCORE_ROWS.map((r) => (
      /** @type {[string, string]} */
      [r.name, formatNumber(s[r.field][i], 3)]
    ))];
    const toks = h("div", { class: "tvz-breakdown" });
    for (const t of s.breakdown[i]) {
      const chip = h("span", { class: t.in_label ? "tvz-bd-tok tvz-in-label" : "tvz-bd-tok" }, [
        h("span", { class: "tvz-bd-text" }, [displayNode({ kind: "text", segments: textSegments(t.t) })]),
        h("span", { class: "tvz-bd-lp", text: `${formatNumber(t.lp, 2)} nats` })
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
  const render2 = () => {
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
          h("span", { class: predicted ? "tvz-badge" : "tvz-badge-slot", text: predicted ? "predicted" : "" })
        ])
      );
    });
    showDetail(Math.max(0, s.labels.indexOf(s.predicted)));
    focus.refresh();
  };
  onItemHover(d, bars, itemFinder(bars, ".tvz-label-row"), (row) => showDetail(Number(row.getAttribute("data-i"))));
  const focus = rovingFocus(d, bars, ".tvz-label-row");
  d.onModel(model, "change:data", render2);
  render2();
}
function markUsedScore(table, name) {
  for (const dt of table.querySelectorAll("dt")) {
    if (dt.textContent !== name) continue;
    dt.classList.add("tvz-used");
    dt.nextElementSibling?.classList.add("tvz-used");
    dt.setAttribute("title", "the score the softmax over labels used");
  }
}

// src/compare.js
var SIDES = (
  /** @type {const} */
  ["a", "b"]
);
var MINUS = "\u2212";
function signed(x, digits = 3) {
  if (x == null || Number.isNaN(x)) return "\u2013";
  const text = formatNumber(Math.abs(x), digits);
  if (Number(text) === 0) return formatNumber(0, digits);
  return `${x < 0 ? MINUS : "+"}${text}`;
}
function formatPerplexity(x) {
  if (x == null || !Number.isFinite(x)) return formatNumber(x, 2);
  return x < 1e3 ? x.toFixed(2) : Math.round(x).toLocaleString("en-US");
}
function renderCompare(model, root, d) {
  const tooltip = createTooltip(root, d);
  const head = h("div", { class: "tvz-cmp-head" });
  const summary = h("div", { class: "tvz-cmp-summary" });
  const grid = h("div", { class: "tvz-cmp-units", role: "group", "aria-label": "compared units, A over B" });
  root.append(head, summary, grid);
  const payload = () => {
    const c = model.get("data");
    return c && Array.isArray(c.units) && Array.isArray(c.names) ? c : null;
  };
  const content = (item) => {
    const c = payload();
    const i = Number(item.getAttribute("data-i"));
    return c ? unitTooltip(c, i) : h("span");
  };
  const render2 = () => {
    tooltip.unpin();
    grid.replaceChildren();
    const c = payload();
    if (!c) {
      head.replaceChildren();
      summary.replaceChildren();
      grid.append(h("div", { class: "tvz-note", text: "No comparison." }));
      return;
    }
    head.replaceChildren(sidesKey(c), diffLegend(), marksKey2(c));
    summary.replaceChildren(...summaryParts(c));
    const frag = document.createDocumentFragment();
    frag.append(h("span", { class: "tvz-cmp-rowlabels", "aria-hidden": "true" }, [
      h("span", { class: "tvz-cmp-rowlabel", text: "A" }),
      h("span", { class: "tvz-cmp-rowlabel", text: "B" })
    ]));
    c.units.forEach((u, i) => {
      if (i === c.divergence) {
        frag.append(h("span", { class: "tvz-cmp-divmark", title: "first difference", "aria-hidden": "true" }, [
          h("span", { class: "tvz-cmp-divflag", text: "\u2260" })
        ]));
      }
      frag.append(unitEl(c, u, i));
    });
    grid.append(frag);
    focus.refresh();
  };
  itemTooltips({ container: grid, tooltip, disposer: d, itemOf: itemFinder(grid, ".tvz-cmp-unit"), content });
  const focus = rovingFocus(d, grid, ".tvz-cmp-unit");
  d.onModel(model, "change:data", render2);
  render2();
}
function unitEl(c, u, i) {
  let cls = "tvz-cmp-unit";
  if (!u.a || !u.b) cls += " tvz-cmp-one";
  else if (u.d == null) cls += " tvz-cmp-nodiff";
  if (i === c.divergence) cls += " tvz-cmp-diverge";
  const el = h("span", { class: cls, tabindex: -1, "data-i": i, "aria-label": unitLabel(c, u, i) }, [
    cell(c, u.a, 0),
    cell(c, u.b, 1)
  ]);
  const color = diffColor(u.d);
  if (color) el.style.backgroundColor = color;
  return el;
}
function cell(c, side, which) {
  const el = h("span", { class: "tvz-cmp-cell", "data-side": SIDES[which] });
  if (!side) {
    el.classList.add("tvz-cmp-gap");
    el.append(h("span", { class: "tvz-cmp-gapmark", text: "\u2013" }));
    return el;
  }
  for (const tok of side.toks) el.append(tokenEl(tok, c.pieces[which]));
  return el;
}
function tokenEl(tok, pieces) {
  const disp = tokenDisplay(tok, pieces);
  let cls = "tvz-cmp-tok";
  if (tok.g) cls += " tvz-cmp-gen";
  if (disp.kind === "bytes") cls += " tvz-partial";
  return h("span", { class: cls, "data-id": tok.id }, [displayNode(disp)]);
}
function sideLabel(side, pieces) {
  return side ? side.toks.map((t) => plainLabel(tokenDisplay(t, pieces))).join("") : "";
}
function unitLabel(c, u, i) {
  const part = (w) => {
    const side = w === 0 ? u.a : u.b;
    return side ? `${c.names[w]} ${sideLabel(side, c.pieces[w])} ${formatPercent(side.p)}` : `${c.names[w]} nothing`;
  };
  const diff = u.d == null ? "no difference" : `difference ${signed(u.d)} nats`;
  return `unit ${i}: ${part(0)}; ${part(1)}; ${diff}${i === c.divergence ? "; first difference" : ""}`;
}
function sidesKey(c) {
  const side = (w) => h("span", { class: "tvz-cmp-side-key", "data-side": SIDES[w] }, [
    h("span", { class: "tvz-cmp-side-badge", text: w === 0 ? "A" : "B" }),
    h("span", { class: "tvz-cmp-side-name", text: c.names[w] }),
    c.models[w] && c.models[w] !== c.names[w] ? h("span", { class: "tvz-cmp-side-model", text: `(${c.models[w]})` }) : null,
    h("span", { class: "tvz-cmp-side-row", text: w === 0 ? "top row" : "bottom row" })
  ]);
  return h("div", { class: "tvz-cmp-sides" }, [side(0), side(1)]);
}
function diffLegend() {
  return h("div", { class: "tvz-legend tvz-cmp-legend" }, [
    h("span", { class: "tvz-legend-text", text: "colour: log p difference B \u2212 A (nats), B less likely than A" }),
    ...diffLegendStops().map((s) => {
      const sw = h("span", { class: "tvz-swatch", text: s.label });
      sw.style.backgroundColor = s.color;
      return sw;
    }),
    h("span", { class: "tvz-legend-text tvz-cmp-legend-end", text: "more likely" })
  ]);
}
function marksKey2(c) {
  const entry = (cls, text, meaning) => h("span", { class: "tvz-key-entry" }, [
    h("span", { class: `tvz-key-mark ${cls}`, text }),
    h("span", { class: "tvz-key-meaning", text: meaning })
  ]);
  const entries = [];
  if (c.alignment === "tokens") {
    entries.push(entry("tvz-cmp-key-div", "\u2260", "first difference"));
    entries.push(entry("tvz-cmp-key-one", "\u2013", "only in one text (no difference)"));
  }
  if (c.generated_from.some((g) => g != null)) entries.push(entry("tvz-key-gen", "abc", "generated"));
  entries.push(entry("tvz-cmp-key-none", "\xA0\xA0", "hatched: no difference, a side has no prediction (its first token)"));
  return h("div", { class: "tvz-key", role: "note", "aria-label": "what the marks mean" }, entries);
}
function summaryParts(c) {
  const parts = [
    h("span", { class: "tvz-cmp-mean", text: `mean B \u2212 A: ${signed(c.mean_d)} nats over ${c.aligned} unit${c.aligned === 1 ? "" : "s"}` }),
    h("span", { class: "tvz-cmp-ppl", text: `perplexity A ${formatPerplexity(c.ppl[0])}, B ${formatPerplexity(c.ppl[1])} (per token)` })
  ];
  if (c.alignment === "characters") {
    parts.push(h("span", { class: "tvz-cmp-where", text: "one text, units aligned by character spans" }));
  } else if (c.divergence == null) {
    parts.push(h("span", { class: "tvz-cmp-where", text: "the texts are the same" }));
  } else {
    parts.push(h("span", { class: "tvz-cmp-where", text: `first difference at unit ${c.divergence} (character ${c.divergence_char}); later matches have different contexts` }));
  }
  return parts;
}
function unitTooltip(c, i) {
  const u = c.units[i];
  const title = i === c.divergence ? `Unit ${i} \xB7 first difference` : `Unit ${i}`;
  const table = h("table", { class: "tvz-cmp-tip-table" });
  const header = h("tr", {}, [h("th", { text: "" })]);
  const rows = {};
  for (const key of ["tokens", "probability", "log p", "characters"]) rows[key] = h("tr", {}, [h("th", { text: key === "log p" ? "log p (nats)" : key })]);
  SIDES.forEach((key, w) => {
    const side = u[key];
    header.append(h("th", { class: "tvz-cmp-tip-side", "data-side": key }, [
      h("span", { class: "tvz-cmp-side-badge", text: w === 0 ? "A" : "B" }),
      ` ${c.names[w]}`
    ]));
    rows.tokens.append(h("td", { class: "tvz-cmp-tip-toks", "data-side": key }, side ? tipTokens(side, c.pieces[w]) : [h("span", { class: "tvz-note", text: "nothing here" })]));
    rows.probability.append(h("td", { class: "tvz-cmp-tip-p", "data-side": key, text: side ? formatPercent(side.p) : "" }));
    rows["log p"].append(h("td", { class: "tvz-cmp-tip-lp", "data-side": key, text: side ? formatNumber(side.lp, 3) : "" }));
    rows.characters.append(h("td", { class: "tvz-cmp-tip-span", "data-side": key, text: side ? `${side.start}\u2013${side.end}` : "" }));
  });
  table.append(h("thead", {}, [header]), h("tbody", {}, [rows.tokens, rows.probability, rows["log p"], rows.characters]));
  const diff = statTable([["B \u2212 A", u.d == null ? "\u2013" : `${signed(u.d)} nats`]]);
  diff.classList.add("tvz-cmp-tip-diff");
  diff.querySelector("dd")?.classList.add("tvz-cmp-tip-d");
  const swatch = diffColor(u.d);
  const dd = diff.querySelector("dd");
  if (dd && swatch) dd.style.backgroundColor = swatch;
  return h("div", { class: "tvz-cmp-tip" }, [
    h("div", { class: "tvz-tip-title", text: title }),
    table,
    diff,
    ...tipNotes(c, u, i).map((text) => h("div", { class: "tvz-note", text }))
  ]);
}
function tipTokens(side, pieces) {
  if (side.toks.length === 1) return [h("span", { class: "tvz-tip-tok" }, [displayNode(tokenDisplay(side.toks[0], pieces))])];
  return side.toks.map((t) => h("div", { class: "tvz-cmp-tip-tokrow" }, [
    h("span", { class: "tvz-tip-tok" }, [displayNode(tokenDisplay(t, pieces))]),
    h("span", { class: "tvz-cmp-tip-tokp", text: formatPercent(t.p) })
  ]));
}
function tipNotes(c, u, i) {
  const notes = [];
  if (!u.a || !u.b) notes.push(`Only in ${u.a ? c.names[0] : c.names[1]}: nothing to compare it with.`);
  else if (u.d == null) notes.push("A side has no prediction here (its first token).");
  if (u.a && u.b && c.alignment === "characters" && (u.a.toks.length > 1 || u.b.toks.length > 1)) {
    notes.push("Several tokens: the probability of their text together, P(this text | everything before).");
  }
  if (u.a && u.b && c.divergence != null && i > c.divergence) notes.push("After the first difference: the contexts differ.");
  return notes;
}

// src/reshape.js
var SLIDERS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  top_k: { min: 0, max: 100, step: 1 },
  top_p: { min: 0.01, max: 1, step: 0.01 }
};
var SEND_EVERY_MS = 60;
var CUT_TEXT = { "top-k": "cut by top-k", "top-p": "cut by top-p", greedy: "not the greedy choice" };
var CURVE = { w: 420, h: 130, left: 44, right: 12, top: 10, bottom: 30 };
var count2 = (n) => Math.round(n).toLocaleString("en-US");
function slider(model, d, name, label, answered) {
  const { min, max, step } = SLIDERS[name];
  const input = h("input", {
    type: "range",
    class: "tvz-slider",
    name: `${name}-slider`,
    min,
    max,
    step,
    "aria-label": label
  });
  let timer = null;
  let lastSent = 0;
  let held = false;
  const send = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    held = false;
    lastSent = performance.now();
    const v = Number(input.value);
    if (v !== model.get(name)) setTrait(model, name, v);
  };
  d.listen(input, "input", () => {
    if (answered && !answered.ready()) {
      held = true;
      return;
    }
    const wait = SEND_EVERY_MS - (performance.now() - lastSent);
    if (wait <= 0) send();
    else if (!timer) timer = setTimeout(send, wait);
  });
  d.listen(input, "change", send);
  if (answered) {
    d.onModel(model, answered.event, () => {
      if (held && answered.ready()) send();
    });
  }
  d.add(() => {
    if (timer) clearTimeout(timer);
  });
  const sync = () => {
    const v = Number(model.get(name));
    if (Number(input.value) !== v) input.value = String(Math.min(max, Math.max(min, v)));
  };
  sync();
  d.onModel(model, `change:${name}`, sync);
  return input;
}
function renderReshape(model, root, d) {
  const interactive = model.get("interactive") !== false;
  const heading = h("div", { class: "tvz-rs-heading" });
  const control = (name, label, hint) => {
    const field = numberField(model, d, name, { label, title: hint });
    const range = slider(model, d, name, label, { event: "change:data", ready: () => !pending() });
    return h("div", { class: "tvz-rs-control", "data-setting": name }, [
      field,
      range,
      h("span", { class: "tvz-hint", text: hint })
    ]);
  };
  const controls = h("fieldset", { class: "tvz-group tvz-rs-controls" }, [
    h("legend", { text: interactive ? "Sampling settings \u2014 the bars follow at once (the model does not run again)" : "Sampling settings (a saved view: changing them needs the running notebook)" }),
    control("temperature", "temperature", "divides the logits; 0 = greedy, < 1 sharper, > 1 flatter"),
    control("top_k", "top-k", "keep the k most probable tokens; 0 = off"),
    control("top_p", "top-p", "keep the most probable tokens until they hold p; 1 = off")
  ]);
  if (!interactive) for (const input of controls.querySelectorAll("input")) input.disabled = true;
  const summary = h("div", { class: "tvz-rs-summary", "aria-live": "polite" });
  const rows = h("div", { class: "tvz-rs-rows", role: "list", "aria-label": "tokens before and after reshaping" });
  const curveBox = h("div", { class: "tvz-rs-curve" });
  root.append(heading, controls, summary, rows, curveBox);
  const focus = rovingFocus(d, rows, ".tvz-rs-tok-row");
  const data = () => {
    const r = model.get("data");
    return r && Array.isArray(r.rows) ? r : null;
  };
  const pending = () => {
    const s = data()?.settings;
    return !!s && interactive && (s.temperature !== model.get("temperature") || s.top_k !== model.get("top_k") || s.top_p !== model.get("top_p"));
  };
  const markPending = () => root.classList.toggle("tvz-rs-pending", pending());
  const render2 = () => {
    const r = data();
    rows.replaceChildren();
    curveBox.replaceChildren();
    if (!r) {
      heading.replaceChildren();
      summary.textContent = "";
      rows.append(h("div", { class: "tvz-note", text: "No distribution." }));
      return;
    }
    drawHeading(heading, r);
    drawSummary(summary, r);
    drawRows(rows, r);
    if (r.curve) curveBox.append(entropyCurve(r, interactive ? (t) => setTrait(model, "temperature", t) : null, d));
    focus.refresh();
    markPending();
  };
  d.onModel(model, "change:data", render2);
  for (const name of Object.keys(SLIDERS)) d.onModel(model, `change:${name}`, markPending);
  render2();
}
function drawHeading(el, r) {
  const context = h("span", { class: "tvz-rs-context" }, [
    r.context_cut ? "\u2026" : "",
    displayNode({ kind: "text", segments: textSegments(r.context) })
  ]);
  const parts = [h("span", { text: "The next token after " }), context];
  if (r.actual != null) {
    parts.push(
      h("span", { text: " \u2014 the text went on with " }),
      h("span", { class: "tvz-rs-actual-tok" }, [displayNode(pieceDisplay(r.pieces[String(r.actual)]))]),
      h("span", { text: " (marked)" })
    );
  }
  el.replaceChildren(...parts);
}
function drawSummary(el, r) {
  const s = r.settings;
  const item = (label, value, key) => h("span", { class: "tvz-rs-stat", "data-stat": key || label }, [
    h("span", { class: "tvz-rs-stat-label", text: label }),
    " ",
    h("b", { text: value })
  ]);
  const cuts = [];
  if (r.cut_k) cuts.push(`top-k cut ${count2(r.cut_k)}`);
  if (r.cut_p) cuts.push(`top-p cut ${count2(r.cut_p)}`);
  const stats = [
    item("entropy before", formatBits(r.h_raw), "h_raw"),
    item("after", formatBits(r.h), "h"),
    s.temperature > 0 && (r.cut_k || r.cut_p) ? item("temperature alone", formatBits(r.h_tempered), "h_tempered") : null,
    item("tokens kept", `${count2(r.kept)} of ${count2(r.vocab)}`, "kept"),
    s.temperature > 0 ? item("they held", `${formatPercent(r.kept_mass)} of the tempered probability`, "kept_mass") : item("greedy", "all probability on the most probable token", "greedy"),
    cuts.length ? h("span", { class: "tvz-rs-stat tvz-hint", "data-stat": "cuts", text: cuts.join(", ") }) : null
  ];
  el.replaceChildren(...stats.filter((x) => x !== null));
}
function drawRows(list, r) {
  const displays = r.rows.map((row) => pieceDisplay(r.pieces[String(row.id)]));
  const longest = Math.max(10, ...displays.map((dd) => Array.from(plainLabel(dd)).length));
  list.style.setProperty("--tvz-rs-tok-w", `${Math.min(18, longest) + 1}ch`);
  list.append(h("div", { class: "tvz-rs-row tvz-rs-head", "aria-hidden": "true" }, [
    h("span", { class: "tvz-rs-rank", text: "rank" }),
    h("span", { text: "token" }),
    h("span", { class: "tvz-rs-col", text: "before: the model's probability" }),
    h("span", { class: "tvz-rs-col", text: "after: the probability sampled from" }),
    h("span")
  ]));
  r.rows.forEach((row, i) => {
    const actual = r.actual != null && row.id === r.actual;
    const cls = ["tvz-rs-row", "tvz-rs-tok-row", row.cut ? "tvz-rs-cut" : "", actual ? "tvz-rs-actual" : ""];
    const note = row.cut ? CUT_TEXT[row.cut] : "";
    list.append(h("div", {
      class: cls.filter(Boolean).join(" "),
      role: "listitem",
      tabindex: -1,
      "data-id": row.id,
      "data-cut": row.cut || "",
      "aria-label": `rank ${row.r}, ${plainLabel(displays[i])}: before ${formatPercent(row.raw)}, after ${formatPercent(row.p)}${note ? `, ${note}` : ""}${actual ? ", the token that came next" : ""}`
    }, [
      h("span", { class: "tvz-rs-rank", text: `#${count2(row.r)}` }),
      h("span", { class: "tvz-rs-tok" }, [displayNode(displays[i])]),
      h("span", { class: "tvz-rs-before" }, [probBar(row.raw)]),
      h("span", { class: "tvz-rs-p tvz-rs-raw", text: formatPercent(row.raw) }),
      h("span", { class: "tvz-rs-after" }, [row.cut ? h("span", { class: "tvz-bar-track" }) : probBar(row.p)]),
      h("span", { class: "tvz-rs-p tvz-rs-new", text: formatPercent(row.p) }),
      h("span", { class: "tvz-rs-note" }, [
        note ? h("span", { class: "tvz-rs-cut-label", text: note }) : null,
        actual ? h("span", { class: "tvz-badge", text: "came next" }) : null
      ])
    ]));
  });
  const rest = r.rest;
  list.append(h("div", { class: "tvz-rs-row tvz-rs-rest", "data-id": "rest" }, [
    h("span", { class: "tvz-rs-tok", text: `all ${count2(rest.count)} others` }),
    h("span", { class: "tvz-rs-before" }, [probBar(rest.raw)]),
    h("span", { class: "tvz-rs-p tvz-rs-raw", text: formatPercent(rest.raw) }),
    h("span", { class: "tvz-rs-after" }, [rest.p > 0 ? probBar(rest.p) : h("span", { class: "tvz-bar-track" })]),
    h("span", { class: "tvz-rs-p tvz-rs-new", text: formatPercent(rest.p) }),
    h("span", { class: "tvz-rs-note tvz-rs-cut-label", text: rest.kept ? `${count2(rest.kept)} of them kept` : "" })
  ]));
}
function entropyCurve(r, pick, d) {
  const c = (
    /** @type {{t: number[], h: number[]}} */
    r.curve
  );
  const { w, h: height, left, right, top, bottom } = CURVE;
  const bits = c.h.map(natsToBits);
  const tMax = c.t[c.t.length - 1] || 1;
  const hMax = Math.max(0.5, Math.ceil(Math.max(...bits, natsToBits(r.h)) * 2) / 2);
  const sx = (t2) => left + Math.min(t2, tMax) / tMax * (w - left - right);
  const sy = (b) => top + (1 - b / hMax) * (height - top - bottom);
  const temperatures = [];
  for (let t2 = 0; t2 <= tMax + 1e-9; t2 += tMax > 2 ? 1 : 0.5) temperatures.push(t2);
  const short2 = (v) => `${+v.toFixed(2)}`;
  const axes = chartAxes({
    frame: { width: w, height, left, right, top, bottom },
    x: { ticks: temperatures, at: sx, label: short2, gap: 14 },
    y: { ticks: [0, hMax / 2, hMax], at: sy, label: short2, gap: 5 },
    xTitle: { text: "temperature", rise: 3 },
    yTitle: { text: "bits", x: 10 }
  });
  const line = bits.map((b, i) => `${i ? "L" : "M"}${sx(c.t[i]).toFixed(1)},${sy(b).toFixed(1)}`).join(" ");
  const t = r.settings.temperature;
  const hb = natsToBits(r.h);
  const marker = svg("g", { class: "tvz-rs-now" }, [
    svg("line", { class: "tvz-rs-now-line", x1: sx(t), x2: sx(t), y1: top, y2: height - bottom }),
    svg("circle", { class: "tvz-rs-now-dot", cx: sx(t), cy: sy(hb), r: 4 })
  ]);
  const plot = svg("svg", {
    class: "tvz-rs-curve-svg",
    width: w,
    height,
    viewBox: `0 0 ${w} ${height}`,
    role: "img",
    "aria-label": `entropy against temperature; now ${formatBits(r.h)} at temperature ${t}`
  }, [axes, svg("path", { class: "tvz-line", d: line }), marker]);
  if (pick) {
    plot.classList.add("tvz-rs-pickable");
    d.listen(plot, "click", (ev) => {
      const box = plot.getBoundingClientRect();
      const x = (
        /** @type {MouseEvent} */
        (ev.clientX - box.left) / Math.max(1, box.width) * w
      );
      const at = (x - left) / (w - left - right) * tMax;
      let best = 0;
      c.t.forEach((ti, i) => {
        if (Math.abs(ti - at) < Math.abs(c.t[best] - at)) best = i;
      });
      pick(c.t[best]);
    });
  }
  const title = `Entropy of the distribution sampled from, at each temperature (top-k and top-p as set); the dot is now: ${formatBits(r.h)} at temperature ${t}.` + (pick ? " Click to set the temperature." : "");
  return h("div", { class: "tvz-chart" }, [h("div", { class: "tvz-chart-title", text: title }), plot]);
}

// src/bayes.js
var W2 = 600;
var H2 = 280;
var M2 = { left: 48, right: 16, top: 14, bottom: 38 };
var FRAME2 = { width: W2, height: H2, ...M2 };
var PROMPT_CHARS = 72;
var R = 3.5;
var SERIES = (
  /** @type {const} */
  [
    { key: "mean", cls: "tvz-bayes-model", name: "model (mean over the group's sequences)" },
    { key: "bayes", cls: "tvz-bayes-bayes", name: "Bayes, fitted \u03B1" },
    { key: "laplace", cls: "tvz-bayes-laplace", name: "Laplace's rule (\u03B1 = 1)" },
    { key: "frequency", cls: "tvz-bayes-frequency", name: "running frequency" }
  ]
);
var REF_NAMES = (
  /** @type {const} */
  { bayes: "Bayes", laplace: "Laplace", frequency: "frequency" }
);
function sig3(x) {
  if (x == null || Number.isNaN(x)) return "\u2013";
  return String(Number(x.toPrecision(3)));
}
function divergence(x) {
  return x == null ? "\u221E" : formatNumber(x, 3);
}
function windowName(w) {
  return w.first === w.last ? `n ${w.first}` : `n ${w.first}\u2013${w.last}`;
}
function renderBayes(model, root, d) {
  const tooltip = createTooltip(root, d);
  const sub = h("div", { class: "tvz-sub" });
  const controls = h("div", { class: "tvz-controls tvz-bayes-controls" });
  const plot = h("div", { class: "tvz-bayes-plot" });
  const key = h("div", { class: "tvz-bayes-legend", role: "list", "aria-label": "what the lines mean" });
  const summary = h("div", { class: "tvz-bayes-summary" });
  root.append(sub, controls, plot, key, summary);
  let controlsD = new Disposer();
  d.add(() => controlsD.dispose());
  const data = () => {
    const b = model.get("data");
    return b && Array.isArray(b.groups) && b.groups.length ? b : null;
  };
  const groupIndex = (b) => Math.max(0, b.groups.findIndex((g) => g.label === model.get("group")));
  const outcomeIndex = (b) => Math.max(0, b.outcomes.indexOf(model.get("outcome")));
  const trace = svg("path", { class: "tvz-bayes-trace" });
  let paths = {};
  const content = (point) => {
    const b = data();
    if (!b) return document.createTextNode("");
    const s = Number(point.getAttribute("data-s"));
    const n = Number(point.getAttribute("data-n"));
    const seq = b.sequences[s];
    const chars = Array.from(seq.text).slice(0, seq.cuts[n]);
    const shown2 = chars.length > PROMPT_CHARS ? `\u2026${chars.slice(-PROMPT_CHARS).join("")}` : chars.join("");
    const next = b.outcomes[seq.observed[n]];
    const table = h("table", { class: "tvz-bayes-table" }, [
      h("thead", {}, [h("tr", {}, ["outcome", "model", "token p", "Bayes", "Laplace", "frequency"].map((t) => h("th", { text: t })))]),
      h("tbody", {}, b.outcomes.map((o, k) => h("tr", {}, [
        h("td", {}, [h("span", { class: "tvz-answer", text: o })]),
        h("td", { class: "tvz-bayes-q", text: formatPercent(seq.q[n][k]) }),
        h("td", { text: formatPercent(seq.p[n][k]) }),
        h("td", { text: formatPercent(seq.bayes[n][k]) }),
        h("td", { text: formatPercent(seq.laplace[n][k]) }),
        h("td", { text: seq.frequency[n] ? formatPercent(
          /** @type {Probs} */
          seq.frequency[n][k]
        ) : "undefined" })
      ])))
    ]);
    const frag = document.createDocumentFragment();
    frag.append(
      h("div", { class: "tvz-tip-title", text: `sequence ${s + 1} (${seq.label}), n = ${n}: ${n} outcome${n === 1 ? "" : "s"} seen` }),
      h("div", { class: "tvz-bayes-prompt" }, [displayNode({ kind: "text", segments: textSegments(shown2) })]),
      h("div", { class: "tvz-tip-sub" }, ["what came next: ", h("span", { class: "tvz-answer", text: next })]),
      table,
      h("div", { class: "tvz-tip-sub", text: `model = token p normalised over the outcomes; other tokens: ${formatPercent(seq.outside[n])}` })
    );
    return frag;
  };
  const traceSequence = (point) => {
    const s = point.getAttribute("data-s");
    trace.setAttribute("d", paths[String(s)] || "");
    for (const p of plot.querySelectorAll(".tvz-bayes-point.tvz-active")) p.classList.remove("tvz-active");
    for (const p of plot.querySelectorAll(`.tvz-bayes-point[data-s="${s}"]`)) p.classList.add("tvz-active");
  };
  const buildControls = () => {
    controlsD.dispose();
    controlsD = new Disposer();
    controls.replaceChildren();
    const b = data();
    if (!b) return;
    if (b.groups.length > 1) {
      controls.append(switchField(model, controlsD, "group", {
        label: "sequences drawn with",
        choices: b.groups.map((g) => [g.label, `${g.label} (${g.sequences.length})`])
      }));
    }
    if (b.outcomes.length > 2) {
      controls.append(switchField(model, controlsD, "outcome", { label: "probability of", choices: b.outcomes.map((o) => [o, o]) }));
    }
  };
  const render2 = () => {
    plot.replaceChildren();
    key.replaceChildren();
    summary.replaceChildren();
    tooltip.dropDetached();
    const b = data();
    if (!b) {
      sub.textContent = "";
      plot.append(h("div", { class: "tvz-note", text: "No Bayesian ICL data." }));
      return;
    }
    const g = b.groups[groupIndex(b)];
    const k = outcomeIndex(b);
    const outcome = b.outcomes[k];
    sub.replaceChildren(
      `P(`,
      h("span", { class: "tvz-answer", text: outcome }),
      `) after n outcomes of ${g.label === "all sequences" ? "every sequence" : `the sequences drawn with ${g.label}`}: `,
      "the model's probability of the outcome's token, normalised over the outcomes, beside the Bayesian references. ",
      "Hover a point for its prompt."
    );
    const ns = b.n;
    const x1 = Math.max(1, ns[ns.length - 1]);
    const sx = (n) => M2.left + n / x1 * (W2 - M2.left - M2.right);
    const sy = (p) => M2.top + (1 - Math.min(1, Math.max(0, p))) * (H2 - M2.top - M2.bottom);
    const line = (ys) => {
      let out = "";
      let pen = false;
      ys.forEach((y, n) => {
        if (y == null) {
          pen = false;
          return;
        }
        out += `${pen ? "L" : "M"}${sx(n).toFixed(1)},${sy(y).toFixed(1)} `;
        pen = true;
      });
      return out.trim();
    };
    const column = (rows) => rows.map((r2) => r2 ? r2[k] : null);
    const axes = chartAxes({
      frame: FRAME2,
      x: { ticks: spacedTicks(ns, 16), at: sx, label: String, gap: 16 },
      y: { ticks: PERCENT_TICKS, at: sy, label: percentTick, gap: 6 },
      xTitle: { text: "n = outcomes seen before the prediction", rise: 4 }
    });
    const high = column(g.high);
    const low = column(g.low);
    const back = low.map((y, n) => [n, y]).filter(([, y]) => y != null).reverse().map(([n, y]) => `L${sx(
      /** @type {number} */
      n
    ).toFixed(1)},${sy(
      /** @type {number} */
      y
    ).toFixed(1)}`).join(" ");
    const layers = [axes, svg("path", { class: "tvz-bayes-band", d: `${line(high)} ${back} Z` })];
    if (g.hidden) {
      const y = sy(
        /** @type {number} */
        g.hidden[k]
      );
      layers.push(svg("line", { class: "tvz-bayes-hidden", x1: M2.left, x2: W2 - M2.right, y1: y, y2: y }));
    }
    for (const s of SERIES.slice(1)) layers.push(svg("path", { class: `tvz-bayes-line ${s.cls}`, d: line(column(g[s.key])) }));
    layers.push(svg("path", { class: `tvz-bayes-line ${SERIES[0].cls}`, d: line(column(g.mean)) }));
    const points = svg("g", { class: "tvz-points" });
    paths = {};
    const m = g.sequences.length;
    const spread = Math.min(2 * R + 1, (W2 - M2.left - M2.right) / Math.max(1, ns.length) * 0.6 / Math.max(1, m));
    const r = Math.max(2, Math.min(R, (spread - 0.5) / 2));
    g.sequences.forEach((s, j) => {
      const seq = b.sequences[s];
      const dx = (j - (m - 1) / 2) * spread;
      const ys = column(seq.q);
      paths[String(s)] = ys.map((y, n) => `${n ? "L" : "M"}${(sx(n) + dx).toFixed(1)},${sy(y ?? 0).toFixed(1)}`).join(" ");
      ys.forEach((y, n) => {
        if (y == null) return;
        points.append(svg("circle", {
          class: "tvz-bayes-point",
          cx: (sx(n) + dx).toFixed(2),
          cy: sy(y).toFixed(2),
          r: r.toFixed(2),
          tabindex: -1,
          "data-s": s,
          "data-n": n,
          "data-p": y,
          "aria-label": `sequence ${s + 1}, n = ${n}: model P(${outcome}) ${formatPercent(y)}`
        }));
      });
    });
    trace.setAttribute("d", "");
    layers.push(trace, points);
    plot.append(svg("svg", { class: "tvz-bayes-svg", width: W2, height: H2, viewBox: `0 0 ${W2} ${H2}`, role: "img", "aria-label": `P(${outcome}) vs n: the model and the Bayesian references` }, layers));
    const entry = (cls, name, kind) => {
      const mark = kind === "band" ? svg("rect", { class: cls, x: 1, y: 2, width: 26, height: 10 }) : kind === "point" ? svg("circle", { class: cls, cx: 14, cy: 7, r: 3.5 }) : svg("line", { class: `tvz-bayes-line ${cls}`, x1: 1, x2: 27, y1: 7, y2: 7 });
      return h("span", { class: "tvz-bayes-key", role: "listitem" }, [svg("svg", { width: 28, height: 14, "aria-hidden": "true" }, [mark]), name]);
    };
    key.append(...SERIES.map((s) => entry(s.cls, s.name, "line")), entry("tvz-bayes-band", "model: min\u2013max over the sequences", "band"), entry("tvz-bayes-point-key", "one sequence (hover)", "point"));
    if (g.hidden) key.append(entry("tvz-bayes-hidden", `hidden P(${outcome})`, "line"));
    const refs = (
      /** @type {Ref[]} */
      ["bayes", "laplace", "frequency"]
    );
    summary.append(
      h("div", { text: `Fitted prior: \u03B1 = ${sig3(b.alpha)} per outcome (${sig3(b.strength)} pseudo-observations in all; Laplace: \u03B1 = 1)${b.alpha_at_bound ? ", at the edge of the search range" : ""}.` }),
      h("div", { text: `\u03B1 fitted per window: ${b.alpha_windows.map((w) => `${windowName(w)}: ${sig3(w.alpha)}`).join(" \xB7 ")}` }),
      h("div", { text: `Every sequence, n \u2265 1: mean |model \u2212 ref| ${refs.map((r2) => `${REF_NAMES[r2]} ${divergence(b.summary.tv[r2])}`).join(" \xB7 ")}; mean KL(model \u2016 ref) ${refs.map((r2) => `${REF_NAMES[r2]} ${divergence(b.summary.kl[r2])}`).join(" \xB7 ")} nats; mass on other tokens ${formatPercent(b.summary.outside)}.` })
    );
    focus.refresh();
  };
  itemTooltips({ container: plot, tooltip, disposer: d, itemOf: itemFinder(plot, ".tvz-bayes-point"), content });
  onItemHover(d, plot, itemFinder(plot, ".tvz-bayes-point"), traceSequence);
  const focus = rovingFocus(d, plot, ".tvz-bayes-point");
  d.onModel(model, "change:data", () => {
    buildControls();
    render2();
  });
  d.onModel(model, "change:group", render2);
  d.onModel(model, "change:outcome", render2);
  buildControls();
  render2();
}

// src/loom.js
var DX2 = 118;
var DY2 = 24;
var LEFT2 = 70;
var TOP2 = 18;
var MAX_EDGE = 9;
var shorten2 = (s, n) => Array.from(s).length > n ? `${Array.from(s).slice(0, n - 1).join("")}\u2026` : s;
var LOOM_KEY_TEXT = "Left to right: each column is one more token. Edge width and colour = the token's probability after the path before it (violet unlikely \u2026 yellow likely). Tags: G greedy, B1.. beams, S\xD7n samples. Hover a node for its numbers; click it (or Enter) to pin it and grow the tree there.";
function treeRows(nodes) {
  const row = new Array(nodes.length).fill(0);
  let next = 0;
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
function markTags(marks) {
  const tags = [];
  let samples = 0;
  for (const [label, count3] of Object.entries(marks)) {
    if (label === "greedy") tags.push("G");
    else if (label.startsWith("beam ")) tags.push(`B${label.slice(5)}`);
    else samples += count3;
  }
  if (samples) tags.push(`S\xD7${samples}`);
  return tags.join(" ");
}
var tokenLabel = (g, id) => {
  const n = g.nodes[id];
  return n.tok == null ? "prompt" : plainLabel(pieceDisplay(g.pieces[String(n.tok)]));
};
function pathText(g, id) {
  const parts = [];
  for (let n = g.nodes[id]; n && n.parent != null; n = g.nodes[n.parent]) parts.push(tokenLabel(g, n.id));
  return parts.reverse().join("");
}
function nodeTip(g, id) {
  const n = g.nodes[id];
  if (n.parent == null) {
    return h("div", {}, [
      h("div", { class: "tvz-tip-head", text: "The prompt" }),
      statTable([["next tokens", `${n.c.length} shown, covering ${formatPercent(g.mass[0] ?? 0)}`]])
    ]);
  }
  const piece = g.pieces[String(n.tok)];
  const rows = (
    /** @type {[string, string][]} */
    [
      ["p", n.p == null ? "unknown" : `${formatPercent(n.p)} (log p ${n.lp == null ? "unknown" : formatNumber(n.lp, 3)} nats)`],
      ["path p", formatPercent(n.pp)],
      ["rank", n.r == null ? "unknown" : String(n.r)],
      ["entropy", n.h == null ? "unknown" : `${formatNumber(n.h, 3)} nats`],
      ["depth", String(n.d)],
      ["id", String(n.tok)]
    ]
  );
  const marks = Object.entries(n.m).map(([label, count3]) => count3 > 1 ? `${label} \xD7${count3}` : label);
  if (marks.length) rows.push(["paths", marks.join(", ")]);
  const siblings = g.nodes[
    /** @type {number} */
    n.parent
  ].c.map((c) => g.nodes[c]);
  const alternatives = h("ol", { class: "tvz-loom-alts" });
  for (const s of siblings.slice(0, 8)) {
    alternatives.append(h("li", { class: s.id === id ? "tvz-loom-this" : "" }, [
      h("span", { class: "tvz-loom-alt-tok" }, [displayNode(pieceDisplay(g.pieces[String(s.tok)]))]),
      h("span", { class: "tvz-loom-alt-p", text: s.p == null ? "?" : formatPercent(s.p) })
    ]));
  }
  return h("div", {}, [
    h("div", { class: "tvz-tip-head" }, [
      h("span", { class: "tvz-tip-tok" }, [displayNode(pieceDisplay(piece))]),
      h("span", { class: "tvz-tip-src", text: n.g ? "off the rule (a marked path took it)" : n.e ? "end of text" : n.x ? "grown" : "not grown yet" })
    ]),
    statTable(rows),
    h("div", { class: "tvz-sub", text: "Alternatives at this step:" }),
    alternatives
  ]);
}
function treeStep(g, row) {
  return (item, key, items) => {
    const id = Number(item.getAttribute("data-node"));
    const n = g.nodes[id];
    const find = (target) => target == null ? null : items.find((el) => Number(el.getAttribute("data-node")) === target) ?? null;
    if (key === "ArrowRight") return find(n.c[0]);
    if (key === "ArrowLeft") return find(n.parent);
    if (key === "ArrowDown" || key === "ArrowUp") {
      const column = g.nodes.filter((o) => o.d === n.d).sort((a, b) => row[a.id] - row[b.id]);
      const i = column.findIndex((o) => o.id === id);
      return find(column[key === "ArrowDown" ? i + 1 : i - 1]?.id);
    }
    if (key === "Home") return find(0);
    return void 0;
  };
}
function loomTree(g, tooltip, d, onPin) {
  const { row, rows } = treeRows(g.nodes);
  const deepest = Math.max(0, ...g.nodes.map((n) => n.d));
  const width = LEFT2 + deepest * DX2 + 110;
  const height = TOP2 * 2 + (rows - 1) * DY2;
  const pos = (id) => [LEFT2 + g.nodes[id].d * DX2, TOP2 + row[id] * DY2];
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
        class: `tvz-edge tvz-loom-edge${n.g ? " tvz-loom-grafted" : ""}`,
        "data-node": n.id,
        d: `M${px + 5},${py} C${mx},${py} ${mx},${y} ${x - 5},${y}`,
        style: `stroke: ${probColor(n.p) ?? "var(--tvz-fg2)"}; stroke-width: ${widthPx.toFixed(2)}px`
      }));
    }
    const tags = markTags(n.m);
    const label = n.parent == null ? "prompt" : shorten2(tokenLabel(g, n.id), 11);
    nodes.append(svg("g", {
      class: `tvz-node tvz-loom-node${tags ? " tvz-loom-marked" : ""}${n.x ? " tvz-loom-grown" : ""}`,
      tabindex: -1,
      "data-node": n.id,
      "aria-label": `${label}${n.p == null ? "" : `, p ${formatPercent(n.p)}`}`
    }, [
      // the whole label area takes the pointer (the group's centre may be empty space)
      svg("rect", { class: "tvz-loom-hit", x: n.parent == null ? x - LEFT2 + 4 : x - 7, y: y - 14, width: n.parent == null ? LEFT2 + 3 : DX2 - 20, height: DY2 }),
      svg("circle", { cx: x, cy: y, r: n.parent == null ? 6 : 4.5 }),
      svg("text", { x: n.parent == null ? x - 10 : x + 8, y: y - 5, "text-anchor": n.parent == null ? "end" : "start", text: label }),
      tags ? svg("text", { class: "tvz-loom-tags", x: x + 8, y: y + 10, text: tags }) : ""
    ]));
  }
  itemTooltips({
    container: el,
    tooltip,
    disposer: d,
    itemOf: itemFinder(el, ".tvz-loom-node[data-node]"),
    content: (item) => nodeTip(g, Number(item.getAttribute("data-node"))),
    onPin: (item) => onPin(Number(item.getAttribute("data-node"))),
    pinHint: g.growable ? "pinned: growing this node in Python" : void 0
  });
  const roving = rovingFocus(d, el, ".tvz-loom-node[data-node]", treeStep(g, row));
  roving.refresh();
  return { el: h("div", { class: "tvz-tree-scroll" }, [el]), svg: el };
}
function pathList(g) {
  const list = h("ol", { class: "tvz-loom-paths" });
  for (const p of g.paths) {
    const last = p.nodes[p.nodes.length - 1];
    const pp = last == null ? 1 : g.nodes[last].pp;
    list.append(h("li", {}, [
      h("span", { class: "tvz-loom-path-label", text: p.count > 1 ? `${p.label} \xD7${p.count}` : p.label }),
      h("span", { class: "tvz-loom-path-p", text: `path p ${formatPercent(pp)}` }),
      h("span", { class: "tvz-beam-text" }, [displayNode({ kind: "text", segments: textSegments(p.text) })])
    ]));
  }
  return list;
}
function renderLoom(model, root, d) {
  const tooltip = createTooltip(root, d);
  const box = h("div", { class: "tvz-loom-view" });
  root.append(box);
  const interactive = model.get("interactive") !== false;
  let inner = null;
  const render2 = () => {
    if (inner) inner.dispose();
    inner = new Disposer();
    const focused = root.ownerDocument.activeElement;
    const hadFocus = focused instanceof Element && box.contains(focused) ? focused.getAttribute("data-node") : null;
    tooltip.unpin();
    tooltip.hide();
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
        h("span", { class: "tvz-sub", text: `${g.model} \xB7 after ` }),
        h("span", { class: "tvz-loom-prompt" }, [displayNode({ kind: "text", segments: textSegments(`${g.prompt_cut ? "\u2026" : ""}${g.prompt}`) })])
      ]),
      h("div", { class: "tvz-sub", text: `${g.nodes.length} nodes \xB7 rule: children = the fewest most probable tokens reaching top_p ${s.top_p}, at most ${s.max_children} \xB7 covered probability by depth: ${mass}` }),
      h("div", { class: "tvz-sub tvz-tree-key", text: LOOM_KEY_TEXT })
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
        h("span", { class: "tvz-loom-status", role: "status", text: String(model.get("status") ?? "") })
      ]));
    }
    if (g.continued) {
      box.append(h("div", { class: "tvz-loom-continued" }, [
        h("span", { class: "tvz-sub", text: `Continued (greedy, stopped by ${g.continued.stopped_by}): ` }),
        displayNode({ kind: "text", segments: textSegments(g.continued.path_text) }),
        h("span", { class: "tvz-loom-more" }, [displayNode({ kind: "text", segments: textSegments(g.continued.text) })])
      ]));
    }
    if (g.paths.length) box.append(h("div", { class: "tvz-sub", text: "Marked paths:" }), pathList(g));
    if (hadFocus != null) {
      const again = tree.svg.querySelector(`[data-node="${Number(hadFocus)}"]`);
      if (again instanceof SVGElement) again.focus();
    }
  };
  d.add(() => inner && inner.dispose());
  d.onModel(model, "change:data", render2);
  d.onModel(model, "change:status", () => {
    const line = box.querySelector(".tvz-loom-status");
    if (line) line.textContent = String(model.get("status") ?? "");
  });
  d.onModel(model, "change:pinned", render2);
  render2();
}

// src/index.js
var VIEWS = {
  tokens: renderTokenViz,
  lens: renderLens,
  icl: renderICL,
  labels: renderLabels,
  beams: renderBeamsView,
  compare: renderCompare,
  reshape: renderReshape,
  bayes: renderBayes,
  loom: renderLoom
};
function render({ model, el }) {
  const kind = String(model.get("_kind") || "tokens");
  const d = new Disposer();
  const root = h("div", { class: `tvz-root tvz-kind-${kind}`, "data-kind": kind });
  if (model.get("interactive") === false) root.classList.add("tvz-static");
  el.append(root);
  d.add(() => root.remove());
  followTheme(root, d);
  const view = VIEWS[kind];
  try {
    if (!view) throw new Error(`unknown view kind ${JSON.stringify(kind)}`);
    view(model, root, d);
  } catch (err) {
    console.error("tokviz", err);
    root.append(h("div", { class: "tvz-error", role: "alert", text: `tokviz view failed: ${err instanceof Error ? err.message : String(err)}` }));
  }
  return () => d.dispose();
}
var index_default = { render };
export {
  index_default as default
};
