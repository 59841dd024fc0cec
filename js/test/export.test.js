// The TSV export: one line per token whatever its text, and the rank-band labels of the charts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tsvText, stripTsv, TSV_COLUMNS } from "../src/export.js";
import { bandLabels } from "../src/charts.js";

test("token text with tabs, newlines and backslashes stays on one TSV cell", () => {
  assert.equal(tsvText({ id: 1, t: "a\tb\nc\\d\r", p: null, r: null, h: null, top: null }, {}), "a\\tb\\nc\\\\d\\r");
});

test("bytes that are only part of a character are written as \\xHH", () => {
  const pieces = { 7: { bytes: "f09f" } };
  assert.equal(tsvText({ id: 7, t: "", p: null, r: null, h: null, top: null }, pieces), "\\xF0\\x9F");
  assert.equal(tsvText({ id: 8, t: " ", pending: "e2", p: null, r: null, h: null, top: null }, {}), " \\xE2");
});

test("the TSV has a header and one line per token, empty where a number does not exist", () => {
  const tok = (id, t, p) => ({ id, t, p, lp: p == null ? null : Math.log(p), s: null, r: p == null ? null : 1, h: 0.5, top: null });
  const tsv = stripTsv([
    { source: "prompt", tokens: [tok(1, "Hi", null), tok(2, " there", 0.25)], pieces: {} },
    { source: "generated", tokens: [{ ...tok(3, "!", 0.5), g: 1, sp: 0.75 }], pieces: {} },
  ]);
  const lines = tsv.trimEnd().split("\n").map((l) => l.split("\t"));
  assert.deepEqual(lines[0], TSV_COLUMNS);
  // entropy in bits, as the tooltip shows it (0.5 nats = 0.7213 bits); the header says so
  assert.deepEqual(lines[1], ["prompt", "0", "Hi", "1", "", "", "", "", "0.7213", ""]);
  assert.ok(TSV_COLUMNS.includes("entropy_bits") && TSV_COLUMNS.includes("log_p_nats"));
  assert.equal(lines[2][4], "0.25");
  assert.deepEqual([lines[3][0], lines[3][4], lines[3][9]], ["generated", "0.5", "0.75"]);
  assert.ok(lines.every((l) => l.length === TSV_COLUMNS.length));
});

test("rank bands are labelled from their edges", () => {
  assert.deepEqual(bandLabels([1, 10, 100, 1000]), ["rank 1", "2\u201310", "11\u2013100", "101\u20131000", "> 1000"]);
});
