// @ts-check
// A token strip's tokens arrive as binary chunks of typed columns (tokviz/widgets/token_table.py,
// docs/view-payload.md "Token tables"). Decoding gives back Python's own numbers bit for bit; each token
// is a small object that reads its numbers from the columns when asked, so a 131,072-token strip costs
// a few typed arrays, and a token's candidates are built only when its tooltip opens.

/**
 * @typedef {import("./types.js").Tok} Tok
 * @typedef {import("./types.js").Cand} Cand
 * @typedef {import("./format.js").Pieces} Pieces
 * @typedef {[string, string, number, number, ...any[]]} Column
 *   [name, type, byte offset, count], then the codec: none (integers), "fixed", places or "decimal", digits, lowest
 * @typedef {{start: number, length: number, columns: Column[], data: DataView, pieces: Pieces,
 *   text?: Record<string, string>, pending?: Record<string, string>,
 *   exceptions?: Record<string, Record<string, number>>}} Chunk
 */

// Exact doubles of 10**k, parsed from decimal text as Python makes them.
const POW10 = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));
const NULL = 0, EXCEPTION = 1, ZERO = 2, FIRST_CODE = 3;
const FLAG_GENERATED = 1, FLAG_FORCED = 2, FLAG_SAMPLED = 4;
/** @type {Record<string, any>} */
const ARRAYS = { u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, i2: Int16Array, i4: Int32Array };

/** mantissa * 10**exponent (exponent < 0), with the same one or two exact divisions as Python. @param {number} m @param {number} e */
const decimalValue = (m, e) => (-e > 22 ? m / POW10[22] / POW10[-e - 22] : m / POW10[-e]);

/**
 * One column as numbers (NaN = null), its exceptions in place.
 * @param {ArrayBuffer} buffer the chunk's bytes, copied so every column starts aligned @param {Column} col
 * @param {Record<string, number>} exceptions
 * @returns {Float64Array | Uint8Array | Uint16Array | Uint32Array}
 */
function readColumn(buffer, col, exceptions) {
  const [, type, offset, count, codec, digitsOrPlaces, lowest] = col;
  const raw = new ARRAYS[type](buffer, offset, count);
  if (!codec) return raw;
  const out = new Float64Array(count);
  if (codec === "fixed") {
    const scale = POW10[digitsOrPlaces];
    const nullCode = type === "i2" ? -(2 ** 15) : -(2 ** 31);
    for (let i = 0; i < count; i++) out[i] = raw[i] === nullCode ? NaN : raw[i] / scale;
  } else {
    const first = 10 ** (digitsOrPlaces - 1), span = 9 * first;
    for (let i = 0; i < count; i++) {
      const code = raw[i];
      if (code === NULL || code === EXCEPTION) out[i] = NaN;
      else if (code === ZERO) out[i] = 0;
      else {
        const j = code - FIRST_CODE;
        out[i] = decimalValue((j % span) + first, Math.floor(j / span) + lowest);
      }
    }
  }
  for (const [i, v] of Object.entries(exceptions)) out[Number(i)] = v ?? NaN;
  return out;
}

/** @param {number} v */
const orNull = (v) => (Number.isNaN(v) ? null : v);

/**
 * A piece's text when the chunk says nothing else: its own text, a special token's name, "" for bytes.
 * @param {Pieces} pieces @param {number} id
 */
function defaultText(pieces, id) {
  const piece = pieces[String(id)];
  if (typeof piece === "string") return piece;
  return piece && "special" in piece ? piece.special : "";
}

/**
 * A chunk's tokens. `pieces` is the strip's table, into which the chunk's own pieces are merged.
 * @param {Chunk} chunk @param {Pieces} pieces @returns {Tok[]}
 */
export function decodeChunk(chunk, pieces) {
  Object.assign(pieces, chunk.pieces);
  const view = chunk.data;
  const buffer = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
  /** @type {Record<string, any>} */
  const c = {};
  for (const col of chunk.columns) c[col[0]] = readColumn(buffer, col, chunk.exceptions?.[col[0]] ?? {});
  const n = chunk.length;
  const topStart = new Uint32Array(n + 1); // where each token's candidates begin in top_id / top_p
  for (let i = 0; i < n; i++) topStart[i + 1] = topStart[i] + c.top_n[i];
  const texts = chunk.text ?? {}, pending = chunk.pending ?? {};
  const tokens = new Array(n);
  for (let i = 0; i < n; i++) tokens[i] = new TableToken(c, i, topStart, texts, pending, pieces);
  return /** @type {Tok[]} */ (tokens);
}

/** One token of a chunk: its numbers are read from the columns when asked. */
class TableToken {
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

  get id() { return this._c.id[this._i]; }
  get t() { return this._texts[this._i] ?? defaultText(this._pieces, this.id); }
  get p() { return orNull(this._c.p[this._i]); }
  get lp() { return orNull(this._c.lp[this._i]); }
  get s() { return orNull(this._c.s[this._i]); }
  get r() { return this._c.r[this._i] || null; } // ranks start at 1: 0 is null
  get h() { return orNull(this._c.h[this._i]); }
  get pending() { return this._pending[this._i]; }
  get g() { return this._c.flags[this._i] & FLAG_GENERATED ? 1 : undefined; }
  get f() { return this._c.flags[this._i] & FLAG_FORCED ? 1 : undefined; }
  get sp() { return this._c.flags[this._i] & FLAG_SAMPLED ? orNull(this._c.sp[this._i]) : undefined; }
  get ss() { return this._c.flags[this._i] & FLAG_SAMPLED ? orNull(this._c.ss[this._i]) : undefined; }

  /** The shown candidates, [id, prob] or [id, prob, sampled prob], or null where there is no prediction. */
  get top() {
    const from = this._topStart[this._i], to = this._topStart[this._i + 1];
    if (from === to) return null;
    const { top_id: ids, top_p: probs, top_sp: sampled } = this._c;
    /** @type {Cand[]} */
    const cands = [];
    for (let j = from; j < to; j++) {
      const sp = sampled ? sampled[j] : NaN;
      cands.push(Number.isNaN(sp) ? [ids[j], probs[j]] : [ids[j], probs[j], sp]);
    }
    return cands;
  }
}

/**
 * A strip payload's tokens from its chunks (those it carries, then `more` received apart, in order while
 * they follow on), and its whole pieces table.
 * @param {{chunks?: Chunk[], pieces?: Pieces}} strip @param {Chunk[]} [more]
 * @returns {{tokens: Tok[], pieces: Pieces}}
 */
export function decodeStrip(strip, more = []) {
  /** @type {Pieces} */
  const pieces = { ...(strip.pieces ?? {}) };
  /** @type {Tok[]} */
  let tokens = [];
  for (const chunk of [...(strip.chunks ?? []), ...more]) {
    if (chunk.start !== tokens.length) break;
    tokens = tokens.concat(decodeChunk(chunk, pieces));
  }
  return { tokens, pieces };
}
