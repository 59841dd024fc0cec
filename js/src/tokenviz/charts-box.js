// @ts-check
// The charts box under the strip. It follows the strip: surprisal of every token shown, rank bands per
// part, and the distribution after the last token (after the generation once it has one).

import { h } from "../dom.js";
import { surprisalChart, rankBar, nextDistribution } from "../charts.js";

/**
 * @typedef {import("./state.js").SentStrip} SentStrip
 * @typedef {import("../charts.js").TokenRef} TokenRef
 * @typedef {ReturnType<typeof import("../strip.js").createStrip>["data"]} Shown
 */

/**
 * @param {{disposer: import("../dom.js").Disposer, onHover: (ref: TokenRef) => void,
 *   onPick: (ref: TokenRef) => void}} cfg  onHover / onPick: a surprisal bar pointed at / clicked
 * @returns {{el: HTMLElement, update: (a: SentStrip, g: SentStrip, shown: Shown, sampled?: boolean) => void}}
 *   update: a, g = the analysis and generation traits; shown = the tokens the strip shows; sampled = the
 *   "after temperature/top-k/top-p" switch is on
 */
export function chartsPanel(cfg) {
  const el = h("section", { class: "tvz-charts", "aria-label": "charts" });
  const surprisal = surprisalChart(cfg);
  const ranksBox = h("div", { class: "tvz-chart tvz-ranks" });
  const nextBox = h("div", { class: "tvz-chart tvz-next-box" });
  el.append(surprisal.el, h("div", { class: "tvz-chart-row" }, [ranksBox, nextBox]));
  /** @param {SentStrip} a @param {SentStrip} g @param {Shown} shown @param {boolean} [sampled] */
  const update = (a, g, shown, sampled = false) => {
    surprisal.update(shown.prompt.tokens, shown.generated.tokens, shown.prompt.pieces, shown.generated.pieces,
      sampled && !!g.sampled);
    ranksBox.replaceChildren();
    if (a.ranks && a.tokens?.length) ranksBox.append(rankBar("prompt", a.ranks));
    if (g.ranks && g.tokens?.length) ranksBox.append(rankBar("generated", g.ranks));
    if (ranksBox.childElementCount) {
      ranksBox.prepend(h("div", { class: "tvz-chart-title",
        text: "How highly the model ranked each actual token (rank 1 = its top prediction)" }));
    }
    nextBox.replaceChildren(nextPanel(a, g));
    el.hidden = shown.prompt.tokens.length + shown.generated.tokens.length === 0;
  };
  return { el, update };
}

/**
 * The next-token distribution panel: after the generation when there is one, else after the prompt.
 * @param {SentStrip} a the analysis strip @param {SentStrip} g the generation strip
 */
function nextPanel(a, g) {
  if (g.tokens?.length) {
    if (g.next?.length) {
      return nextDistribution({ title: "What the model predicts after the last generated token",
        cands: g.next, rest: g.next_rest, entropy: g.next_h, pieces: g.pieces ?? {} });
    }
    const why = g.stopped_by === "eos" ? "The generation ended with end-of-text: nothing follows it."
      : g.stopped_by ? "" : "The distribution after the last generated token appears when the generation ends.";
    return h("div", { class: "tvz-note", text: why });
  }
  if (!a.next?.length) return h("span");
  return nextDistribution({ title: "What the model predicts after the last prompt token",
    cands: a.next, rest: a.next_rest, entropy: a.next_h, pieces: a.pieces ?? {} });
}
