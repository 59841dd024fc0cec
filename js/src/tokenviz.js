// @ts-check
// TokenViz (`_kind` "tokens"): prompt box, controls, legend, token strip, beams and status line.

import { h, Disposer, displayNode } from "./dom.js";
import { formatNumber, pieceDisplay, plainLabel } from "./format.js";
import { createTooltip } from "./tooltip.js";
import { createStrip } from "./strip.js";
import { numberField, checkField, switchField, radioKeys, legend, marksKey, setTrait } from "./controls.js";
import { beamTree, beamList } from "./beams.js";
import { surprisalChart, rankBar, nextDistribution } from "./charts.js";
import { stripTsv, copyText, downloadText } from "./export.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./types.js").Strip} Strip
 * @typedef {Partial<Strip> & {text?: string, max_new_tokens?: number, sampled?: boolean,
 *   ranks?: import("./charts.js").RankBands, next_rest?: number|null, next_h?: number|null,
 *   from_prompt?: string, branch_point?: number}} SentStrip
 *   a strip trait as sent: `text` = the analysed text, `max_new_tokens` / `sampled` = the generation's,
 *   `ranks` / `next_rest` / `next_h` = the charts' numbers; `from_prompt` = the prompt box text the run
 *   came from (a branch cuts the prompt); `branch_point` = the generated token a branch forced in
 * @typedef {{id: number, parent: number|null, source: string|null, index: number|null, token: number|null,
 *   generated: number, stopped_by: string|null}} BranchRun  one run of the branch tree
 */

const BUSY = new Set(["analyzing", "generating"]);
/** How a stop reason reads in the status line (the others read as they are). @type {Record<string, string>} */
const STOP_LABELS = { cut_off: "cut off (the connection ended; the tokens so far are kept)" };
/** Names of the numbers a result may lack, as the "Not available" list shows them. @type {Record<string, string>} */
const UNAVAILABLE_LABELS = {
  logprob: "some log-probabilities", rank: "rank beyond the top-k", first_prediction: "the second token's prediction",
  token_ids: "token ids", next: "the distribution after the text", sampled_prob: "sampled probability",
  prob: "the model's own probability", eos_token: "end-of-text token", token_text: "some token text",
  cut_off: "the rest of the generation",
};
// The trait keeps "raw" / "sampled"; the buttons say what each means to someone new to sampling.
/** @type {[string, string][]} */
const PROB_MODE_CHOICES = [["raw", "model's probability"], ["sampled", "after temperature/top-k/top-p"]];

/**
 * A strip trait (`analysis_data` / `generation_data`): {} until there is a result.
 * @param {Model} model @param {string} name @returns {SentStrip}
 */
const stripTrait = (model, name) => model.get(name);

/**
 * @param {Model} model
 * @param {HTMLElement} root
 * @param {Disposer} d
 */
export function renderTokenViz(model, root, d) {
  const interactive = model.get("interactive") !== false;
  const tooltip = createTooltip(root, d);
  const opts = () => ({
    colorBy: model.get("color_by"),
    probMode: model.get("prob_mode"),
    alternatives: model.get("alternatives"),
  });

  // Prompt and actions.
  const prompt = h("textarea", { class: "tvz-prompt", rows: 3, "aria-label": "Prompt", spellcheck: "false" });
  prompt.value = model.get("prompt");
  d.listen(prompt, "input", () => setTrait(model, "prompt", prompt.value));
  d.onModel(model, "change:prompt", () => {
    const v = model.get("prompt");
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

  const samplingFields = [
    numberField(model, d, "temperature", { label: "temperature", title: "used only when sampling" }),
    numberField(model, d, "top_k", { label: "top-k", title: "sampling filter, used only when sampling" }),
    numberField(model, d, "top_p", { label: "top-p", title: "sampling filter, used only when sampling" }),
  ];
  const samplingHint = h("span", { class: "tvz-hint tvz-sampling-hint",
    text: "temperature, top-k and top-p apply only when \u201csample\u201d is ticked" });
  const nextRunHint = h("span", { class: "tvz-hint tvz-next-run" });
  // What this model cannot do (a served model: beams, branches), each with Python's reason.
  const unsupported = /** @type {Record<string, string>} */ (model.get("unsupported") || {});
  const beamsField = numberField(model, d, "num_beams", { label: "beams" });
  if (unsupported.num_beams) {
    const input = beamsField.querySelector("input");
    if (input) input.disabled = true;
    beamsField.classList.add("tvz-off");
    beamsField.title = unsupported.num_beams;
  }
  // Two groups: what the next Generate does, and how results are shown.
  const decoding = group("decoding", "Decoding \u2014 used by Generate", [
    numberField(model, d, "max_new_tokens", { label: "max new tokens" }),
    checkField(model, d, "do_sample", { label: "sample", title: "sample instead of greedy / beam search" }),
    ...samplingFields,
    beamsField,
    checkField(model, d, "stop_at_newline", { label: "stop at newline" }),
    samplingHint,
  ]);

  const errorBox = h("div", { class: "tvz-error", role: "alert" });

  const lg = legend(() => opts().colorBy);
  // The selection (w.selected_token) outlives its tooltip: this is the one control besides clicking the
  // token again that clears it.
  const bClear = h("button", { type: "button", class: "tvz-btn tvz-clear-selection", text: "clear selection" });
  d.listen(bClear, "click", () => setTrait(model, "selected", {}));
  const bCopy = h("button", { type: "button", class: "tvz-btn", "data-export": "tsv", text: "copy TSV",
    title: "copy every token with its numbers, tab-separated (paste into a spreadsheet)" });
  const bSave = h("button", { type: "button", class: "tvz-btn", "data-action": "save-html", text: "save HTML",
    title: "download this view as one self-contained HTML page (works without Python)" });
  const exportNote = h("span", { class: "tvz-hint tvz-export-note", role: "status" });
  const display = group("display", "Display", [
    switchField(model, d, "color_by", { label: "colour by", choices: [["prob", "probability"], ["rank", "rank"], ["entropy", "entropy"]] }),
    switchField(model, d, "prob_mode", { label: "generated", choices: PROB_MODE_CHOICES }),
    ...(interactive ? [numberField(model, d, "alternatives", { label: "alternatives", title: "candidates shown per token" }),
      nextRunHint] : []),
    bClear,
    h("span", { class: "tvz-field tvz-export" }, [bCopy, ...(interactive ? [bSave] : []), exportNote]),
  ]);

  const chartsBox = h("section", { class: "tvz-charts", "aria-label": "charts" });
  const strip = createStrip({
    tooltip,
    disposer: d,
    options: opts,
    onSelect: (sel) => setTrait(model, "selected", sel || {}),
    onBranch: interactive && !unsupported.branch ? (b) => {
      if (!BUSY.has(model.get("status"))) model.send({ action: "branch", source: b.source, index: b.index, token_id: b.tokenId });
    } : undefined,
    pointers: chartsBox,
  });
  const branchBar = h("div", { class: "tvz-branch-bar", role: "radiogroup", "aria-label": "branches" });
  const surprisal = surprisalChart({
    disposer: d,
    onHover: (ref) => strip.showAt(ref.source, ref.index),
    onPick: (ref) => strip.pinAt(ref.source, ref.index),
  });
  const ranksBox = h("div", { class: "tvz-chart tvz-ranks" });
  const nextBox = h("div", { class: "tvz-chart tvz-next-box" });
  chartsBox.append(surprisal.el, h("div", { class: "tvz-chart-row" }, [ranksBox, nextBox]));
  const staleNote = h("div", { class: "tvz-stale-note", role: "status" });
  const emptyNote = h("div", { class: "tvz-empty", text: interactive
    ? "Nothing analysed yet: type a prompt above and press Analyze (Ctrl+Enter) to colour each token by " +
      "its probability, or Generate to continue it."
    : "This view holds no result." });
  const beamsBox = h("div", { class: "tvz-beams" });
  const status = h("div", { class: "tvz-status", "aria-live": "polite" });
  const unavailableBox = h("details", { class: "tvz-unavailable" });

  root.append(
    ...(interactive ? [promptRow, decoding] : []),
    errorBox,
    display,
    lg.el,
    staleNote,
    emptyNote,
    branchBar,
    strip.el,
    marksKey(), // the key to the strip it follows
    status,
    unavailableBox,
    chartsBox,
    beamsBox,
  );

  // --- export ------------------------------------------------------------------------------------
  /** @param {string} text */
  const note = (text) => {
    exportNote.textContent = text;
  };
  d.listen(bCopy, "click", async () => {
    const parts = /** @type {const} */ (["prompt", "generated"]).map((source) => ({ source, ...strip.data[source] }));
    const n = parts[0].tokens.length + parts[1].tokens.length;
    const ok = await copyText(stripTsv(parts), root.ownerDocument);
    note(ok ? `copied ${n} tokens as TSV` : "the browser refused the clipboard: use w.analysis / w.generation in Python");
  });
  // The page is built by Python (the same as w.to_html()): it holds the bundled view and the current state.
  d.listen(bSave, "click", () => {
    note("building the page\u2026");
    model.send({ action: "save_html" });
  });
  d.onModel(model, "msg:custom", (/** @type {any} */ msg) => {
    if (!msg || msg.kind !== "html" || typeof msg.html !== "string") return;
    downloadText(msg.html, msg.filename || "tokviz.html", "text/html", root.ownerDocument);
    note(`saved ${msg.filename || "tokviz.html"}`);
  });

  // --- reactions ---------------------------------------------------------------------------------
  const busyState = () => {
    const busy = BUSY.has(model.get("status"));
    bAnalyze.disabled = busy;
    bGenerate.disabled = busy;
    bStop.disabled = !busy;
    root.classList.toggle("tvz-busy", busy);
    root.classList.toggle("tvz-analyzing", model.get("status") === "analyzing");
  };

  // Sampling settings do nothing without sampling: say so rather than ignore them silently.
  const samplingState = () => {
    const sampling = !!model.get("do_sample");
    for (const field of samplingFields) {
      const input = field.querySelector("input");
      if (input) input.disabled = !sampling;
      field.classList.toggle("tvz-off", !sampling);
    }
    samplingHint.hidden = sampling;
  };

  // A new number of alternatives needs a new run: the shown result holds only as many as it was made with.
  const nextRunState = () => {
    const shown = stripTrait(model, "analysis_data").alternatives ?? stripTrait(model, "generation_data").alternatives;
    const wanted = model.get("alternatives");
    nextRunHint.hidden = shown == null || shown === wanted;
    nextRunHint.textContent = `alternatives ${wanted}: from the next Analyze / Generate (this result has ${shown})`;
  };

  // The strip describes the text it was made for; once the prompt is edited, it no longer matches.
  const staleState = () => {
    const a = stripTrait(model, "analysis_data");
    const made = a.from_prompt ?? a.text; // a branch's cut prompt still comes from the prompt box's text
    const stale = made != null && made !== model.get("prompt");
    strip.el.classList.toggle("tvz-stale", stale);
    staleNote.hidden = !stale;
    staleNote.textContent = "The prompt has changed: the colours and perplexity below are for the previous prompt. " +
      "Press Analyze to update them.";
  };

  const emptyState = () => {
    emptyNote.hidden = strip.data.prompt.tokens.length + strip.data.generated.tokens.length > 0;
  };

  // The charts follow the strip: surprisal of every token shown, rank bands per part, and the distribution
  // after the last token (after the generation once it has one).
  const renderCharts = () => {
    const a = stripTrait(model, "analysis_data");
    const g = stripTrait(model, "generation_data");
    surprisal.update(strip.data.prompt.tokens, strip.data.generated.tokens);
    ranksBox.replaceChildren();
    if (a.ranks && a.tokens?.length) ranksBox.append(rankBar("prompt", a.ranks));
    if (g.ranks && g.tokens?.length) ranksBox.append(rankBar("generated", g.ranks));
    if (ranksBox.childElementCount) {
      ranksBox.prepend(h("div", { class: "tvz-chart-title",
        text: "How highly the model ranked each actual token (rank 1 = its top prediction)" }));
    }
    nextBox.replaceChildren(nextPanel(a, g));
    chartsBox.hidden = strip.data.prompt.tokens.length + strip.data.generated.tokens.length === 0;
  };

  // The runs of the branch tree, one radio button each; choosing one shows it (Python sends its strip).
  const renderBranches = () => {
    const runs = /** @type {BranchRun[]} */ (model.get("branches_data")?.branches ?? []);
    const pieces = model.get("branches_data")?.pieces ?? {};
    branchBar.hidden = runs.length < 2;
    if (branchBar.hidden) return branchBar.replaceChildren();
    const current = model.get("current_branch");
    const busy = BUSY.has(model.get("status"));
    branchBar.replaceChildren(h("span", { class: "tvz-branch-title", text: "branches" }), ...runs.map((run) => {
      const b = h("button", { type: "button", role: "radio", class: "tvz-branch", "data-branch": run.id,
        "aria-checked": String(run.id === current), title: branchTitle(run, pieces) });
      b.tabIndex = run.id === current ? 0 : -1;
      b.disabled = busy;
      b.append(...branchLabel(run, pieces));
      return b;
    }));
  };
  d.listen(branchBar, "click", (ev) => {
    const b = ev.target instanceof Element ? ev.target.closest("button[data-branch]") : null;
    if (b instanceof HTMLButtonElement && !b.disabled) setTrait(model, "current_branch", Number(b.dataset.branch));
  });
  radioKeys(d, branchBar, () => Array.from(branchBar.querySelectorAll("button[data-branch]")),
    (next) => setTrait(model, "current_branch", Number(next.dataset.branch)));

  const showError = () => {
    const msg = model.get("error") || "";
    errorBox.textContent = msg;
    errorBox.hidden = !msg;
  };

  const renderAnalysis = () => {
    const a = stripTrait(model, "analysis_data");
    strip.setPrompt(a.tokens ? /** @type {Strip} */ (a) : null);
  };

  const renderGeneration = () => {
    const g = stripTrait(model, "generation_data");
    strip.setGenerated(g.tokens ?? [], g.pieces ?? {}, g.branch_point ?? null, g.unavailable ?? {});
    renderBeams(g);
    markSelected();
    renderStatus();
  };

  // Beams and their tree are rebuilt only when the beams change (they arrive at the end of a run).
  const treeTip = createTooltip(root, d);
  /** @type {Disposer | null} */
  let treeDisposer = null;
  /** @type {unknown} */
  let shownBeams = null;
  d.add(() => treeDisposer && treeDisposer.dispose());
  /** @param {Partial<Strip>} g */
  const renderBeams = (g) => {
    const key = JSON.stringify([g.beams || null, g.tree ? g.tree.length : 0]);
    if (key === shownBeams) return;
    shownBeams = key;
    if (treeDisposer) treeDisposer.dispose();
    treeDisposer = new Disposer();
    treeTip.hide();
    beamsBox.replaceChildren();
    if (!g.beams?.length) return;
    const beams = /** @type {Strip} */ (g);
    beamsBox.append(h("div", { class: "tvz-sub", text: "Beams (best first, score = beam score)" }), beamList(beams));
    if (beams.tree?.length) {
      const det = h("details", { class: "tvz-tree-box" }, [h("summary", { text: "Beam tree" })]);
      det.append(beamTree(beams, treeTip, treeDisposer));
      beamsBox.append(det);
    }
  };

  // What the results cannot give and why (a served model's missing numbers), from Python's reasons.
  const renderUnavailable = () => {
    const reasons = { ...(stripTrait(model, "analysis_data").unavailable ?? {}),
      ...(stripTrait(model, "generation_data").unavailable ?? {}) };
    const names = Object.keys(reasons);
    unavailableBox.hidden = names.length === 0;
    unavailableBox.replaceChildren(
      h("summary", { text: `Not available: ${names.map((n) => UNAVAILABLE_LABELS[n] ?? n.replace(/_/g, " ")).join(", ")}` }),
      h("ul", {}, names.map((n) => h("li", {}, [
        h("span", { class: "tvz-unavailable-name", text: `${UNAVAILABLE_LABELS[n] ?? n.replace(/_/g, " ")}: ` }),
        h("span", { text: reasons[n] }),
      ]))));
  };

  const renderStatus = () => {
    const st = model.get("status");
    const a = stripTrait(model, "analysis_data");
    const g = stripTrait(model, "generation_data");
    const parts = [h("span", { class: `tvz-state tvz-state-${st}`, text: st })];
    const name = model.get("model_name");
    if (name) parts.push(h("span", { text: `model: ${name}` }));
    if (a.perplexity != null) parts.push(h("span", { text: `perplexity: ${formatNumber(a.perplexity, 2)}` }));
    const nPrompt = strip.data.prompt.tokens.length;
    const nGen = strip.data.generated.tokens.length;
    if (nPrompt) parts.push(h("span", { text: `${nPrompt} prompt tokens` }));
    if (nGen) parts.push(h("span", { text: `${nGen} generated` }));
    if (g.stopped_by) parts.push(h("span", { text: `stopped by: ${STOP_LABELS[g.stopped_by] ?? g.stopped_by}` }));
    const progress = st === "generating" ? progressText(g, model.get("num_beams")) : "";
    if (progress) parts.push(h("span", { class: "tvz-progress", text: progress }));
    status.replaceChildren(...parts);
  };

  const markSelected = () => {
    const sel = model.get("selected");
    const source = sel.source;
    strip.markSelected(source === "prompt" || source === "generated" ? sel : null);
    bClear.hidden = !strip.selectedSpan();
    // Python cleared the selection (a new analysis): a tooltip pinned to the old token goes too.
    if (!source && tooltip.isPinned() && strip.el.contains(tooltip.anchor())) tooltip.unpin();
  };

  const recolor = () => {
    lg.update();
    strip.recolor();
  };

  d.onModel(model, "change:status", () => {
    busyState();
    renderStatus();
    renderBranches();
  });
  d.onModel(model, "change:branches_data", renderBranches);
  d.onModel(model, "change:current_branch", renderBranches);
  d.onModel(model, "change:do_sample", samplingState);
  d.onModel(model, "change:alternatives", nextRunState);
  d.onModel(model, "change:prompt", staleState);
  d.onModel(model, "change:error", showError);
  d.onModel(model, "change:analysis_data", () => {
    renderAnalysis();
    renderCharts();
    markSelected();
    renderStatus();
    renderUnavailable();
    staleState();
    nextRunState();
    emptyState();
  });
  d.onModel(model, "change:generation_data", () => {
    renderGeneration();
    renderCharts();
    renderUnavailable();
    nextRunState();
    emptyState();
  });
  d.onModel(model, "change:selected", markSelected);
  d.onModel(model, "change:model_name", renderStatus);
  d.onModel(model, "change:color_by", recolor);
  d.onModel(model, "change:prob_mode", recolor);

  busyState();
  samplingState();
  showError();
  renderAnalysis();
  renderGeneration();
  renderCharts();
  renderUnavailable();
  renderBranches();
  staleState();
  nextRunState();
  emptyState();
}

/**
 * How far a running generation is: tokens streamed of at most `max_new_tokens` (a beam search shows
 * its beams only at the end, so it has no count to give).
 * @param {SentStrip} g @param {number} numBeams
 */
function progressText(g, numBeams) {
  if (g.max_new_tokens == null) return "";
  if (numBeams > 1) return `beam search, up to ${g.max_new_tokens} tokens: the beams appear when it ends`;
  return `step ${g.tokens?.length ?? 0} / ${g.max_new_tokens}`;
}

/**
 * A labelled group of controls.
 * @param {string} name @param {string} title @param {(Node | string)[]} children
 */
function group(name, title, children) {
  return h("fieldset", { class: `tvz-group tvz-group-${name}` }, [h("legend", { text: title }), ...children]);
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

/**
 * A branch button's label: "main", or "↳ ‹token› at prompt 4".
 * @param {BranchRun} run @param {import("./format.js").Pieces} pieces
 * @returns {(Node | string)[]}
 */
function branchLabel(run, pieces) {
  if (run.token == null) return ["main"];
  const where = `${run.source} ${(run.index ?? 0) + 1}`;
  return [`${run.id} \u21b3 `, h("span", { class: "tvz-branch-tok" }, [displayNode(pieceDisplay(pieces[String(run.token)]))]), ` at ${where}`];
}

/** @param {BranchRun} run @param {import("./format.js").Pieces} pieces */
function branchTitle(run, pieces) {
  const ended = run.stopped_by ? `, stopped by ${run.stopped_by}` : "";
  if (run.token == null) return `the run from the prompt: ${run.generated} generated${ended}`;
  return `branch ${run.id} of run ${run.parent}: ${plainLabel(pieceDisplay(pieces[String(run.token)]))} in place of ` +
    `${run.source} token ${(run.index ?? 0) + 1}; ${run.generated} tokens${ended}`;
}
