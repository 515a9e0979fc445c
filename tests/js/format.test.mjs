import { test } from "node:test";
import assert from "node:assert/strict";
import { formatEpoch, formatLoss, formatWeight, layersLabel, neuronsLabel } from "../../static/js/format.js";

test("the epoch counter pads to 6 digits, keeps the last 6 and adds a comma (docs/playground-rules.md §5)", () => {
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

test("singular only for exactly one (§7.4)", () => {
  assert.equal(neuronsLabel(1), "1 neuron");
  assert.equal(neuronsLabel(4), "4 neurons");
  assert.equal(layersLabel(0), "Hidden layers");
  assert.equal(layersLabel(1), "Hidden layer");
  assert.equal(layersLabel(2), "Hidden layers");
});

import { confusionSummary, metricLines, uploadReportLines } from "../../static/js/format.js";

test("metric lines: accuracy for classification, RMSE and R² for regression, test first", () => {
  assert.deepEqual(metricLines(["train_accuracy", "test_accuracy"], [0.516, 0.484]), ["Accuracy 48.4% test, 51.6% train"]);
  assert.deepEqual(
    metricLines(["train_rmse", "test_rmse", "train_r2", "test_r2"], [0.398, 0.4123, 0.151, NaN]),
    ["RMSE 0.412 test, 0.398 train", "R² – test, 0.15 train"],
  );
  assert.deepEqual(metricLines(["train_rmse", "test_rmse"], [5.6e113, 1]), ["RMSE 1.000 test, 5.6e+113 train"]);
  assert.deepEqual(metricLines([], []), []);
});

test("huge losses stay short", () => {
  assert.equal(formatLoss(1.588955873499081e227), "over 1,000,000");
  assert.equal(formatLoss(999999), "999999.000");
});

test("an upload report reads as a sentence and its problems", () => {
  assert.deepEqual(uploadReportLines({ accepted: 1, rejected: 0, problems: [] }), ["1 point uploaded."]);
  assert.deepEqual(
    uploadReportLines({ accepted: 98, rejected: 3, problems: [{ line: 3, reason: "bad label" }, { line: 9, reason: "x out of range" }] }),
    ["98 points uploaded, 3 rows skipped:", "line 3: bad label", "line 9: x out of range", "…and 1 more"],
  );
});

test("confusion totals", () => {
  assert.deepEqual(confusionSummary([[3, 1], [0, 4]]), { total: 8, correct: 7, accuracy: 0.875 });
  assert.ok(Number.isNaN(confusionSummary([[0, 0], [0, 0]]).accuracy));
});
