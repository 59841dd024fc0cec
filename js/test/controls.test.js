// Unit tests for how number fields accept typed values against the ranges Python sends (trait `limits`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptNumber, rangeText } from "../src/controls.js";

const TOP_P = { low: 0, high: 1, integer: false, low_open: true, step: 0.05, off: 1.0 };
const TOP_K = { low: 1, high: null, integer: true, low_open: false, step: 1, off: 0 };
const ALTERNATIVES = { low: 1, high: 100, integer: true, low_open: false, step: 1, off: null };

test("values in range are kept, integers are rounded", () => {
  assert.equal(acceptNumber(0.9, TOP_P), 0.9);
  assert.equal(acceptNumber(7.4, TOP_K), 7);
  assert.equal(acceptNumber(0, TOP_K), 0); // the off value, below the range
});

test("values outside the range are clamped, or refused at an open bound", () => {
  assert.equal(acceptNumber(3, TOP_P), 1);
  assert.equal(acceptNumber(-2, TOP_K), 1);
  assert.equal(acceptNumber(1000, ALTERNATIVES), 100);
  assert.equal(acceptNumber(0, TOP_P), null);
  assert.equal(acceptNumber(-0.5, TOP_P), null);
  assert.equal(acceptNumber(NaN, ALTERNATIVES), null);
});

test("ranges read as words", () => {
  assert.equal(rangeText(TOP_P), "(0, 1]; 1 = off");
  assert.equal(rangeText(TOP_K), "\u2265 1; 0 = off");
  assert.equal(rangeText(ALTERNATIVES), "[1, 100]");
});
