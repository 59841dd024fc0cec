// @ts-check
// Getting the strip out of the view: its tokens and their numbers as TSV (for a spreadsheet or pandas),
// copied to the clipboard, and files saved through a download link.

import { byteBadges, natsToBits } from "./format.js";

/**
 * @typedef {import("./types.js").Tok} Tok
 * @typedef {import("./format.js").Pieces} Pieces
 */

/**
 * The TSV's columns, each unit in its name, in the view's one rule: log-probabilities in nats, surprisal and
 * entropy in bits (the tooltip's entropy, through the view's one nats -> bits conversion).
 */
export const TSV_COLUMNS = ["source", "index", "token", "id", "p", "log_p_nats", "surprisal_bits", "rank",
  "entropy_bits", "sampled_p"];

/** Entropy (nats, as sent) in bits, to the 4 significant digits Python sends. @param {number | null | undefined} h */
const entropyBits = (h) => (h == null ? null : Number(natsToBits(h).toPrecision(4)));

/**
 * A token's text on one TSV line: tab, newline, carriage return and backslash escaped; bytes that are only
 * part of a character as \xHH.
 * @param {Tok} tok @param {Pieces} pieces
 */
export function tsvText(tok, pieces) {
  const piece = pieces[String(tok.id)];
  const bytes = (/** @type {string} */ hex) => byteBadges(hex).map((b) => `\\x${b}`).join("");
  if (tok.t === "" && piece && typeof piece === "object" && "bytes" in piece) return bytes(piece.bytes);
  const text = tok.t.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c] ?? c);
  return tok.pending ? text + bytes(tok.pending) : text;
}

/**
 * The strip as TSV: a header, then one line per token, prompt first. Empty cells where a number does not
 * exist (the first token's p, greedy tokens' sampled_p).
 * @param {{source: "prompt"|"generated", tokens: Tok[], pieces: Pieces}[]} parts
 */
export function stripTsv(parts) {
  const cell = (/** @type {unknown} */ v) => (v == null ? "" : String(v));
  const lines = [TSV_COLUMNS.join("\t")];
  for (const { source, tokens, pieces } of parts) {
    tokens.forEach((tok, i) => {
      lines.push([source, i, tsvText(tok, pieces), tok.id, tok.p, tok.lp, tok.s, tok.r, entropyBits(tok.h), tok.sp].map(cell).join("\t"));
    });
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Put text on the clipboard: the Clipboard API where the page may use it, else the older copy command.
 * Resolves to whether it worked.
 * @param {string} text @param {Document} doc
 */
export async function copyText(text, doc) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Not a secure context, or no permission: fall back to a selected, off-screen textarea.
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

/**
 * Offer text as a file download.
 * @param {string} text @param {string} filename @param {string} type MIME type
 * @param {Document} doc
 */
export function downloadText(text, filename, type, doc) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
