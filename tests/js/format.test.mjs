import { test } from "node:test";
import assert from "node:assert/strict";
import { formatEpoch, formatLoss, formatWeight, layersLabel, neuronsLabel } from "../../static/js/format.js";

test("the epoch counter pads to 6 digits, keeps the last 6 and adds a comma (spec §5)", () => {
  assert.equal(formatEpoch(0), "000,000");
  assert.equal(formatEpoch(1), "000,001");
  assert.equal(formatEpoch(42), "000,042");
  assert.equal(formatEpoch(1234), "001,234");
  assert.equal(formatEpoch(1234567), "234,567");
});

test("losses show 3 decimals, weights 2 significant digits", () => {
  assert.equal(formatLoss(0.51849), "0.518");
  assert.equal(formatLoss(NaN), "NaN");
  assert.equal(formatWeight(-0.4812), "-0.48");
  assert.equal(formatWeight(0.1), "0.10");
});

test("singular only for exactly one (spec §7.4)", () => {
  assert.equal(neuronsLabel(1), "1 neuron");
  assert.equal(neuronsLabel(4), "4 neurons");
  assert.equal(layersLabel(0), "Hidden layers");
  assert.equal(layersLabel(1), "Hidden layer");
  assert.equal(layersLabel(2), "Hidden layers");
});
