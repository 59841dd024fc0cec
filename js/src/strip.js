// @ts-check
// The token strip: prompt tokens, then generated tokens, each a focusable span coloured by probability,
// rank or entropy. Hover/focus shows a tooltip, click pins it. Events are delegated to the strip so a
// 2,000-token prompt costs one listener, and generated tokens are appended without touching the prompt.
// The strip is one Tab stop: arrow keys, Home and End move from token to token.

import { h, displayNode } from "./dom.js";
import { tokenDisplay, formatPercent, formatRank, formatBits, byteBadges, formatLogProb, formatSurprisal } from "./format.js";
import { tokenColor, tokenInk } from "./colors.js";
import { statTable } from "./tooltip.js";
import { candidateBars } from "./bars.js";
import { itemFinder, itemTooltips } from "./hover.js";
import { rovingFocus, linearStep } from "./roving.js";
import { blockBox, VIRTUAL_FROM } from "./strip_blocks.js";

/**
 * @typedef {import("./types.js").Tok} Tok
 * @typedef {import("./format.js").Pieces} Pieces
 * @typedef {{source: "prompt"|"generated", index: number}} Selection
 * @typedef {{colorBy: "prob"|"rank"|"entropy", probMode: "raw"|"sampled", alternatives?: number}} StripOptions
 *   alternatives: how many candidates a tooltip lists (default: all the payload has)
 */

// Closing the tooltip keeps the token selected (w.selected_token); only these two clear it.
const STRIP_PIN_HINT = "selected \u2014 Esc closes; click the token again (or \u201cclear selection\u201d) to unselect";

/**
 * @param {{
 *   tooltip: import("./tooltip.js").Tooltip,
 *   disposer: import("./dom.js").Disposer,
 *   options: () => StripOptions,
 *   onSelect?: (sel: Selection | null) => void,
 *   onBranch?: (branch: Selection & {tokenId: number}) => void,
 *   pointers?: Element,
 * }} cfg  pointers: an element outside the strip that points at its tokens (the surprisal chart);
 *   onBranch: a click on a candidate in a pinned tooltip asks for a branch with that candidate in place
 */
export function createStrip(cfg) {
  const { tooltip, disposer, options } = cfg;
  const el = h("div", { class: "tvz-strip", role: "group", "aria-label": "tokens" });
  const promptBox = h("span", { class: "tvz-prompt-tokens" });
  const nextEl = h("span", { class: "tvz-next", tabindex: -1, "data-source": "next", text: "next \u25b8" });
  const sep = h("span", { class: "tvz-sep", "aria-hidden": "true", text: "\u25b8" });
  const genBox = h("span", { class: "tvz-gen-tokens" });
  nextEl.hidden = true;
  sep.hidden = true;
  el.append(promptBox, nextEl, sep, genBox);

  const data = {
    branchPoint: /** @type {number | null} */ (null), // the generated token a branch forced in
    // unavailable: numbers the result cannot give, each with its reason (a served model's), as Python sends them
    prompt: { tokens: /** @type {Tok[]} */ ([]), pieces: /** @type {Pieces} */ ({}),
      unavailable: /** @type {Record<string, string>} */ ({}) },
    generated: { tokens: /** @type {Tok[]} */ ([]), pieces: /** @type {Pieces} */ ({}),
      unavailable: /** @type {Record<string, string>} */ ({}) },
    next: { cands: /** @type {import("./types.js").Cand[] | null} */ (null), pieces: /** @type {Pieces} */ ({}) },
  };
  /** @type {HTMLElement | null} */
  let selectedEl = null;

  /** The token's swatch and the ink that stays readable on it. @param {HTMLElement} span @param {Tok} tok @param {StripOptions} o */
  function paint(span, tok, o) {
    span.style.backgroundColor = tokenColor(tok, o.colorBy, o.probMode) || "";
    span.style.color = tokenInk(tok, o.colorBy, o.probMode) || "";
  }

  /** @param {Tok} tok @param {number} i @param {"prompt"|"generated"} source @param {Pieces} pieces @param {StripOptions} o */
  function tokenSpan(tok, i, source, pieces, o) {
    const d = tokenDisplay(tok, pieces);
    const span = document.createElement("span");
    let cls = source === "generated" ? "tvz-token tvz-gen" : "tvz-token";
    if (tok.f) cls += " tvz-forced";
    if (source === "generated" && i === data.branchPoint) cls += " tvz-branch-point";
    if (d.kind === "bytes") cls += " tvz-partial";
    else if (d.kind === "special") cls += " tvz-tag";
    span.className = cls;
    span.tabIndex = -1; // the strip's one Tab stop is managed by rovingFocus
    span.dataset.index = String(i);
    span.dataset.source = source;
    paint(span, tok, o);
    span.append(displayNode(d, { breaks: true }));
    return span;
  }

  // A block holding the pinned token or the tooltip's stays drawn when it scrolls away.
  /** @param {Element} block */
  const keep = (block) => (!!selectedEl && block.contains(selectedEl)) || block.contains(tooltip.anchor() ?? null);
  /** @param {"prompt"|"generated"} source @param {HTMLElement} box */
  const boxOf = (source, box) => blockBox({ box, scroller: el, keep, disposer,
    span: (i) => tokenSpan(data[source].tokens[i], i, source, data[source].pieces, options()) });
  const boxes = { prompt: boxOf("prompt", promptBox), generated: boxOf("generated", genBox) };

  /** Prompt tokens (and the "next" predictions after them): a full rebuild. @param {import("./types.js").Strip | null} s */
  function setPrompt(s) {
    data.prompt.tokens = (s && s.tokens) || [];
    data.prompt.pieces = (s && s.pieces) || {};
    data.prompt.unavailable = (s && s.unavailable) || {};
    data.next.cands = (s && s.next) || null;
    data.next.pieces = data.prompt.pieces;
    boxes.prompt.reset(data.prompt.tokens, data.prompt.tokens.length > VIRTUAL_FROM);
    el.classList.toggle("tvz-virtual", boxes.prompt.isVirtual() || boxes.generated.isVirtual());
    updateMarkers();
    tooltip.dropDetached();
  }

  /**
   * Generated tokens. Appends when the new list extends what is drawn (streaming), else rebuilds.
   * @param {Tok[]} tokens @param {Pieces} pieces @param {number | null} [branchPoint]
   * @param {Record<string, string>} [unavailable]
   */
  function setGenerated(tokens, pieces, branchPoint = null, unavailable = {}) {
    const old = data.generated.tokens;
    const n = boxes.generated.count();
    const extends_ = n <= tokens.length && n === old.length && (n === 0 || old[n - 1].id === tokens[n - 1].id) &&
      branchPoint === data.branchPoint;
    data.branchPoint = branchPoint;
    data.generated.tokens = tokens;
    data.generated.pieces = pieces || {};
    data.generated.unavailable = unavailable;
    // A reader at the end of a scrolled strip follows the stream there; one who scrolled up stays put.
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

  /** Re-apply colours after a colouring switch (no rebuild). */
  function recolor() {
    const o = options();
    for (const src of /** @type {const} */ (["prompt", "generated"])) {
      const toks = data[src].tokens;
      for (const span of boxes[src].drawnSpans()) {
        const tok = toks[Number(span.dataset.index)];
        if (tok) paint(span, tok, o);
        else span.style.backgroundColor = span.style.color = "";
      }
    }
  }

  /** @param {Selection | null} sel */
  function markSelected(sel) {
    if (selectedEl) selectedEl.classList.remove("tvz-selected");
    selectedEl = sel ? spanAt(sel.source, sel.index) : null;
    if (selectedEl) selectedEl.classList.add("tvz-selected");
  }

  /** @param {string} source @param {number} index @returns {HTMLElement | null} */
  function spanAt(source, index) {
    return source === "generated" || source === "prompt" ? boxes[source].spanAt(index) : null;
  }

  /** Tooltip body for a token or the "next" marker. @param {HTMLElement | SVGElement} span */
  function tipContent(span) {
    const o = options();
    const limit = o.alternatives ?? Infinity;
    if (span.dataset.source === "next") {
      return h("div", {}, [
        h("div", { class: "tvz-tip-title", text: "Predicted next token" }),
        candidateBars(data.next.cands || [], data.next.pieces, null, limit),
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
      h("span", { class: "tvz-tip-src", text: `${source} token ${span.dataset.index}` }),
    ]);
    const body = h("div", {}, [head]);
    /** @type {[string, string][]} */
    const rows = [];
    const piece = pieces[String(tok.id)];
    if (piece && typeof piece === "object" && "bytes" in piece) rows.push(["bytes", bytesNote(tok, piece.bytes)]);
    const why = data[source].unavailable;
    const predicted = tok.p != null || tok.sp != null || (tok.top && tok.top.length > 0);
    if (!predicted) {
      body.append(h("div", { class: "tvz-note", text: "First token: nothing before it, so no prediction." }));
    } else {
      if (tok.p != null || tok.sp != null) rows.push(...probabilityRows(tok));
      else rows.push(["p", NOT_REPORTED]);
      // One row for both: the tooltip stays short enough to open below its token.
      if (tok.lp != null && tok.s != null) {
        rows.push([LOGP_SURPRISAL_LABEL, `${formatLogProb(tok.lp)} \u00b7 ${formatSurprisal(tok.s)}`]);
      }
      rows.push(["rank", tok.r == null && why.rank ? OUTSIDE_TOP_K : formatRank(tok.r)],
        ["entropy", tok.h == null && why.entropy ? NOT_REPORTED : formatBits(tok.h)]);
    }
    rows.push(["id", String(tok.id)]);
    body.append(statTable(rows));
    if (tok.g && tok.sp != null) body.append(h("div", { class: "tvz-note tvz-sampled-note", text: SAMPLED_P_NOTE }));
    if (tok.f) body.append(h("div", { class: "tvz-note tvz-forced-note", text: FORCED_NOTE }));
    if (tok.top && tok.top.length) {
      const shown = Math.min(limit, tok.top.length);
      // The switch on and the candidates' sampled probabilities sent: the list shows those, the model's beside.
      const sampled = o.probMode === "sampled" && !!tok.g && tok.top.some((c) => c.length > 2);
      body.append(h("div", { class: "tvz-tip-sub", text: sampled ? `Top ${shown} predicted here, ${SAMPLED_LIST_NOTE}`
        : `Top ${shown} predicted here` }));
      const bars = candidateBars(tok.top, pieces, tok.id, limit, sampled);
      if (cfg.onBranch) {
        bars.classList.add("tvz-branchable");
        for (const row of bars.children) if (row instanceof HTMLElement) row.tabIndex = 0;
      }
      body.append(bars);
      if (cfg.onBranch) body.append(h("div", { class: "tvz-hint tvz-branch-hint", text: BRANCH_HINT }));
      if (!tok.top.slice(0, shown).some((c) => c[0] === tok.id)) {
        body.append(h("div", { class: "tvz-note", text: `Actual token not in the top ${shown} (rank ${tok.r == null && why.rank ? OUTSIDE_TOP_K : formatRank(tok.r)}).` }));
      }
    }
    return body;
  }

  const tokenOf = itemFinder(el, ".tvz-token, .tvz-next");
  /** @param {HTMLElement | SVGElement} span */
  const select = (span) => {
    const src = span.dataset.source;
    if (src === "prompt" || src === "generated") cfg.onSelect?.({ source: src, index: Number(span.dataset.index) });
  };
  const tips = itemTooltips({ container: el, tooltip, disposer, itemOf: tokenOf, content: tipContent, onPin: select,
                              onUnpin: () => cfg.onSelect?.(null), pinHint: STRIP_PIN_HINT, pointers: cfg.pointers });
  // Keys move by token index, not by what is drawn: in a virtualised strip, End reaches the last token.
  /** @param {number} g position along the strip (prompt tokens, then generated ones or the "next" marker) */
  const itemAt = (g) => {
    const nPrompt = data.prompt.tokens.length, nGen = data.generated.tokens.length;
    if (g < 0) return null;
    if (g < nPrompt) return spanAt("prompt", g);
    if (nGen) return spanAt("generated", g - nPrompt);
    return g === nPrompt && !nextEl.hidden ? nextEl : null;
  };
  /** @type {import("./roving.js").Step} */
  const stripStep = (item, key, items) => {
    const nPrompt = data.prompt.tokens.length;
    const last = nPrompt + (data.generated.tokens.length || (nextEl.hidden ? 0 : 1)) - 1;
    const src = item.dataset.source;
    if (src !== "prompt" && src !== "generated" && src !== "next") return linearStep(item, key, items);
    const g = src === "prompt" ? Number(item.dataset.index) : src === "next" ? nPrompt : nPrompt + Number(item.dataset.index);
    if (key === "ArrowRight" || key === "ArrowDown") return itemAt(g + 1);
    if (key === "ArrowLeft" || key === "ArrowUp") return itemAt(g - 1);
    if (key === "Home") return itemAt(0);
    if (key === "End") return itemAt(last);
    return undefined;
  };
  const focus = rovingFocus(disposer, el, ".tvz-token, .tvz-next", stripStep);

  // Branching: a candidate in the pinned tooltip of a token, clicked (or Enter), asks for a branch.
  /** @param {Event} ev */
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
    if (/** @type {KeyboardEvent} */ (ev).key === "Enter") branchFrom(ev);
  });

  /** Show a token's tooltip, as hovering it would (the chart points at tokens). @param {string} source @param {number} index */
  function showAt(source, index) {
    const span = spanAt(source, index);
    if (span && tooltip.anchor() !== span) tips.show(span);
  }

  /** Select a token, as clicking it would, and bring it into view. @param {string} source @param {number} index */
  function pinAt(source, index) {
    const span = spanAt(source, index);
    if (!span) return;
    span.scrollIntoView({ block: "nearest" });
    tips.pin(span);
  }

  return { el, setPrompt, setGenerated, recolor, markSelected, spanAt, showAt, pinAt, data,
           selectedSpan: () => selectedEl };
}

/** A number the server does not report (docs/numbers.md, "Served models"); the reasons are under the strip. */
export const NOT_REPORTED = "not reported by the server";
export const OUTSIDE_TOP_K = "outside the server's top-k";

/** What a forced token is, in its tooltip. */
export const FORCED_NOTE = "Forced: a branch put this token here (nothing sampled it); p is the model's probability of it.";

/** The tooltip's hint when candidates can start a branch. */
export const BRANCH_HINT = "To branch, click the token, then a candidate: generation continues with it in this token's place.";

/** The tooltip row of a token's natural-log probability and its surprisal (-log2 p). */
export const LOGP_SURPRISAL_LABEL = "log p \u00b7 surprisal";

/** Tooltip labels of a sampled token's two probabilities: what the model said, and what was drawn from. */
export const RAW_P_LABEL = "model's p";
export const SAMPLED_P_LABEL = "sampled p";

/** A sampled token's candidate list, the switch on: which number is which. */
export const SAMPLED_LIST_NOTE = "after temperature/top-k/top-p (model's p in grey)";

/** The short label's meaning, said once under the numbers (in the row, it squeezed the values). */
export const SAMPLED_P_NOTE = "sampled p: after temperature / top-k / top-p, the distribution this token was drawn from.";

/**
 * A token's probability row: "p", or for a sampled token both the model's and the sampler's, labelled.
 * @param {Tok} tok
 * @returns {[string, string][]}
 */
function probabilityRows(tok) {
  if (!(tok.g && tok.sp != null)) return [["p", formatPercent(tok.p)]];
  return [[RAW_P_LABEL, formatPercent(tok.p)], [SAMPLED_P_LABEL, formatPercent(tok.sp)]];
}

/**
 * What a partial-UTF-8 token's bytes are: part of a character, or text followed by a character's start.
 * @param {Tok} tok @param {string} hex
 */
function bytesNote(tok, hex) {
  const bytes = byteBadges(hex).join(" ");
  if (!tok.t) return `${bytes} (part of a character)`;
  return tok.pending ? `${bytes} (ends with the start of a character)` : `${bytes} (completes a character)`;
}
