// @ts-check
// TokenViz (`_kind` "tokens"): prompt box, controls, legend, token strip, charts, beams and status line.
// The pieces live in tokenviz/, each with one job; this file lays them out and says which trait changes
// update which piece.

import { createTooltip } from "./tooltip.js";
import { createStrip } from "./strip.js";
import { legend, marksKey, setTrait } from "./controls.js";
import { stripTrait, isBusy, applyStreamMessage, applyChunkMessage, endStream } from "./tokenviz/state.js";
import { promptRow } from "./tokenviz/prompt.js";
import { decodingGroup, displayGroup, nextRunHint } from "./tokenviz/settings.js";
import { exportButtons } from "./tokenviz/export-buttons.js";
import { selection } from "./tokenviz/selection.js";
import { errorBox, staleNote, emptyNote, unavailableList } from "./tokenviz/notes.js";
import { chartsPanel } from "./tokenviz/charts-box.js";
import { branchBar } from "./tokenviz/branches.js";
import { statusLine } from "./tokenviz/status.js";
import { busyLine } from "./tokenviz/busy.js";
import { beamsPanel } from "./tokenviz/beams-box.js";
import { samplingNote } from "./tokenviz/sampling-note.js";

/**
 * @typedef {import("./types.js").Model} Model
 * @typedef {import("./types.js").Strip} Strip
 */

/** The legend's word on the "after temperature/top-k/top-p" switch; the note under it has the numbers. */
const SAMPLED_LEGEND_NOTE = "Generated tokens: after temperature / top-k / top-p (see below).";

/**
 * @param {Model} model
 * @param {HTMLElement} root
 * @param {import("./dom.js").Disposer} d
 */
export function renderTokenViz(model, root, d) {
  const interactive = model.get("interactive") !== false;
  const tooltip = createTooltip(root, d);
  const opts = () => ({
    colorBy: model.get("color_by"),
    probMode: model.get("prob_mode"),
    alternatives: model.get("alternatives"),
  });
  // What this model cannot do (a served model: beams, branches), each with Python's reason.
  const unsupported = /** @type {Record<string, string>} */ (model.get("unsupported") || {});

  const prompt = promptRow(model, d);
  const decoding = decodingGroup(model, d, unsupported);
  const error = errorBox(model);
  // In "sampled" mode only the generated tokens' colours switch: the legend says so, and what stays raw.
  const lg = legend(() => opts().colorBy, () => {
    const o = opts();
    return o.probMode === "sampled" && o.colorBy === "prob" ? SAMPLED_LEGEND_NOTE : "";
  });
  // The strip and the charts point at each other: the strip is given the charts' box (its pointers), and
  // the surprisal bars reach the strip once it exists.
  const charts = chartsPanel({
    disposer: d,
    onHover: (ref) => strip.showAt(ref.source, ref.index),
    onPick: (ref) => strip.pinAt(ref.source, ref.index),
  });
  const strip = createStrip({
    tooltip,
    disposer: d,
    options: opts,
    onSelect: (sel) => setTrait(model, "selected", sel || {}),
    onBranch: interactive && !unsupported.branch ? (b) => {
      if (!isBusy(model)) model.send({ action: "branch", source: b.source, index: b.index, token_id: b.tokenId });
    } : undefined,
    pointers: charts.el,
  });
  const selected = selection(model, d, strip, tooltip);
  const nextRun = nextRunHint(model);
  const display = displayGroup(model, d, { interactive, nextRun: nextRun.el,
    extra: [selected.clearButton, exportButtons(model, d, { strip, root, interactive })] });
  const stale = staleNote(model, strip);
  const empty = emptyNote(interactive, strip);
  const branches = branchBar(model, d);
  const status = statusLine(model, strip);
  const busy = busyLine(model);
  const unavailable = unavailableList(model);
  const beams = beamsPanel(root, d);
  const sampling = samplingNote(model);

  root.append(
    ...(interactive ? [prompt.el, decoding.el] : []),
    busy.el,
    error.el,
    display,
    lg.el,
    sampling.el,
    stale.el,
    empty.el,
    branches.el,
    strip.el,
    marksKey(), // the key to the strip it follows
    status.el,
    unavailable.el,
    charts.el,
    beams.el,
  );

  // --- reactions ---------------------------------------------------------------------------------
  const busyState = () => {
    const working = isBusy(model);
    prompt.showBusy(working);
    busy.update();
    root.classList.toggle("tvz-busy", working);
    root.classList.toggle("tvz-analyzing", model.get("status") === "analyzing");
  };
  const renderCharts = () => charts.update(stripTrait(model, "analysis_data"), stripTrait(model, "generation_data"), strip.data,
    model.get("prob_mode") === "sampled");
  const renderAnalysis = () => {
    const a = stripTrait(model, "analysis_data");
    strip.setPrompt(a.tokens ? /** @type {Strip} */ (a) : null);
  };
  // A generation streams in: each token updates the strip, the status line's count and the selection.
  const renderGeneration = () => {
    const g = stripTrait(model, "generation_data");
    strip.setGenerated(g.tokens ?? [], g.pieces ?? {}, g.branch_point ?? null, g.unavailable ?? {});
    beams.update(g);
    selected.update();
    status.update();
    busy.update(); // its step count
  };
  const recolor = () => {
    lg.update();
    strip.recolor();
  };
  // The switch moves every probability shown: colours, the note's numbers, the chart (the tooltip reads it when opened).
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
  d.onModel(model, "msg:custom", (/** @type {any} */ msg, /** @type {DataView[]} */ buffers) => {
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
