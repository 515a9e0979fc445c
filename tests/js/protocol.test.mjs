import { test } from "node:test";
import assert from "node:assert/strict";
import * as p from "../../static/js/protocol.js";

// A frame built by hand from the byte table of docs/protocol.md §6 (not with the decoder's
// helpers): a 2-4-2-1 network, two metrics, focus on the output, with or without input maps.
function buildFrame({ inputs = true, focusLayer = 0xffff, focusUnit = 0, trailing = 0 } = {}) {
  const sizes = [2, 4, 2, 1];
  const L = sizes.length;
  const metrics = [0.25, 0.75];
  const pad8 = (n) => Math.ceil(n / 8) * 8;
  const nodes = 4 + 2 + 1;
  const links = [[2, 4], [4, 2], [2, 1]];
  let size = pad8(40 + 2 * L) + 8 * metrics.length + 10000 + 100 * nodes + (inputs ? 700 : 0);
  const floatsAt = pad8(size);
  const floats = links.reduce((n, [a, b]) => n + a * b + b, 0);
  const deadAt = floatsAt + 4 * floats;
  size = deadAt + links.reduce((n, [a, b]) => n + a * b, 0) + trailing;
  const buf = new ArrayBuffer(size);
  const v = new DataView(buf);
  v.setUint8(0, 1); // version
  v.setUint8(1, 1); // kind
  v.setUint16(2, 1 | (inputs ? 4 : 0), true); // playing (+ input thumbnails)
  v.setUint32(4, 7, true); // seq
  v.setFloat64(8, 42, true); // epoch
  v.setFloat64(16, 0.502, true); // train loss
  v.setFloat64(24, 0.518, true); // test loss
  v.setUint16(32, L, true);
  v.setUint16(34, focusLayer, true);
  v.setUint16(36, focusUnit, true);
  v.setUint16(38, metrics.length, true);
  sizes.forEach((s, i) => v.setUint16(40 + 2 * i, s, true));
  let o = pad8(40 + 2 * L);
  for (const m of metrics) { v.setFloat64(o, m, true); o += 8; }
  const bytes = new Uint8Array(buf);
  for (let i = 0; i < 10000; i++) bytes[o + i] = i % 256; // focus map
  o += 10000;
  for (let h = 0; h < nodes; h++) { bytes.fill(10 + h, o, o + 100); o += 100; } // node thumbnails
  if (inputs) for (let k = 0; k < 7; k++) { bytes.fill(200 + k, o, o + 100); o += 100; }
  o = floatsAt;
  let value = 0;
  for (const [a, b] of links) {
    for (let i = 0; i < a * b + b; i++) { v.setFloat32(o, value, true); o += 4; value += 0.5; }
  }
  for (const [a, b] of links) for (let i = 0; i < a * b; i++) bytes[o++] = i === 1 ? 1 : 0;
  return buf;
}

test("a hand-built frame decodes field by field", () => {
  const f = p.decodeFrame(buildFrame());
  assert.equal(f.version, 1);
  assert.equal(f.seq, 7);
  assert.equal(f.epoch, 42);
  assert.equal(f.lossTrain, 0.502);
  assert.equal(f.lossTest, 0.518);
  assert.equal(f.playing, true);
  assert.equal(f.diverged, false);
  assert.deepEqual(f.layerSizes, [2, 4, 2, 1]);
  assert.equal(f.focusLayer, null);
  assert.deepEqual(f.metrics, [0.25, 0.75]);
  assert.equal(f.focusMap.length, 10000);
  assert.equal(f.focusMap[0], 0);
  assert.equal(f.focusMap[9999], 9999 % 256);
  assert.deepEqual(f.thumbnails.map((layer) => layer.length), [4, 2, 1]);
  assert.equal(f.thumbnails[0][0][0], 10);
  assert.equal(f.thumbnails[1][1][99], 15);
  assert.equal(f.thumbnails[2][0][50], 16); // the output's thumbnail comes last
  assert.equal(f.inputThumbnails.length, 7);
  assert.equal(f.inputThumbnails[6][0], 206);
});

test("weights are W row-major [src][dst] then b, layer by layer, then the dead masks", () => {
  const f = p.decodeFrame(buildFrame());
  assert.deepEqual(f.weights.map((w) => w.length), [8, 8, 2]);
  assert.deepEqual(f.biases.map((b) => b.length), [4, 2, 1]);
  assert.deepEqual(Array.from(f.weights[0]), [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
  assert.deepEqual(Array.from(f.biases[0]), [4, 4.5, 5, 5.5]);
  assert.equal(f.weights[1][0], 6); // after W0 (8) and b0 (4)
  assert.equal(f.biases[2][0], 0.5 * (8 + 4 + 8 + 2 + 2));
  assert.deepEqual(f.dead.map((d) => Array.from(d)), [
    [0, 1, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 1],
  ]);
});

test("without flag 4 there are no input thumbnails; a focused node is reported", () => {
  const f = p.decodeFrame(buildFrame({ inputs: false, focusLayer: 1, focusUnit: 3 }));
  assert.equal(f.inputThumbnails, null);
  assert.equal(f.focusLayer, 1);
  assert.equal(f.focusUnit, 3);
  assert.equal(f.weights[0][7], 3.5);
});

test("trailing zero padding is accepted, a truncated or foreign frame is refused", () => {
  assert.doesNotThrow(() => p.decodeFrame(buildFrame({ trailing: 6 })));
  assert.throws(() => p.decodeFrame(buildFrame().slice(0, 11000)), /truncated/);
  assert.throws(() => p.decodeFrame(buildFrame({ trailing: 16 })), /trailing/);
  const wrong = buildFrame();
  new DataView(wrong).setUint8(0, 2);
  assert.throws(() => p.decodeFrame(wrong), /version/);
});

test("message builders follow docs/protocol.md §2", () => {
  assert.deepEqual(p.hello({ seed: "0.1" }), { type: "hello", protocol: 1, settings: { seed: "0.1" } });
  assert.deepEqual(p.hello({}, { epoch: 3 }).checkpoint, { epoch: 3 });
  assert.deepEqual(p.set({ noise: 5 }), { type: "set", settings: { noise: 5 } });
  assert.deepEqual(p.step(), { type: "step", epochs: 1 });
  assert.deepEqual(p.setWeight(0, 1, 2, -0.5), { type: "set_weight", layer: 0, src: 1, dst: 2, value: -0.5 });
  assert.deepEqual(p.setBias(2, 0, 0.1), { type: "set_bias", layer: 2, node: 0, value: 0.1 });
  assert.deepEqual(p.focus(null), { type: "focus", layer: null, unit: 0 });
  assert.deepEqual(p.credit(2), { type: "credit", frames: 2 });
  assert.deepEqual(p.credit(0), { type: "credit", frames: 1 });
  assert.deepEqual(p.ping(7), { type: "ping", id: 7 });
  for (const type of ["play", "pause", "reset", "regenerate"]) assert.deepEqual(p[type](), { type });
});
