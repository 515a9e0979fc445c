import { test } from "node:test";
import assert from "node:assert/strict";
import "./registries.mjs"; // before any module that reads the registries
import { smallDataText } from "../../static/js/notices.js";
import { rateNote } from "../../static/js/training-panel.js";

test("too few training points: the notice says the split kept the rest for testing", () => {
  const text = smallDataText(2, 3, 50, 10);
  assert.match(text, /^Only 2 of the 5 points are for training: the ratio of training to test data \(50%\) keeps the other 3 for testing\. /);
  assert.match(text, /fewer than the batch size 10: the playground updates the weights once every 10 points/);
  assert.match(smallDataText(1, 4, 30, 10), /^Only 1 of the 5 points is for training/);
  assert.match(smallDataText(3, 0, 90, 10), /^Only 3 training points, fewer than the batch size 10/);
});

test("the rate note names the top bar only when the top bar shows the rate", () => {
  const adam = { label: "Adam", lr: 0.001 };
  assert.equal(rateNote(adam, 0.001, false), "Keras's default learning rate for Adam.");
  assert.equal(rateNote(adam, 0.03, false), "Keras's default learning rate for Adam is 0.001 (the top bar sets it).");
  assert.equal(rateNote(adam, 0.03, true), "Keras's default learning rate for Adam is 0.001; this run uses 0.03.");
});

test("back after a drop: the notice says what was lost and what happens to it", async () => {
  const { backText } = await import("../../static/js/offline.js");
  const run = { before: 239, after: 233, resumed: true, training: true, edits: false };
  assert.equal(backText(run), "Connected again, thanks for waiting. The run came back from its last saved point, epoch 233: the 6 epochs after it were lost and are being trained again.");
  assert.match(backText({ ...run, training: false }), /the 6 epochs after it were lost; press play to train them again\.$/);
  assert.match(backText({ ...run, before: 234 }), /the 1 epoch after it was lost and is being trained again\.$/);
  assert.equal(backText({ ...run, after: 239 }), "Connected again, thanks for waiting.");
  assert.equal(backText({ ...run, before: null, edits: true }), "Connected again, thanks for waiting. The edits you made meanwhile are applied.");
  assert.match(backText({ ...run, resumed: false, after: 0 }), /could not be resumed, so it starts again at epoch 0\.$/);
});

test("the run link's tooltip promises only what the link gives", async () => {
  const { runLinkTitle, replayText } = await import("../../static/js/run-link.js");
  assert.match(runLinkTitle({ exact: true, changes: [] }), /your changes along the way at the same epochs, so the same losses$/);
  const partial = runLinkTitle({ exact: false, changes: ["bias", "learning_rate"] });
  assert.match(partial, /^Copy a link to the start of this run: the same data and initial weights at its first learning rate, without the biases typed in and its learning-rate changes/);
  assert.doesNotMatch(partial, /same losses/);
  assert.match(runLinkTitle(null), /^No link replays this run/);
  assert.equal(replayText({ replaying: { left: 2, next_epoch: 30 } }), "This run follows the link it was opened from: 2 changes still to come, the next at epoch 30.");
  assert.equal(replayText({ marker: "1.1" }), null);
});
