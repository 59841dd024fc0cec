// The probability, rank and entropy swatches stay ordered and distinguishable for every common colour-vision
// deficiency, in light and dark themes, and the theme's token text stays readable on each of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { legendStops, STEPS } from "../src/colors.js";

// Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color Vision
// Deficiency", severity 1.0 matrices, applied to linear RGB.
const MACHADO = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

// Theme backdrops and token text colours: the view's fallbacks (widget.css) and JupyterLab's themes, each
// with the palette (palette.css) the view picks over it. The tooltip and panels sit on bg1/bg2.
const THEMES = {
  light: { bg: [255, 255, 255], text: [34, 34, 34], palette: "light" },
  dark: { bg: [27, 27, 31], text: [236, 236, 236], palette: "dark" },
  "jupyter-light": { bg: [245, 245, 245], text: [0, 0, 0], palette: "light" },
  "jupyter-dark": { bg: [17, 17, 17], text: [255, 255, 255], palette: "dark" },
  "jupyter-dark-cell": { bg: [33, 33, 33], text: [255, 255, 255], palette: "dark" },
};

// The fallbacks' panel backgrounds (bg2 light, bg1 dark: tooltips, charts), where the scale's swatches show too.
const PANELS = {
  "light-panel": { bg: [232, 232, 232], palette: "light" },
  "dark-panel": { bg: [38, 38, 43], palette: "dark" },
};

// palette.css: the scale's steps and inks, per theme.
const CSS = readFileSync(new URL("../src/palette.css", import.meta.url), "utf8");
const PALETTES = Object.fromEntries([["light", /\.tvz-root \{([^}]*)\}/g], ["dark", /\.tvz-root\.tvz-dark \{([^}]*)\}/g]]
  .map(([name, re]) => [name, Object.fromEntries([...CSS.matchAll(re)].flatMap((block) =>
    [...block[1].matchAll(/(--tvz-[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()])))]));
/** "rgb(r, g, b)" / "#rrggbb" as [r, g, b]. */
const rgbOf = (c) => (c.startsWith("#") ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : c.match(/[\d.]+/g).map(Number));
/** A swatch as drawn in a theme: var(--tvz-sN) resolved by that theme's palette, an opaque rgba. */
const resolve = (c, palette) => (c.startsWith("var(") ? `rgba(${rgbOf(PALETTES[palette][c.slice(4, -1)]).join(", ")}, 1)` : c);

const MIN_DELTA_E = 5; // CIE76; about 2.3 is a just-noticeable difference

const toLinear = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
const luminanceOfLinear = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** CIELAB (D65) of a linear-RGB colour. */
function lab(rgbLinear) {
  const [r, g, b] = rgbLinear;
  const xyz = [0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b, 0.0193 * r + 0.1192 * g + 0.9505 * b];
  const white = [0.95047, 1, 1.08883];
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const [fx, fy, fz] = xyz.map((v, i) => f(v / white[i]));
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const deltaE = (a, b) => Math.hypot(...a.map((v, i) => v - b[i]));

/** sRGB 0..255 of "hsla(h, s%, l%, a)" (CSS Color 4 conversion). */
function hslToRgb(h, s, l) {
  s /= 100; l /= 100;
  const k = (n) => (n + h / 30) % 12;
  const f = (n) => l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)].map((v) => v * 255);
}

/** A swatch "rgba(r, g, b, a)" or "hsla(h, s%, l%, a)" laid over a backdrop, as linear RGB. */
function over(swatch, bg) {
  const [x, y, z, a] = swatch.match(/[\d.]+/g).map(Number);
  const rgb = swatch.startsWith("hsl") ? hslToRgb(x, y, z) : [x, y, z];
  return rgb.map((v, i) => toLinear(v * a + bg[i] * (1 - a)));
}
const simulate = (matrix, c) => matrix.map((row) => Math.min(1, Math.max(0, row.reduce((s, m, i) => s + m * c[i], 0))));

/** The swatches of a legend, low to high, as each eye sees them over each theme. */
function views(colorBy) {
  const stops = legendStops(colorBy);
  const lowToHigh = colorBy === "rank" ? stops.slice().reverse() : stops; // rank legend lists rank 1 first
  const out = [];
  for (const [theme, { bg, text, palette }] of Object.entries(THEMES)) {
    const seen = lowToHigh.map((s) => over(resolve(s.color, palette), bg));
    // each swatch's own ink where it names one, else the theme's text
    const inks = lowToHigh.map((s) => (s.ink ? rgbOf(PALETTES[palette][s.ink.slice(4, -1)]) : text));
    out.push({ theme, vision: "normal", colors: seen, text, inks, backdrop: bg.map(toLinear) });
    for (const [vision, m] of Object.entries(MACHADO)) out.push({ theme, vision, colors: seen.map((c) => simulate(m, c)), text });
  }
  return out;
}

for (const colorBy of ["prob", "rank"]) {
  test(`${colorBy} swatches: luminance strictly rises for every vision, in every theme`, () => {
    for (const { theme, vision, colors } of views(colorBy)) {
      const lum = colors.map(luminanceOfLinear);
      for (let i = 1; i < lum.length; i++) assert.ok(lum[i] > lum[i - 1], `${colorBy} ${theme} ${vision}: ${lum}`);
    }
  });

  test(`${colorBy} swatches: every pair stays distinguishable for every vision (CIE76 dE >= ${MIN_DELTA_E})`, () => {
    for (const { theme, vision, colors } of views(colorBy)) {
      const labs = colors.map(lab);
      for (let i = 0; i < labs.length; i++) {
        for (let j = i + 1; j < labs.length; j++) {
          const d = deltaE(labs[i], labs[j]);
          assert.ok(d >= MIN_DELTA_E, `${colorBy} ${theme} ${vision}: stops ${i} and ${j} differ by ${d.toFixed(1)}`);
        }
      }
    }
  });

  test(`${colorBy} swatches: token text keeps WCAG contrast >= 4.5 in every theme`, () => {
    for (const { theme, vision, colors, inks } of views(colorBy)) {
      if (vision !== "normal") continue;
      colors.forEach((c, i) => {
        const fg = luminanceOfLinear(inks[i].map(toLinear));
        assert.ok(contrast(fg, luminanceOfLinear(c)) >= 4.5, `${colorBy} ${theme} stop ${i}`);
      });
    }
  });

  // The rarest tokens are the ones a teacher points at: no step may fade into the background.
  test(`${colorBy} swatches: every step keeps WCAG contrast >= 3 against the background, in every theme`, () => {
    for (const { theme, vision, colors, backdrop } of views(colorBy)) {
      if (vision !== "normal") continue;
      const bg = luminanceOfLinear(backdrop);
      colors.forEach((c, i) => {
        const r = contrast(bg, luminanceOfLinear(c));
        assert.ok(r >= 3, `${colorBy} ${theme} stop ${i}: ${r.toFixed(2)}`);
      });
    }
  });
}

// Entropy is one hue growing stronger with uncertainty: over a light theme each stop is darker than the
// last, over a dark one lighter. Either way the order must survive every vision, and text stay readable.
test("entropy swatches: luminance moves one way for every vision, in every theme", () => {
  for (const { theme, vision, colors } of views("entropy")) {
    const lum = colors.map(luminanceOfLinear);
    const steps = lum.slice(1).map((v, i) => v - lum[i]);
    assert.ok(steps.every((s) => s > 0) || steps.every((s) => s < 0), `entropy ${theme} ${vision}: ${lum}`);
  }
});

test(`entropy swatches: every pair stays distinguishable for every vision (CIE76 dE >= ${MIN_DELTA_E})`, () => {
  for (const { theme, vision, colors } of views("entropy")) {
    const labs = colors.map(lab);
    for (let i = 0; i < labs.length; i++) {
      for (let j = i + 1; j < labs.length; j++) {
        const d = deltaE(labs[i], labs[j]);
        assert.ok(d >= MIN_DELTA_E, `entropy ${theme} ${vision}: stops ${i} and ${j} differ by ${d.toFixed(1)}`);
      }
    }
  }
});

test("entropy swatches: token text keeps WCAG contrast >= 4.5 in every theme", () => {
  for (const { theme, vision, colors, text } of views("entropy")) {
    if (vision !== "normal") continue;
    const fg = luminanceOfLinear(text.map(toLinear));
    for (const c of colors) assert.ok(contrast(fg, luminanceOfLinear(c)) >= 4.5, `entropy ${theme}`);
  }
});

// The diverging scale of CompareView (b - a in nats): blue for "B less likely", orange for "B more likely",
// fading into the theme at 0. Each half must stay ordered (further from the theme the larger the
// difference), the two halves must not be mistaken for each other, for every vision, and text stays readable.
import { diffLegendStops } from "../src/colors.js";

function diffViews() {
  const stops = diffLegendStops();
  const out = [];
  for (const [theme, { bg, text }] of Object.entries(THEMES)) {
    const seen = stops.map((s) => over(s.color, bg));
    const backdrop = bg.map(toLinear);
    out.push({ theme, vision: "normal", colors: seen, backdrop, text });
    for (const [vision, m] of Object.entries(MACHADO)) {
      out.push({ theme, vision, colors: seen.map((c) => simulate(m, c)), backdrop: simulate(m, backdrop), text });
    }
  }
  return { d: stops.map((s) => s.d), views: out };
}

test("diverging swatches: legend runs from B much less to B much more likely, 0 in the middle", () => {
  const { d } = diffViews();
  assert.deepEqual(d, [...d].sort((x, y) => x - y));
  assert.equal(d[(d.length - 1) / 2], 0);
  assert.ok(d.includes(-4) && d.includes(4));
});

test("diverging swatches: each half moves further from the theme as the difference grows, for every vision", () => {
  const { d, views } = diffViews();
  const zero = d.indexOf(0);
  for (const { theme, vision, colors, backdrop } of views) {
    const base = lab(backdrop);
    const dist = colors.map((c) => deltaE(lab(c), base));
    const lumDist = colors.map((c) => Math.abs(luminanceOfLinear(c) - luminanceOfLinear(backdrop)));
    assert.ok(dist[zero] < 0.5, `${theme} ${vision}: 0 should be the theme itself`);
    for (let i = zero + 1; i < d.length; i++) {
      assert.ok(dist[i] > dist[i - 1], `more side ${theme} ${vision}: ${dist}`);
      assert.ok(lumDist[i] > lumDist[i - 1], `more side luminance ${theme} ${vision}: ${lumDist}`);
    }
    for (let i = zero - 1; i >= 0; i--) {
      assert.ok(dist[i] > dist[i + 1], `less side ${theme} ${vision}: ${dist}`);
      assert.ok(lumDist[i] > lumDist[i + 1], `less side luminance ${theme} ${vision}: ${lumDist}`);
    }
  }
});

test(`diverging swatches: every pair, across the halves too, stays distinguishable (CIE76 dE >= ${MIN_DELTA_E})`, () => {
  const { views } = diffViews();
  for (const { theme, vision, colors } of views) {
    const labs = colors.map(lab);
    for (let i = 0; i < labs.length; i++) {
      for (let j = i + 1; j < labs.length; j++) {
        const dE = deltaE(labs[i], labs[j]);
        assert.ok(dE >= MIN_DELTA_E, `diverging ${theme} ${vision}: stops ${i} and ${j} differ by ${dE.toFixed(1)}`);
      }
    }
  }
});

test("diverging swatches: token text keeps WCAG contrast >= 4.5 in every theme", () => {
  const { views } = diffViews();
  for (const { theme, vision, colors, text } of views) {
    if (vision !== "normal") continue;
    const fg = luminanceOfLinear(text.map(toLinear));
    for (const c of colors) assert.ok(contrast(fg, luminanceOfLinear(c)) >= 4.5, `diverging ${theme}: ${contrast(fg, luminanceOfLinear(c))}`);
  }
});

test("every step of the scale, light and dark, stands out from the theme and carries readable ink", () => {
  for (const [theme, { bg, palette }] of Object.entries({ ...THEMES, ...PANELS })) {
    const back = luminanceOfLinear(bg.map(toLinear));
    for (let i = 0; i < STEPS; i++) {
      const step = luminanceOfLinear(rgbOf(PALETTES[palette][`--tvz-s${i}`]).map(toLinear));
      const ink = luminanceOfLinear(rgbOf(PALETTES[palette][`--tvz-s${i}-ink`]).map(toLinear));
      assert.ok(contrast(back, step) >= 3, `${theme} step ${i} against the background: ${contrast(back, step).toFixed(2)}`);
      assert.ok(contrast(ink, step) >= 4.5, `${theme} step ${i} ink: ${contrast(ink, step).toFixed(2)}`);
      if (i > 0) {
        const prev = luminanceOfLinear(rgbOf(PALETTES[palette][`--tvz-s${i - 1}`]).map(toLinear));
        assert.ok(step > prev, `${theme} steps ${i - 1}..${i} must rise in luminance`);
      }
    }
  }
});

import { LINEAR_STEPS } from "../src/colors.js";

test("the lens's linear top-1 steps stand out from the theme, move away from it step by step, and keep their ink readable", () => {
  for (const [theme, { bg, palette }] of Object.entries({ ...THEMES, ...PANELS })) {
    const back = luminanceOfLinear(bg.map(toLinear));
    let last = back;
    for (let i = 0; i < LINEAR_STEPS; i++) {
      const step = luminanceOfLinear(rgbOf(PALETTES[palette][`--tvz-l${i}`]).map(toLinear));
      const ink = luminanceOfLinear(rgbOf(PALETTES[palette][`--tvz-l${i}-ink`]).map(toLinear));
      assert.ok(contrast(back, step) >= 3, `${theme} lens step ${i}: ${contrast(back, step).toFixed(2)}`);
      assert.ok(contrast(ink, step) >= 4.5, `${theme} lens step ${i} ink`);
      assert.ok(contrast(back, step) > contrast(back, last), `${theme} lens step ${i} must be further from the background`);
      last = step;
    }
  }
});
