import { test } from "node:test";
import assert from "node:assert/strict";
import "./registries.mjs"; // before any module that reads the registries
import { hideLink } from "../../static/js/hide-panel.js";
import { frameValues, goalMet, opensStep, stepHash } from "../../static/js/lessons.js";
import { hashToMap } from "../../static/js/state.js";
import { parseHash } from "../../static/js/state.js";

test("a step hash keeps the seed unless the step sets one, and drops control hide flags", () => {
  assert.equal(
    stepHash("circle", 2, "dataset=circle&networkShape=3&noise_hide=true&x_hide=true", "0.5"),
    "lesson=circle&step=2&dataset=circle&networkShape=3&x_hide=true&seed=0.5",
  );
  assert.equal(stepHash("a", 1, "seed=7&dataset=xor", "0.5"), "lesson=a&step=1&seed=7&dataset=xor");
  const state = parseHash(stepHash("a", 3, "networkShape=8,8", "0.25"));
  assert.deepEqual([state.lesson, state.step, state.networkShape, state.seed], ["a", 3, [8, 8], "0.25"]);
});

test("goals: below, above, the epoch limit, and missing values", () => {
  const values = frameValues({ lossTest: 0.05, lossTrain: 0.2, metrics: [0.9, 0.97], names: ["train_accuracy", "test_accuracy"] });
  assert.equal(goalMet({ metric: "test_loss", below: 0.1 }, 10, values), true);
  assert.equal(goalMet({ metric: "test_loss", below: 0.1, within: 5 }, 10, values), false);
  assert.equal(goalMet({ metric: "train_loss", below: 0.1 }, 10, values), false);
  assert.equal(goalMet({ metric: "test_accuracy", above: 0.95 }, 10, values), true);
  assert.equal(goalMet({ metric: "train_accuracy", above: 0.95 }, 10, values), false);
  assert.equal(goalMet({ metric: "test_accuracy", above: 0.5 }, 1, frameValues({ lossTest: NaN })), false);
});

test("untrained weights never meet a goal: epoch 0 (or no epoch) does not count", () => {
  const values = frameValues({ lossTest: 0.01, lossTrain: 0.01, metrics: [1], names: ["test_accuracy"] });
  assert.equal(goalMet({ metric: "test_accuracy", above: 0.99 }, 0, values), false);
  assert.equal(goalMet({ metric: "test_loss", below: 0.1, within: 10 }, 0, values), false);
  assert.equal(goalMet({ metric: "test_accuracy", above: 0.99 }, undefined, values), false);
  assert.equal(goalMet({ metric: "test_accuracy", above: 0.99 }, 1, values), true);
});

test("only a hash with nothing but the lesson keys and a seed opens a step afresh", () => {
  assert.equal(opensStep(hashToMap("lesson=xor&step=2")), true);
  assert.equal(opensStep(hashToMap("lesson=xor&step=2&seed=0.5")), true);
  assert.equal(opensStep(hashToMap("lesson=xor&step=2&seed=0.5&dataset=xor")), false);
});

test("the hide link replaces every earlier hide flag and drops the lesson keys", () => {
  assert.equal(
    hideLink("http://h/", "#seed=1&noise_hide=true&lesson=a&step=2&dataset=xor", ["speed", "exports"]),
    "http://h/#seed=1&dataset=xor&speed_hide=true&exports_hide=true",
  );
});
