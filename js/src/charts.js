// @ts-check
// The charts under the token strip: surprisal against position (pointing at tokens), how highly the model
// ranked the tokens (a GLTR-style bar), and the whole distribution after the last token. They draw the
// strip payload's numbers (`s`, `ranks`, `next`, `next_rest`, `next_h`) and compute none.

import { h, svg } from "./dom.js";
import { formatBits, formatPercent, formatSurprisal, tokenDisplay, plainLabel } from "./format.js";
import { rankColor } from "./colors.js";
import { candidateBars, probBar } from "./bars.js";

/**
 * @typedef {import("./types.js").Tok} Tok
 * @typedef {import("./types.js").Cand} Cand
 * @typedef {import("./format.js").Pieces} Pieces
 * @typedef {{source: "prompt"|"generated", index: number}} TokenRef
 * @typedef {{edges: number[], counts: number[]}} RankBands
 */

/** The generated bars' key: the model's surprisal, or (the sampled switch on) the sampler's. */
const GEN_KEY = "generated token";
export const GEN_KEY_SAMPLED = "generated token, after temperature/top-k/top-p";
const PLOT_HEIGHT = 56; // px; the plot stretches to the view's width
const LABEL_ROOM = 64; // px one token label may take under the plot; more tokens than fit: every k-th
// More tokens than this: each bar stands for a run of tokens, as tall as the most surprising of them, so a
// 131,072-token text draws as ~1,500 bars (about one per pixel) that still show where its surprises are.
const MAX_BARS = 1500;

/** @param {string} s */
const clip = (s) => (Array.from(s).length > 8 ? `${Array.from(s).slice(0, 7).join("")}\u2026` : s);

/**
 * Surprisal (bits) of every token as a bar, prompt then generated, under a common scale. Hovering a bar
 * shows its token's tooltip in the strip; clicking selects the token.
 * @param {{onHover: (t: TokenRef) => void, onPick: (t: TokenRef) => void, disposer: import("./dom.js").Disposer}} cfg
 */
export function surprisalChart(cfg) {
  const genKey = h("span", { text: GEN_KEY });
  const promptBars = svg("path", { class: "tvz-surp-bars" });
  const genBars = svg("path", { class: "tvz-surp-bars tvz-surp-gen" });
  const cursor = svg("rect", { class: "tvz-surp-cursor", y: 0, height: PLOT_HEIGHT, width: 1 });
  const plot = svg("svg", { class: "tvz-surp-svg", height: PLOT_HEIGHT, preserveAspectRatio: "none",
    role: "img" }, [promptBars, genBars, cursor]);
  const top = h("span", { class: "tvz-surp-top" });
  const title = h("div", { class: "tvz-chart-title", text: "Surprisal of each token, in bits (tall = unexpected). " +
    "Hover a bar to see its token; click to select it." });
  // Which bars are which: the strip's own split, prompt tokens vs generated ones.
  const key = h("div", { class: "tvz-surp-key" }, [
    h("span", { class: "tvz-surp-key-entry", "data-source": "prompt" }, [h("span", { class: "tvz-surp-swatch" }), "prompt token"]),
    h("span", { class: "tvz-surp-key-entry tvz-surp-key-gen", "data-source": "generated" }, [h("span", { class: "tvz-surp-swatch" }), genKey]),
  ]);
  // Under each bar (every k-th where they would crowd), its token: the chart reads in the strip's order.
  const labels = h("div", { class: "tvz-surp-labels", "aria-hidden": "true" });
  const area = h("div", { class: "tvz-surp-area" }, [plot, labels]);
  const el = h("div", { class: "tvz-chart tvz-surprisal" }, [
    title,
    key,
    h("div", { class: "tvz-surp-plot" }, [h("div", { class: "tvz-surp-axis" }, [top, h("span", { text: "0" })]), area]),
  ]);
  const binNote = h("span", { class: "tvz-surp-bins" });
  title.append(binNote);
  let perBar = 1; // tokens per bar
  /** @type {{prompt: Tok[], generated: Tok[], promptPieces: Pieces, genPieces: Pieces}} */
  let shown = { prompt: [], generated: [], promptPieces: {}, genPieces: {} };

  /** Token labels under the bars, as many as the width holds. */
  const placeLabels = () => {
    const total = shown.prompt.length + shown.generated.length;
    const width = area.clientWidth;
    labels.replaceChildren();
    if (!total || !width) return;
    const every = Math.max(1, Math.ceil((total * LABEL_ROOM) / width));
    for (let i = 0; i < total; i += every) {
      const gen = i >= shown.prompt.length;
      const tok = gen ? shown.generated[i - shown.prompt.length] : shown.prompt[i];
      const text = clip(plainLabel(tokenDisplay(tok, gen ? shown.genPieces : shown.promptPieces)));
      const label = h("span", { class: gen ? "tvz-surp-label tvz-surp-label-gen" : "tvz-surp-label", "data-pos": i, text });
      label.style.left = `${((i + 0.5) / total) * 100}%`;
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

  /** @param {number} i position along the chart @returns {TokenRef | null} */
  const refAt = (i) => {
    const n = shown.prompt.length;
    if (i < 0 || i >= n + shown.generated.length) return null;
    return i < n ? { source: "prompt", index: i } : { source: "generated", index: i - n };
  };
  /** @param {MouseEvent} ev */
  const positionOf = (ev) => {
    const box = plot.getBoundingClientRect();
    const total = shown.prompt.length + shown.generated.length;
    return Math.floor(((ev.clientX - box.left) / Math.max(1, box.width)) * total);
  };
  cfg.disposer.listen(plot, "mousemove", (ev) => {
    const i = positionOf(/** @type {MouseEvent} */ (ev));
    const ref = refAt(i);
    if (!ref) return;
    cursor.setAttribute("x", String(i - (i % perBar))); // the bar under the pointer
    cursor.setAttribute("width", String(perBar));
    cursor.style.display = "";
    cfg.onHover(ref);
  });
  cfg.disposer.listen(plot, "mouseleave", () => {
    cursor.style.display = "none";
  });
  cfg.disposer.listen(plot, "click", (ev) => {
    const ref = refAt(positionOf(/** @type {MouseEvent} */ (ev)));
    if (ref) cfg.onPick(ref);
  });

  /**
   * @param {Tok[]} prompt @param {Tok[]} generated @param {Pieces} [promptPieces] @param {Pieces} [genPieces]
   * @param {boolean} [sampled] generated tokens' bars: surprisal under the distribution they were drawn from (`ss`)
   */
  function update(prompt, generated, promptPieces = {}, genPieces = {}, sampled = false) {
    shown = { prompt, generated, promptPieces, genPieces };
    const bits = (/** @type {Tok} */ tok) => (sampled && tok.g && tok.ss != null ? tok.ss : tok.s);
    genKey.textContent = sampled ? GEN_KEY_SAMPLED : GEN_KEY;
    key.lastElementChild?.toggleAttribute("hidden", generated.length === 0);
    const total = prompt.length + generated.length;
    el.hidden = total === 0;
    let peak = 0;
    for (const tok of [...prompt, ...generated]) {
      const s = bits(tok);
      if (s != null && s > peak) peak = s;
    }
    const scaleTop = Math.max(1, Math.ceil(peak)); // whole bits: the axis label stays short
    perBar = Math.max(1, Math.ceil(total / MAX_BARS));
    const gap = perBar === 1 ? 0.1 : 0; // single tokens' bars are spaced; runs of tokens touch
    /** @param {Tok[]} toks @param {number} from */
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
        const height = (s / scaleTop) * PLOT_HEIGHT;
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

/**
 * The band labels of rank edges [1, 10, 100, 1000]: "rank 1", "2–10", "11–100", "101–1000", "> 1000".
 * @param {number[]} edges
 */
export function bandLabels(edges) {
  const labels = edges.map((e, i) => {
    const low = i === 0 ? 1 : edges[i - 1] + 1;
    return low === e ? `rank ${e}` : `${low}\u2013${e}`;
  });
  labels.push(`> ${edges[edges.length - 1]}`);
  return labels;
}

/**
 * One stacked bar of how many tokens fell in each rank band, coloured as the strip's rank colouring, with
 * the counts written out (GLTR: real text keeps landing outside the top 10; a model's own greedy text
 * rarely does).
 * @param {string} what "prompt" or "generated" @param {RankBands} bands
 */
export function rankBar(what, bands) {
  const labels = bandLabels(bands.edges);
  const total = bands.counts.reduce((a, b) => a + b, 0);
  const bar = h("div", { class: "tvz-rank-bar", role: "img" });
  const key = h("div", { class: "tvz-rank-key" });
  bands.counts.forEach((count, i) => {
    // a rank inside band i, so the colour is the strip's own for that band
    const color = rankColor(i < bands.edges.length ? bands.edges[i] : bands.edges[bands.edges.length - 1] + 1) || "";
    if (count > 0) {
      const seg = h("span", { class: "tvz-rank-seg", "data-band": i, title: `${labels[i]}: ${count} of ${total}` });
      seg.style.flexGrow = String(count);
      seg.style.backgroundColor = color;
      bar.append(seg);
    }
    const swatch = h("span", { class: "tvz-rank-swatch" });
    swatch.style.backgroundColor = color;
    key.append(h("span", { class: "tvz-rank-entry", "data-band": i }, [swatch, `${labels[i]}: `,
      h("span", { class: "tvz-rank-count", text: String(count) })]));
  });
  bar.setAttribute("aria-label", `${what}: ${labels.map((l, i) => `${l} ${bands.counts[i]}`).join(", ")}`);
  return h("div", { class: "tvz-rank-row", "data-what": what }, [
    h("span", { class: "tvz-rank-what", text: `${what} (${total})` }), bar, key,
  ]);
}

/**
 * The next-token distribution as bars: the shown candidates and one bar for all other tokens together, so
 * the bars add up to 100%; its entropy below.
 * @param {{title: string, cands: Cand[], rest: number | null | undefined, entropy: number | null | undefined,
 *   pieces: Pieces}} o
 */
export function nextDistribution(o) {
  const list = candidateBars(o.cands, o.pieces, null);
  const labelWidth = Number.parseInt(list.style.getPropertyValue("--tvz-cand-w"), 10) || 0;
  list.style.setProperty("--tvz-cand-w", `${Math.max(labelWidth, 11)}ch`); // room for "all others"
  if (o.rest != null) {
    list.append(h("li", { class: "tvz-cand tvz-rest" }, [
      h("span", { class: "tvz-cand-tok", text: "all others" }),
      probBar(o.rest),
      h("span", { class: "tvz-cand-p", text: formatPercent(o.rest) }),
    ]));
  }
  return h("div", { class: "tvz-next-dist" }, [
    h("div", { class: "tvz-chart-title", text: o.title }),
    list,
    o.entropy != null ? h("div", { class: "tvz-hint", text: `entropy ${formatBits(o.entropy)}` }) : null,
  ]);
}
