import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as p from "../../static/js/protocol.js";

// The golden frame (tests/golden/frame-v1.bin, made by the server's encoder through
// scripts/golden_frame.py) decodes to what the encoder was given (frame-v1.json). The same
// pair is checked against app/client.py by tests/unit/test_golden_frame.py.
const dir = new URL("../golden/", import.meta.url);
const bytes = readFileSync(new URL("frame-v1.bin", dir));
const expected = JSON.parse(readFileSync(new URL("frame-v1.json", dir), "utf8"));
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
const frame = p.decodeFrame(buffer);
const flat = (arrays) => arrays.flatMap((a) => Array.from(a));

test("golden frame: header fields", () => {
  assert.equal(buffer.byteLength, expected.length);
  assert.equal(frame.version, expected.version);
  assert.equal(frame.flags, expected.flags);
  assert.equal(frame.seq, expected.seq);
  assert.equal(frame.epoch, expected.epoch);
  assert.equal(frame.lossTrain, expected.train_loss);
  assert.equal(frame.lossTest, expected.test_loss);
  assert.deepEqual(frame.layerSizes, expected.layer_sizes);
  assert.deepEqual([frame.focusLayer, frame.focusUnit], expected.focus);
  assert.deepEqual(frame.metrics, expected.metrics);
});

test("golden frame: maps and thumbnails", () => {
  assert.deepEqual(Array.from(frame.focusMap), expected.focus_map);
  assert.deepEqual(flat(frame.thumbnails.flat()), expected.thumbnails);
  assert.deepEqual(flat(frame.inputThumbnails), expected.input_thumbnails);
});

test("golden frame: weights, gradients, dead links and dead ReLUs", () => {
  const interleaved = frame.weights.flatMap((w, l) => [Array.from(w), Array.from(frame.biases[l])]);
  assert.deepEqual(interleaved, expected.weights);
  assert.deepEqual(frame.gradients.map((g) => Array.from(g)), expected.gradients);
  assert.deepEqual(frame.dead.map((d) => Array.from(d)), expected.dead);
  assert.deepEqual(flat(frame.deadNodes), expected.dead_nodes);
});
