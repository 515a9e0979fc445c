import { test } from "node:test";
import assert from "node:assert/strict";
import "./registries.mjs"; // before any module that reads the registries
import { gradientLevel, linkWidth } from "../../static/js/network-view.js";

test("gradient view: relative to the largest gradient, square-rooted so small ones still show", () => {
  assert.equal(gradientLevel(1, 1), 1);
  assert.equal(gradientLevel(0.25, 1), 0.5);
  assert.equal(gradientLevel(0.01, 1), 0.1);
  assert.equal(gradientLevel(0, 1), 0);
  assert.equal(gradientLevel(0.5, 0), 0); // before the first update every gradient is 0
  assert.equal(gradientLevel(2, 1), 1);
});

test("weight view is unchanged: 1 + 9·min(|w|, 5)/5 px", () => {
  assert.equal(linkWidth(0), 1);
  assert.equal(linkWidth(-5), 10);
  assert.equal(linkWidth(50), 10);
});
