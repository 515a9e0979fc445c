import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as p from "../../static/js/digits/protocol.js";
import { fromHash, parseLayers, toHash } from "../../static/js/digits/state.js";
import { SIDE, base64, dab, emptyGrid, gridBytes, stroke } from "../../static/js/digits/pixels.js";

// The golden digits frame (tests/golden/digits-frame-v1.bin, made by the server's encoder through
// scripts/golden_digits_frame.py) decodes to what the encoder was given (digits-frame-v1.json);
// tests/unit/test_digits_parts.py checks the same pair against app/digits/frames.py.
const dir = new URL("../golden/", import.meta.url);
const bytes = readFileSync(new URL("digits-frame-v1.bin", dir));
const expected = JSON.parse(readFileSync(new URL("digits-frame-v1.json", dir), "utf8"));
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

test("digits frame: every section decodes to what the encoder was given", () => {
  const frame = p.decodeFrame(buffer);
  assert.equal(buffer.byteLength, expected.length);
  assert.equal(frame.seq, expected.seq);
  assert.equal(frame.epoch, expected.epoch);
  assert.equal(frame.progress, expected.progress);
  assert.equal(frame.playing, true);
  assert.equal(frame.evaluating, false);
  assert.deepEqual(frame.running, expected.running);
  assert.deepEqual(frame.estimate, expected.estimate);
  assert.deepEqual(Array.from(frame.points), expected.points);
  assert.equal(frame.neurons.first, expected.neurons.first);
  assert.equal(frame.neurons.count, expected.neurons.count);
  assert.equal(frame.neurons.total, expected.neurons.total);
  assert.deepEqual(Array.from(frame.neurons.pixels), expected.neurons.pixels);
  assert.deepEqual(Array.from(frame.drawing.probabilities), expected.probabilities);
  assert.deepEqual(Array.from(frame.drawing.image), expected.image);
});

test("digits frame: a frame without optional sections, and a foreign frame", () => {
  const bare = new ArrayBuffer(64);
  const v = new DataView(bare);
  v.setUint8(0, 1);
  v.setUint8(1, 2);
  v.setFloat64(8, 3, true);
  const frame = p.decodeFrame(bare);
  assert.equal(frame.epoch, 3);
  assert.equal(frame.points.length, 0);
  assert.equal(frame.neurons, null);
  assert.equal(frame.drawing, null);
  assert.equal(frame.running, null);
  v.setUint8(1, 1); // a playground frame
  assert.throws(() => p.decodeFrame(bare), /not a digits frame/);
});

const HYPER = [
  { key: "momentum", hash: "momentum", type: "number" },
  { key: "nesterov", hash: "nesterov", type: "bool" },
  { key: "beta_1", hash: "beta1", type: "number" },
];
const DEFAULTS = {
  data: "sample", train_images: null, layers: [{ units: 10, activation: "sigmoid" }],
  initializer: "glorot_uniform", optimizer: "sgd", learning_rate: 0.01, optimizer_options: {},
  batch_size: 100, epochs: 5, validation_split: 0, shuffle: true, precision: "float64",
};

test("digits hash: settings round-trip, only what differs from the defaults (and the seed)", () => {
  const settings = {
    ...DEFAULTS, layers: [{ units: 512, activation: "relu" }], learning_rate: 0.1, epochs: 20,
    optimizer_options: { momentum: 0.9, nesterov: true }, shuffle: false, seed: 7,
  };
  const hash = toHash(settings, DEFAULTS, HYPER);
  assert.equal(hash, "layers=512%3Arelu&lr=0.1&epochs=20&shuffle=false&seed=7&momentum=0.9&nesterov=true");
  const back = fromHash(`#${hash}`, HYPER);
  assert.deepEqual(back.settings, {
    layers: [{ units: 512, activation: "relu" }], learning_rate: 0.1, epochs: 20, shuffle: false,
    seed: 7, optimizer_options: { momentum: 0.9, nesterov: true },
  });
  assert.equal(back.lesson, null);
});

test("digits hash: a lesson step, no hidden layer, and unreadable values dropped", () => {
  const hash = toHash({ ...DEFAULTS, layers: [], seed: 1 }, DEFAULTS, HYPER, { lesson: "article", step: 3 });
  assert.ok(hash.startsWith("lesson=article&step=3&layers=&"));
  const back = fromHash(hash, HYPER);
  assert.deepEqual(back.settings.layers, []);
  assert.equal(back.lesson, "article");
  assert.equal(back.step, 3);
  const junk = fromHash("lr=fast&batch=1.5&layers=abc&shuffle=maybe&momentum=x&epochs=3", HYPER);
  assert.deepEqual(junk.settings, { epochs: 3 });
  assert.deepEqual(parseLayers("64,32:tanh"), [{ units: 64 }, { units: 32, activation: "tanh" }]);
});

test("drawing: a dab inks a soft disc, a stroke leaves no gaps, bytes and base64 are the grid", () => {
  const grid = emptyGrid();
  dab(grid, 14, 14);
  assert.equal(grid[13 * SIDE + 13], 1); // the cell under the pen: full ink
  assert.ok(grid[13 * SIDE + 15] > 0 && grid[13 * SIDE + 15] < 1); // the rim: partial
  assert.equal(grid[13 * SIDE + 17], 0); // beyond the rim: paper
  const line = emptyGrid();
  stroke(line, 2, 5, 25, 5);
  for (let c = 2; c < 25; c++) assert.equal(line[4 * SIDE + c], 1, `cell ${c} of the line`);
  const raw = gridBytes(grid);
  assert.equal(raw.length, 784);
  assert.equal(raw[13 * SIDE + 13], 255);
  const text = base64(raw);
  assert.equal(text.length, 1048);
  assert.deepEqual(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)), raw);
});
