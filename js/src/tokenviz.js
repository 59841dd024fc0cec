// @ts-check
// TokenViz (`_kind` "tokens"): prompt box, controls, legend, token strip, beams and status line.

import { h, Disposer } from "./dom.js";
import { formatNumber } from "./format.js";
import { createTooltip } from "./tooltip.js";
import { createStrip } from "./strip.js";
import { numberField, checkField, switchField, legend, setTrait, readTrait } from "./controls.js";
import { beamTree, beamList } from "./beams.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./types.js").Strip} Strip
 */

const BUSY = new Set(["analyzing", "generating"]);
// Payload traits: documented names first, then the names tokviz.widget.TokenViz syncs them under.
const ANALYSIS = ["analysis_data", "analysis"];
const GENERATION = ["generation_data", "generation"];

/** @param {any} x @returns {Strip} */
const asStrip = (x) => (x && typeof x === "object" ? x : {});

/**
 * @param {Model} model
 * @param {HTMLElement} root
 * @param {Disposer} d
 */
export function renderTokenViz(model, root, d) {
  const interactive = model.get("interactive") !== false;
  const tooltip = createTooltip(root);
  const opts = () => ({
    colorBy: model.get("color_by") || "prob",
    probMode: model.get("prob_mode") || "raw",
    alternatives: Math.max(1, Number(model.get("alternatives")) || 10),
  });

  // Prompt and actions.
  const prompt = h("textarea", { class: "tvz-prompt", rows: 3, "aria-label": "Prompt", spellcheck: "false" });
  prompt.value = model.get("prompt") || "";
  d.listen(prompt, "input", () => setTrait(model, "prompt", prompt.value));
  d.onModel(model, "change:prompt", () => {
    const v = model.get("prompt") || "";
    if (prompt.value !== v) prompt.value = v;
  });
  /** @param {string} action */
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
      if (!BUSY.has(model.get("status"))) act("analyze");
    }
  });
  const promptRow = h("div", { class: "tvz-prompt-row" }, [
    prompt,
    h("div", { class: "tvz-actions" }, [bAnalyze, bGenerate, bStop]),
  ]);

  const controls = h("div", { class: "tvz-controls", role: "group", "aria-label": "generation settings" }, [
    numberField(model, d, "max_new_tokens", { label: "max new tokens", min: 1, max: 4096, int: true }),
    numberField(model, d, "temperature", { label: "temperature", min: 0, max: 10, step: 0.1 }),
    checkField(model, d, "do_sample", { label: "sample", title: "sample instead of greedy / beam search" }),
    numberField(model, d, "top_k", { label: "top-k", min: 0, int: true, title: "0 = off" }),
    numberField(model, d, "top_p", { label: "top-p", min: 0, max: 1, step: 0.05, title: "1.0 = off" }),
    numberField(model, d, "num_beams", { label: "beams", min: 1, max: 64, int: true }),
    numberField(model, d, "alternatives", { label: "alternatives", min: 1, max: 100, int: true, title: "candidates shown per token" }),
    checkField(model, d, "stop_at_newline", { label: "stop at newline" }),
  ]);

  const errorBox = h("div", { class: "tvz-error", role: "alert" });

  const lg = legend(() => opts().colorBy);
  const viewRow = h("div", { class: "tvz-view-row" }, [
    switchField(model, d, "color_by", { label: "colour by", choices: [["prob", "probability"], ["rank", "rank"], ["entropy", "entropy"]] }),
    switchField(model, d, "prob_mode", { label: "generated p", choices: [["raw", "raw"], ["sampled", "sampled"]] }),
  ]);

  const strip = createStrip({
    tooltip,
    disposer: d,
    options: opts,
    onSelect: (sel) => setTrait(model, "selected", sel || {}),
  });
  const beamsBox = h("div", { class: "tvz-beams" });
  const status = h("div", { class: "tvz-status", "aria-live": "polite" });

  root.append(
    ...(interactive ? [promptRow, controls] : []),
    errorBox,
    viewRow,
    lg.el,
    strip.el,
    beamsBox,
    status,
  );

  // --- reactions ---------------------------------------------------------------------------------
  const busyState = () => {
    const busy = BUSY.has(model.get("status"));
    bAnalyze.disabled = busy;
    bGenerate.disabled = busy;
    bStop.disabled = !busy;
    root.classList.toggle("tvz-busy", busy);
  };

  const showError = () => {
    const msg = model.get("error") || "";
    errorBox.textContent = msg;
    errorBox.hidden = !msg;
  };

  // Prompt tokens come from `analysis`; a generation payload that repeats them (tokens without `g`) is
  // used only when there is no analysis.
  let promptFromGeneration = false;
  const renderAnalysis = () => {
    const a = asStrip(readTrait(model, ANALYSIS));
    if (a.tokens && a.tokens.length) {
      promptFromGeneration = false;
      strip.setPrompt(a);
    } else {
      const g = asStrip(readTrait(model, GENERATION));
      const ctx = (g.tokens || []).filter((t) => !t.g);
      promptFromGeneration = ctx.length > 0;
      strip.setPrompt(promptFromGeneration ? { tokens: ctx, pieces: g.pieces } : null);
    }
  };

  const renderGeneration = () => {
    const g = asStrip(readTrait(model, GENERATION));
    const toks = g.tokens || [];
    if (!asStrip(readTrait(model, ANALYSIS)).tokens?.length) {
      const ctx = toks.filter((t) => !t.g).length;
      if (ctx !== strip.data.prompt.tokens.length || (ctx > 0) !== promptFromGeneration) renderAnalysis();
    }
    strip.setGenerated(toks.filter((t) => t.g), g.pieces || {});
    renderBeams(g);
    markSelected();
    renderStatus();
  };

  // Beams and their tree are rebuilt only when the beams change (they arrive at the end of a run).
  const treeTip = createTooltip(root);
  /** @type {Disposer | null} */
  let treeDisposer = null;
  /** @type {unknown} */
  let shownBeams = null;
  d.add(() => treeDisposer && treeDisposer.dispose());
  /** @param {Strip} g */
  const renderBeams = (g) => {
    const key = JSON.stringify([g.beams || null, g.tree ? g.tree.length : 0]);
    if (key === shownBeams) return;
    shownBeams = key;
    if (treeDisposer) treeDisposer.dispose();
    treeDisposer = new Disposer();
    treeTip.hide();
    beamsBox.replaceChildren();
    if (!g.beams || !g.beams.length) return;
    beamsBox.append(h("div", { class: "tvz-sub", text: "Beams (best first, score = beam score)" }), beamList(g));
    if (g.tree && g.tree.length) {
      const det = h("details", { class: "tvz-tree-box" }, [h("summary", { text: "Beam tree" })]);
      det.append(beamTree(g, treeTip, treeDisposer));
      beamsBox.append(det);
    }
  };

  const renderStatus = () => {
    const st = model.get("status") || "idle";
    const a = asStrip(readTrait(model, ANALYSIS));
    const g = asStrip(readTrait(model, GENERATION));
    const parts = [h("span", { class: `tvz-state tvz-state-${st}`, text: st })];
    const name = model.get("model_name");
    if (name) parts.push(h("span", { text: `model: ${name}` }));
    if (a.perplexity != null) parts.push(h("span", { text: `perplexity: ${formatNumber(a.perplexity, 2)}` }));
    const nPrompt = strip.data.prompt.tokens.length;
    const nGen = strip.data.generated.tokens.length;
    if (nPrompt) parts.push(h("span", { text: `${nPrompt} prompt tokens` }));
    if (nGen) parts.push(h("span", { text: `${nGen} generated` }));
    if (g.stopped_by) parts.push(h("span", { text: `stopped by: ${g.stopped_by}` }));
    status.replaceChildren(...parts);
  };

  const markSelected = () => {
    const sel = model.get("selected");
    strip.markSelected(sel && (sel.source === "prompt" || sel.source === "generated") ? sel : null);
  };

  const recolor = () => {
    lg.update();
    strip.recolor();
  };

  d.onModel(model, "change:status", () => {
    busyState();
    renderStatus();
  });
  d.onModel(model, "change:error", showError);
  for (const name of ANALYSIS) {
    d.onModel(model, `change:${name}`, () => {
      renderAnalysis();
      markSelected();
      renderStatus();
    });
  }
  for (const name of GENERATION) d.onModel(model, `change:${name}`, renderGeneration);
  d.onModel(model, "change:selected", markSelected);
  d.onModel(model, "change:model_name", renderStatus);
  d.onModel(model, "change:color_by", recolor);
  d.onModel(model, "change:prob_mode", recolor);

  busyState();
  showError();
  renderAnalysis();
  renderGeneration();
}
