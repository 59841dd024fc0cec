// Unit tests for which x ticks get a label, and the probability ticks' labels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spacedTicks, percentTick, PERCENT_TICKS } from "../src/axes.js";

test("every tick is labelled while there are few enough", () => {
  assert.deepEqual(spacedTicks([0, 1, 2, 4, 8], 12), [0, 1, 2, 4, 8]);
  assert.deepEqual(spacedTicks([3], 12), [3]);
  assert.deepEqual(spacedTicks([], 12), []);
});

test("past the limit, every k-th tick and always the last one", () => {
  const ns = Array.from({ length: 33 }, (_, i) => i);
  // 33 ticks, at most 16: every 3rd, then the last (32)
  assert.deepEqual(spacedTicks(ns, 16), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 32]);
  assert.deepEqual(spacedTicks([0, 1, 2, 3, 4, 5], 3), [0, 2, 4, 5]);
});

test("probability ticks read as percentages", () => {
  assert.deepEqual(PERCENT_TICKS.map(percentTick), ["0%", "25%", "50%", "75%", "100%"]);
});
