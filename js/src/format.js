// @ts-check
// Token display and number formatting. Pure functions (no DOM) so they can be unit-tested in node.

/**
 * @typedef {string | {bytes: string} | {special: string}} Piece
 * @typedef {Record<string, Piece>} Pieces
 * @typedef {{kind: "text", text: string} | {kind: "ws", text: string} | {kind: "nl"}} Segment
 * @typedef {{kind: "text", segments: Segment[], pending?: string[]}
 *   | {kind: "bytes", bytes: string[]}
 *   | {kind: "special", name: string}
 *   | {kind: "empty"}} Display
 */

/** Markers drawn in place of invisible characters. */
export const MARK = Object.freeze({ space: "\u00b7", tab: "\u2192", newline: "\u21b5", nbsp: "\u237d" });

/** @param {string} ch */
function isBlank(ch) {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\u00a0";
}

/**
 * Split a token's text into display segments. A space is drawn as a faint dot unless it sits between two
 * visible characters (ordinary word spacing); tabs, newlines, non-breaking spaces and control characters
 * always get a marker. A newline also yields a `nl` segment: the strip breaks the line there.
 * @param {string} text
 * @returns {Segment[]}
 */
export function textSegments(text) {
  /** @type {Segment[]} */
  const out = [];
  /** @param {"text"|"ws"} kind @param {string} s */
  const push = (kind, s) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += s;
    else out.push({ kind, text: s });
  };
  const chars = Array.from(text); // code points, so emoji stay whole
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === " ") {
      const prev = chars[i - 1];
      const next = chars[i + 1];
      const interior = prev !== undefined && next !== undefined && !isBlank(prev) && !isBlank(next);
      push(interior ? "text" : "ws", interior ? " " : MARK.space);
    } else if (ch === "\t") {
      push("ws", MARK.tab);
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && chars[i + 1] === "\n") continue; // CRLF: one break
      push("ws", MARK.newline);
      out.push({ kind: "nl" });
    } else if (ch === "\u00a0") {
      push("ws", MARK.nbsp);
    } else if (ch.charCodeAt(0) < 0x20 || ch === "\u007f") {
      // C0 controls: Unicode "control pictures" (U+2400 block)
      push("ws", String.fromCharCode(ch === "\u007f" ? 0x2421 : 0x2400 + ch.charCodeAt(0)));
    } else {
      push("text", ch);
    }
  }
  return out;
}

/**
 * Upper-case byte badges from a hex string: "f09f" -> ["F0", "9F"]. Invalid characters are dropped.
 * @param {string} hex
 * @returns {string[]}
 */
export function byteBadges(hex) {
  const clean = String(hex || "").replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  const out = [];
  for (let i = 0; i + 1 < clean.length; i += 2) out.push(clean.slice(i, i + 2));
  return out;
}

/**
 * How one vocabulary piece is displayed on its own (candidates, lens cells, beam nodes).
 * @param {Piece | undefined} piece
 * @returns {Display}
 */
export function pieceDisplay(piece) {
  if (typeof piece === "string") return piece === "" ? { kind: "empty" } : { kind: "text", segments: textSegments(piece) };
  if (piece && typeof piece === "object") {
    if ("special" in piece) return { kind: "special", name: String(piece.special) };
    if ("bytes" in piece) return { kind: "bytes", bytes: byteBadges(piece.bytes) };
  }
  return { kind: "empty" };
}

/**
 * How a token in a strip is displayed: its in-context text, or its piece (byte badges) when it carries
 * only part of a UTF-8 character (`t === ""`), or a tag for special tokens. Text followed by the first
 * bytes of a character (`pending`, e.g. " " + F0 9F) shows those bytes as badges after it.
 * @param {{id: number, t: string, pending?: string}} tok
 * @param {Pieces} pieces
 * @returns {Display}
 */
export function tokenDisplay(tok, pieces) {
  const piece = pieces[String(tok.id)];
  if (tok.t === "" || (piece && typeof piece === "object" && "special" in piece)) return pieceDisplay(piece);
  const segments = textSegments(tok.t);
  return tok.pending ? { kind: "text", segments, pending: byteBadges(tok.pending) } : { kind: "text", segments };
}

/**
 * One-line plain label of a display (SVG text, compact cells, aria labels).
 * @param {Display} d
 * @returns {string}
 */
export function plainLabel(d) {
  switch (d.kind) {
    case "text":
      return d.segments.map((s) => (s.kind === "nl" ? "" : s.text)).join("");
    case "bytes":
      return `\u2039${d.bytes.join(" ")}\u203a`;
    case "special":
      return d.name;
    default:
      return "\u2205";
  }
}

/** Significant digits of every probability the view shows. */
export const PERCENT_DIGITS = 3;

/**
 * Below this percentage (0.000001%, p < 1e-8) the view says "< 0.000001%": an exponent ("9.74e-4%") reads
 * as a large number to a class, and more zeros than these are not read either.
 */
export const PERCENT_FLOOR = 1e-6;

/**
 * Probability as a percentage: the one format of every view (strip, tooltip, bars, lens, labels, ICL).
 * Always percent with 3 significant digits, written out: "96.4%", "1.23%", "0.0150%", "0.000974%"; below
 * 0.000001% it says "< 0.000001%".
 * Only exactly 0 and exactly 1 read "0%" and "100%": a value just below 1 gets the decimals it needs to
 * stay below 100 ("99.996%"), so a near-certain token never looks certain.
 * @param {number | null | undefined} p
 * @returns {string}
 */
export function formatPercent(p) {
  if (p == null || Number.isNaN(p)) return "\u2013";
  if (p <= 0) return "0%";
  if (p >= 1) return "100%";
  const pct = p * 100;
  if (pct < PERCENT_FLOOR) return `< ${PERCENT_FLOOR.toFixed(6)}%`;
  if (pct < 1e-3) return `${pct.toPrecision(PERCENT_DIGITS)}%`; // fixed notation down to 1e-6
  return `${belowHundred(pct)}%`;
}

/**
 * `pct` (0 < pct < 100) with its significant digits, plus as many decimals as keep it from rounding up to
 * 100.
 * @param {number} pct
 */
function belowHundred(pct) {
  const text = pct.toPrecision(PERCENT_DIGITS);
  if (Number(text) < 100) return text;
  let decimals = 1;
  while (decimals < 15 && Number(pct.toFixed(decimals)) >= 100) decimals++;
  return pct.toFixed(decimals);
}

/**
 * Probability as a number with 3 significant digits (exponent below 0.001).
 * @param {number | null | undefined} p
 */
export function formatProb(p) {
  if (p == null || Number.isNaN(p)) return "\u2013";
  if (p === 0) return "0";
  if (p < 1e-3) return p.toExponential(2);
  return p.toPrecision(3);
}

/**
 * The one nats -> bits conversion (Python sends entropies in nats).
 * @param {number} nats
 */
export function natsToBits(nats) {
  return nats / Math.LN2;
}

/**
 * Entropy given in nats, shown in bits.
 * @param {number | null | undefined} nats
 */
export function formatBits(nats) {
  return formatSurprisal(nats == null ? nats : natsToBits(nats));
}

/**
 * A natural-log probability as sent (`lp`, 3 decimals), with its unit: log-probabilities are in nats,
 * surprisal and entropy in bits, and the view says which wherever it shows one.
 * @param {number | null | undefined} lp
 */
export function formatLogProb(lp) {
  return lp == null || Number.isNaN(lp) ? "\u2013" : `${formatNumber(lp, 3)} nats`;
}

/**
 * Surprisal as sent (`s`, already in bits: Python converts it).
 * @param {number | null | undefined} bits
 */
export function formatSurprisal(bits) {
  if (bits == null || Number.isNaN(bits)) return "\u2013";
  return `${bits.toFixed(2)} bits`;
}

/** @param {number | null | undefined} r */
export function formatRank(r) {
  if (r == null) return "\u2013";
  return `#${Math.round(r).toLocaleString("en-US")}`;
}

/** @param {number | null | undefined} x @param {number} [digits] */
export function formatNumber(x, digits = 2) {
  if (x == null || Number.isNaN(x)) return "\u2013";
  if (!Number.isFinite(x)) return x > 0 ? "\u221e" : "-\u221e";
  return x.toFixed(digits);
}
