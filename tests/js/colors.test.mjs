import { test } from "node:test";
import assert from "node:assert/strict";
import { SHADES, shadeIndex, buildLut, toHex, rampColor } from "../../static/js/colors.js";

// The 31 shades listed in spec/playground.md §7.2, k = 0..30.
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
