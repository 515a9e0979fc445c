import { test } from "node:test";
import assert from "node:assert/strict";
import { SHADES, shadeIndex, buildLut, toHex, rampColor } from "../../static/js/colors.js";

// The 31 shades listed in docs/playground-rules.md §7.2, k = 0..30.
const SPEC_SHADES = ("#f59322 #f4992f #f39f3d #f2a44a #f2aa58 #f1b065 #f0b672 #efbc80 #eec18d " +
  "#edc79b #eccda8 #ebd3b5 #ebd9c3 #eaded0 #e9e4de #e8eaeb #d9e2e8 #cadbe5 #bbd3e2 #accbdf " +
  "#9dc4dc #8ebcd9 #7fb4d6 #71add2 #62a5cf #539dcc #4496c9 #358ec6 #2686c3 #177fc0 #0877bd").split(" ");

test("the 31 quantised shades equal the playground's list", () => {
  assert.deepEqual(SHADES.map(toHex), SPEC_SHADES);
});

test("zero maps to shade 15, the extremes to 0 and 30, out of range is clamped", () => {
  assert.equal(shadeIndex(0), 15);
  assert.equal(shadeIndex(-1), 0);
  assert.equal(shadeIndex(1), 30);
  assert.equal(shadeIndex(-7), 0);
  assert.equal(shadeIndex(7), 30);
});

test("the LUT colours q=0 orange, q=255 blue, with alpha 160", () => {
  const lut = buildLut();
  assert.deepEqual(Array.from(lut.slice(0, 4)), [0xf5, 0x93, 0x22, 160]);
  assert.deepEqual(Array.from(lut.slice(255 * 4, 256 * 4)), [0x08, 0x77, 0xbd, 160]);
});

test("a discretized LUT has only the two extreme shades", () => {
  const lut = buildLut(true);
  const colours = new Set();
  for (let q = 0; q < 256; q++) colours.add(lut.slice(q * 4, q * 4 + 3).join(","));
  assert.deepEqual([...colours].sort(), ["245,147,34", "8,119,189"].sort());
});

test("the continuous ramp clamps beyond ±1", () => {
  assert.deepEqual(rampColor(5), [0x08, 0x77, 0xbd]);
  assert.deepEqual(rampColor(-5), [0xf5, 0x93, 0x22]);
});

import { CLASS_COLORS, buildClassLut, buildProbabilityLut, pointColor } from "../../static/js/colors.js";

const rgbAt = (lut, q) => Array.from(lut.slice(4 * q, 4 * q + 3));

test("class map LUT: q = 64·class + level, full colour at level 63, grey-ish at a tie", () => {
  const lut = buildClassLut(4);
  for (let k = 0; k < 4; k++) assert.deepEqual(rgbAt(lut, 64 * k + 63), CLASS_COLORS[k]);
  assert.equal(lut[4 * 127 + 3], 160); // heatmap alpha
  const tie = rgbAt(lut, 64 * 2);
  const grey = [0xe8, 0xea, 0xeb];
  tie.forEach((c, i) => assert.ok(Math.abs(c - grey[i]) < Math.abs(CLASS_COLORS[2][i] - grey[i]) * 0.2 + 1));
  assert.deepEqual(rgbAt(buildClassLut(3), 64 * 3 + 63), grey); // no class 3 among K = 3
  assert.deepEqual(rgbAt(buildClassLut(3, true), 64 * 1 + 0), CLASS_COLORS[1]); // discretized: winner only
});

test("the class palette starts with the playground's orange and blue", () => {
  assert.deepEqual(CLASS_COLORS[0].map((c) => c.toString(16)), ["f5", "93", "22"]);
  assert.deepEqual(CLASS_COLORS[1], [0x08, 0x77, 0xbd]);
  assert.equal(CLASS_COLORS.length, 4);
});

test("probability LUT: p = ½ is the grey middle of the ramp, p = 0/1 orange/blue", () => {
  const ramp = buildProbabilityLut();
  const q = (p) => Math.round((p + 1) * 127.5);
  assert.deepEqual(rgbAt(ramp, q(1)), [0x08, 0x77, 0xbd]);
  assert.deepEqual(rgbAt(ramp, q(0)), [0xf5, 0x93, 0x22]);
  assert.equal(toHex(rgbAt(ramp, q(0.5))), "#e8eaeb");
  const green = buildProbabilityLut(CLASS_COLORS[2]);
  assert.deepEqual(rgbAt(green, 255), CLASS_COLORS[2]);
  // q = 128 decodes to p = 1/127.5, a hair above 0: within one unit of the grey.
  rgbAt(green, q(0)).forEach((c, i) => assert.ok(Math.abs(c - [0xe8, 0xea, 0xeb][i]) <= 1));
});

test("points: ramp colour for ±1 and regression, class colour for K > 2", () => {
  assert.equal(pointColor(1, 2), "#0877bd");
  assert.equal(pointColor(-1, 2), "#f59322");
  assert.equal(pointColor(2, 3), toHex(CLASS_COLORS[2]));
  assert.equal(pointColor(0, 3), "#f59322");
});
