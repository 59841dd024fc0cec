// Unit tests for the colour scales.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  probUnit, probColor, unitColor, rankBucket, rankColor, RANK_BUCKETS, entropyColor, tokenColor,
  shownProb, legendStops, unitStep, tokenInk, STEPS,
} from "../src/colors.js";

const step = (c) => Number(/^var\(--tvz-s(\d)\)$/.exec(c)[1]); // palette.css draws each step per theme
const alpha = (c) => Number(/,\s*([\d.]+)\)$/.exec(c)[1]);

test("probability scale endpoints and midpoint (log scale)", () => {
  assert.equal(probUnit(1), 1);
  assert.equal(probUnit(1e-4), 0);
  assert.equal(probUnit(1e-9), 0);
  assert.equal(probUnit(0), 0);
  assert.ok(Math.abs(probUnit(0.01) - 0.5) < 1e-12);
  assert.equal(step(probColor(1)), STEPS - 1); // yellow: expected
  assert.equal(step(probColor(1e-6)), 0); // violet: surprising
  assert.equal(step(probColor(0.01)), 4);
  assert.ok(step(probColor(0.1)) > step(probColor(0.001)));
  assert.equal(probColor(null), null);
});

test("probability and rank swatches are steps of one scale, each with its ink", () => {
  assert.equal(unitColor(0.5), "var(--tvz-s4)");
  assert.equal(unitStep(-1), 0);
  assert.equal(unitStep(2), STEPS - 1);
  assert.equal(tokenInk({ p: 1 }, "prob", "raw"), "var(--tvz-s8-ink)");
  assert.equal(tokenInk({ r: 5000 }, "rank", "raw"), "var(--tvz-s0-ink)");
  assert.equal(tokenInk({ h: 1 }, "entropy", "raw"), null); // translucent: the theme's text stays
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
  assert.ok(step(rankColor(1)) > step(rankColor(50)));
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
  for (const s of legendStops("prob")) assert.match(s.color, /^var\(--tvz-s\d\)$/);
});
