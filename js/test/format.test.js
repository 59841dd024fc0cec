// Unit tests for the pure token-display and number-formatting helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatLogProb, formatSurprisal,
  MARK, textSegments, byteBadges, pieceDisplay, tokenDisplay, plainLabel,
  formatPercent, formatProb, formatBits, natsToBits, formatRank, formatNumber,
} from "../src/format.js";

const label = (text) => plainLabel({ kind: "text", segments: textSegments(text) });

test("leading and trailing spaces become faint dots, word spacing stays", () => {
  assert.equal(label(" Paris"), `${MARK.space}Paris`);
  assert.equal(label("end  "), `end${MARK.space}${MARK.space}`);
  assert.equal(label("a b"), "a b");
  assert.equal(label("   "), MARK.space.repeat(3));
  assert.deepEqual(textSegments(" x"), [{ kind: "ws", text: MARK.space }, { kind: "text", text: "x" }]);
});

test("tabs and newlines get markers, newlines also a line break", () => {
  assert.equal(label("\tx"), `${MARK.tab}x`);
  assert.deepEqual(textSegments("\n"), [{ kind: "ws", text: MARK.newline }, { kind: "nl" }]);
  assert.deepEqual(textSegments("\r\n"), [{ kind: "ws", text: MARK.newline }, { kind: "nl" }]);
  const segs = textSegments("a\n\nb");
  assert.equal(segs.filter((s) => s.kind === "nl").length, 2);
  assert.equal(label("a\n\nb"), `a${MARK.newline}${MARK.newline}b`);
});

test("control characters and nbsp are made visible", () => {
  assert.equal(label("\u0000"), "\u2400");
  assert.equal(label("\u001b"), "\u241b");
  assert.equal(label("a\u00a0b"), `a${MARK.nbsp}b`);
});

test("emoji stay whole; html-looking text is just text", () => {
  assert.deepEqual(textSegments("\u{1F600}"), [{ kind: "text", text: "\u{1F600}" }]);
  assert.equal(label("<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
  assert.deepEqual(textSegments(""), []);
});

test("byte badges are upper-case pairs", () => {
  assert.deepEqual(byteBadges("f09f"), ["F0", "9F"]);
  assert.deepEqual(byteBadges("F0 9F 98"), ["F0", "9F", "98"]);
  assert.deepEqual(byteBadges(""), []);
  assert.deepEqual(byteBadges("zz"), []);
});

test("pieces: text, partial bytes, special tokens", () => {
  assert.equal(pieceDisplay(" Paris").kind, "text");
  assert.deepEqual(pieceDisplay({ bytes: "f09f" }), { kind: "bytes", bytes: ["F0", "9F"] });
  assert.deepEqual(pieceDisplay({ special: "<|endoftext|>" }), { kind: "special", name: "<|endoftext|>" });
  assert.equal(pieceDisplay(undefined).kind, "empty");
  assert.equal(plainLabel(pieceDisplay({ bytes: "f09f" })), "\u2039F0 9F\u203a");
});

test("strip tokens: empty text with bytes -> badges; completing token shows its character", () => {
  const pieces = { 1: { bytes: "f09f" }, 2: { bytes: "9880" }, 3: { special: "<|im_end|>" }, 4: " hi" };
  assert.deepEqual(tokenDisplay({ id: 1, t: "" }, pieces), { kind: "bytes", bytes: ["F0", "9F"] });
  assert.deepEqual(tokenDisplay({ id: 2, t: "\u{1F600}" }, pieces), { kind: "text", segments: [{ kind: "text", text: "\u{1F600}" }] });
  assert.equal(tokenDisplay({ id: 3, t: "<|im_end|>" }, pieces).kind, "special");
  assert.equal(plainLabel(tokenDisplay({ id: 4, t: " hi" }, pieces)), `${MARK.space}hi`);
});

test("percent formatting: 3 significant digits, always percent", () => {
  assert.equal(formatPercent(0.96), "96.0%");
  assert.equal(formatPercent(0.964), "96.4%");
  assert.equal(formatPercent(0.0123), "1.23%");
  assert.equal(formatPercent(0.00012), "0.0120%");
  assert.equal(formatPercent(0.00015), "0.0150%");
  assert.equal(formatPercent(0.0999996), "10.0%"); // rounding up to the next power of ten keeps 3 digits
  assert.equal(formatPercent(null), "\u2013");
});

test("tiny probabilities stay in percent, written out (no exponent), down to < 0.000001%", () => {
  assert.equal(formatPercent(9.74e-6), "0.000974%"); // was "9.74e-4%", read as a large number in class
  assert.equal(formatPercent(6.8e-7), "0.0000680%");
  assert.equal(formatPercent(1e-7), "0.0000100%");
  assert.equal(formatPercent(1e-8), "0.00000100%");
  assert.equal(formatPercent(1e-9), "< 0.000001%");
  assert.equal(formatPercent(1e-5), "0.00100%");
  for (const p of [0.96, 0.00015, 6.8e-7, 4.2e-8, 1e-12, 1e-300]) assert.doesNotMatch(formatPercent(p), /e/);
  for (const p of [0.96, 0.00015, 6.8e-7, 4.2e-8, 1e-12]) assert.match(formatPercent(p), /%$/);
});

test("only exact 0 and 1 read 0% and 100%", () => {
  assert.equal(formatPercent(1), "100%");
  assert.equal(formatPercent(0), "0%");
  assert.equal(formatPercent(0.99996), "99.996%");
  assert.equal(formatPercent(0.9995), "99.95%");
  assert.equal(formatPercent(0.9997), "99.97%");
  assert.equal(formatPercent(1 - 1e-9), "99.9999999%");
  for (const p of [1e-300, 5e-324]) assert.notEqual(formatPercent(p), "0%");
});

test("prob, bits, rank and number formatting", () => {
  assert.equal(formatProb(0.9612), "0.961");
  assert.equal(formatProb(0.0001234), "1.23e-4");
  assert.equal(natsToBits(Math.LN2), 1);
  assert.equal(formatBits(Math.LN2 * 3), "3.00 bits");
  assert.equal(formatBits(null), "\u2013");
  assert.equal(formatRank(1), "#1");
  assert.equal(formatRank(12345), "#12,345");
  assert.equal(formatNumber(-0.4213, 3), "-0.421");
  assert.equal(formatNumber(-Infinity), "-\u221e");
});

test("text followed by the first bytes of a character (sent by Python as `pending`) shows them as badges", () => {
  const d = tokenDisplay({ id: 5, t: " ", pending: "f09f" }, { 5: { bytes: "20f09f" } });
  assert.equal(d.kind, "text");
  assert.deepEqual(d.kind === "text" ? d.pending : null, ["F0", "9F"]);
  const whole = tokenDisplay({ id: 6, t: "a" }, { 6: "a" });
  assert.deepEqual(whole, { kind: "text", segments: [{ kind: "text", text: "a" }] });
});

test("log p and surprisal are shown as sent", () => {
  assert.equal(formatLogProb(-4.398), "-4.398 nats");
  assert.equal(formatSurprisal(6.35), "6.35 bits");
  assert.equal(formatLogProb(null), "\u2013");
  assert.equal(formatSurprisal(undefined), "\u2013");
});
