// Unit tests for how number fields accept typed values against the ranges Python sends (trait `limits`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptNumber, rangeText } from "../src/controls.js";

const TOP_P = { low: 0, high: 1, integer: false, low_open: true, step: 0.05, off: 1.0 };
const TOP_K = { low: 1, high: null, integer: true, low_open: false, step: 1, off: 0 };
const ALTERNATIVES = { low: 1, high: 100, integer: true, low_open: false, step: 1, off: null };

test("values in range are accepted, and the off value below it", () => {
  assert.equal(acceptNumber(0.9, TOP_P), true);
  assert.equal(acceptNumber(1, TOP_P), true);
  assert.equal(acceptNumber(7, TOP_K), true);
  assert.equal(acceptNumber(0, TOP_K), true); // the off value, below the range
});

test("values outside the range, at an open bound or not integers are refused, never clamped", () => {
  assert.equal(acceptNumber(3, TOP_P), false);
  assert.equal(acceptNumber(-2, TOP_K), false);
  assert.equal(acceptNumber(7.4, TOP_K), false);
  assert.equal(acceptNumber(1000, ALTERNATIVES), false);
  assert.equal(acceptNumber(0, TOP_P), false);
  assert.equal(acceptNumber(-0.5, TOP_P), false);
  assert.equal(acceptNumber(NaN, ALTERNATIVES), false);
});

test("ranges read as words", () => {
  assert.equal(rangeText(TOP_P), "(0, 1]; 1 = off");
  assert.equal(rangeText(TOP_K), "\u2265 1; 0 = off");
  assert.equal(rangeText(ALTERNATIVES), "[1, 100]");
});
