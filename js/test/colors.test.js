// Unit tests for the colour scales.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  probUnit, probColor, unitColor, rankBucket, rankColor, RANK_BUCKETS, entropyColor, tokenColor,
  shownProb, legendStops, ALPHA,
} from "../src/colors.js";

const rgb = (c) => /rgba\((\d+), (\d+), (\d+)/.exec(c).slice(1, 4).map(Number);
const lightness = (c) => rgb(c).reduce((s, v) => s + v, 0); // enough to order viridis samples
const alpha = (c) => Number(/,\s*([\d.]+)\)$/.exec(c)[1]);

test("probability scale endpoints and midpoint (log scale)", () => {
  assert.equal(probUnit(1), 1);
  assert.equal(probUnit(1e-4), 0);
  assert.equal(probUnit(1e-9), 0);
  assert.equal(probUnit(0), 0);
  assert.ok(Math.abs(probUnit(0.01) - 0.5) < 1e-12);
  assert.deepEqual(rgb(probColor(1)), [253, 231, 37]); // yellow: expected
  assert.deepEqual(rgb(probColor(1e-6)), [68, 1, 84]); // dark violet: surprising
  assert.ok(lightness(probColor(0.1)) > lightness(probColor(0.001)));
  assert.equal(probColor(null), null);
});

test("colours are translucent so the theme's text stays readable", () => {
  for (const c of [probColor(1), probColor(0), rankColor(5000), unitColor(0.5)]) {
    assert.equal(alpha(c), ALPHA);
    assert.ok(alpha(c) <= 0.5);
  }
  assert.ok(alpha(entropyColor(100)) <= 0.6);
});

test("rank buckets: 1 / 2-10 / 11-100 / 101-1000 / >1000", () => {
  assert.equal(rankBucket(1), 0);
  assert.equal(rankBucket(2), 1);
  assert.equal(rankBucket(10), 1);
  assert.equal(rankBucket(11), 2);
  assert.equal(rankBucket(100), 2);
  assert.equal(rankBucket(101), 3);
  assert.equal(rankBucket(1000), 3);
  assert.equal(rankBucket(1001), 4);
  assert.equal(rankBucket(49152), 4);
  assert.equal(rankBucket(null), -1);
  assert.equal(rankBucket(0), -1);
  assert.equal(RANK_BUCKETS.length, 5);
  assert.equal(rankColor(null), null);
  assert.ok(lightness(rankColor(1)) > lightness(rankColor(50)));
});

test("entropy scale grows with uncertainty and saturates", () => {
  const low = alpha(entropyColor(0));
  const mid = alpha(entropyColor(4 * Math.LN2));
  const high = alpha(entropyColor(8 * Math.LN2));
  assert.ok(low < mid && mid < high);
  assert.equal(alpha(entropyColor(50)), high);
  assert.equal(entropyColor(null), null);
});

test("raw vs sampled probability for generated tokens", () => {
  const gen = { p: 0.2, sp: 0.9, g: 1, r: 3, h: 1 };
  const prompt = { p: 0.2, sp: 0.9, r: 3, h: 1 };
  assert.equal(shownProb(gen, "raw"), 0.2);
  assert.equal(shownProb(gen, "sampled"), 0.9);
  assert.equal(shownProb(prompt, "sampled"), 0.2); // prompt tokens have no sampled probability
  assert.notEqual(tokenColor(gen, "prob", "raw"), tokenColor(gen, "prob", "sampled"));
  assert.equal(tokenColor(gen, "rank", "raw"), rankColor(3));
  assert.equal(tokenColor(gen, "entropy", "raw"), entropyColor(1));
  assert.equal(tokenColor({ p: null }, "prob", "raw"), null);
});

test("legends have one stop per bucket", () => {
  assert.equal(legendStops("rank").length, 5);
  assert.equal(legendStops("prob").length, 5);
  assert.equal(legendStops("entropy").length, 5);
  for (const s of legendStops("prob")) assert.match(s.color, /^rgba\(/);
});
