// @ts-check
// Export: copy the strip's tokens as TSV, and save the view as one HTML page. The page is built by Python
// (the same as w.to_html()): it holds the bundled view and the current state.

import { h } from "../dom.js";
import { stripTsv, copyText, downloadText } from "../export.js";

/**
 * @param {import("../types.js").Model} model @param {import("../dom.js").Disposer} d
 * @param {{strip: ReturnType<typeof import("../strip.js").createStrip>, root: HTMLElement, interactive: boolean}} o
 *   root: the view (its document takes the download); interactive: saving needs Python, so a static view
 *   only copies
 * @returns {HTMLSpanElement} the field with the buttons and a note of what they did
 */
export function exportButtons(model, d, o) {
  const { strip, root } = o;
  const bCopy = h("button", { type: "button", class: "tvz-btn", "data-export": "tsv", text: "copy TSV",
    title: "copy every token with its numbers, tab-separated (paste into a spreadsheet)" });
  const bSave = h("button", { type: "button", class: "tvz-btn", "data-action": "save-html", text: "save HTML",
    title: "download this view as one self-contained HTML page (works without Python)" });
  const exportNote = h("span", { class: "tvz-hint tvz-export-note", role: "status" });
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
  d.listen(bSave, "click", () => {
    note("building the page\u2026");
    model.send({ action: "save_html" });
  });
  d.onModel(model, "msg:custom", (/** @type {any} */ msg) => {
    if (!msg || msg.kind !== "html" || typeof msg.html !== "string") return;
    downloadText(msg.html, msg.filename || "tokviz.html", "text/html", root.ownerDocument);
    note(`saved ${msg.filename || "tokviz.html"}`);
  });
  return h("span", { class: "tvz-field tvz-export" }, [bCopy, ...(o.interactive ? [bSave] : []), exportNote]);
}
