import { test } from "node:test";
import assert from "node:assert/strict";
import * as p from "../../static/js/protocol.js";

// Frames with the §8 additions, built byte by byte from docs/protocol.md §6 and §8 (not with the
// decoder's helpers): a 2-3-2 network (one hidden layer of 3, K = 2 softmax outputs), one metric.
function buildFrame({ flags = 0, gradients = false, deadNodes = [0, 1, 0], trailing = 0 } = {}) {
  const sizes = [2, 3, 2];
  const L = sizes.length;
  const pad8 = (n) => Math.ceil(n / 8) * 8;
  const links = [[2, 3], [3, 2]];
  const nodes = 3 + 2;
  const weightsAt = pad8(pad8(40 + 2 * L) + 8 + 10000 + 100 * nodes);
  const wb = links.reduce((n, [a, b]) => n + a * b + b, 0);
  const w = links.reduce((n, [a, b]) => n + a * b, 0);
  const gradsAt = weightsAt + 4 * wb;
  const deadAt = gradsAt + (gradients ? 4 * w : 0);
  const nodesAt = deadAt + w;
  const size = nodesAt + (gradients ? 3 : 0) + trailing;
  const buf = new ArrayBuffer(size);
  const v = new DataView(buf);
  const bytes = new Uint8Array(buf);
  v.setUint8(0, 1);
  v.setUint8(1, 1);
  v.setUint16(2, flags | (gradients ? 16 : 0), true);
  v.setUint32(4, 9, true);
  v.setFloat64(8, 3, true);
  v.setFloat64(16, 0.9, true);
  v.setFloat64(24, 1.1, true);
  v.setUint16(32, L, true);
  v.setUint16(34, 0xffff, true);
  v.setUint16(36, 0, true);
  v.setUint16(38, 1, true);
  sizes.forEach((s, i) => v.setUint16(40 + 2 * i, s, true));
  let o = pad8(40 + 2 * L);
  v.setFloat64(o, 0.5, true);
  o += 8;
  // Class map: class 2 - 1 = 1 at full confidence in the first cell, class 0 at level 10 next.
  bytes[o] = 64 * 1 + 63;
  bytes[o + 1] = 10;
  o = weightsAt;
  for (let i = 0; i < wb; i++, o += 4) v.setFloat32(o, -1 - i, true);
  if (gradients) for (let i = 0; i < w; i++, o += 4) v.setFloat32(o, (i + 1) / 64, true);
  for (let i = 0; i < w; i++) bytes[o++] = i === 0 ? 1 : 0;
  if (gradients) for (const d of deadNodes) bytes[o++] = d;
  return buf;
}

test("flag 8: the focus map is a class map, q = 64·class + level", () => {
  const f = p.decodeFrame(buildFrame({ flags: 8 }));
  assert.equal(f.classMap, true);
  assert.equal(f.focusMap[0] >> 6, 1);
  assert.equal(f.focusMap[0] & 63, 63);
  assert.equal(f.focusMap[1], 10);
  assert.equal(f.gradients, null);
  assert.equal(f.deadNodes, null);
  assert.equal(p.decodeFrame(buildFrame()).classMap, false);
});

test("flag 16: |∂L/∂w| right after the weights (W only), dead ReLUs after the dead masks", () => {
  const f = p.decodeFrame(buildFrame({ gradients: true }));
  assert.deepEqual(f.gradients.map((g) => g.length), [6, 6]);
  assert.deepEqual(Array.from(f.gradients[0]), [1, 2, 3, 4, 5, 6].map((i) => i / 64));
  assert.equal(f.gradients[1][5], 12 / 64);
  // The weights and biases are untouched by the new section: W0 (6), b0 (3), W1 (6), b1 (2).
  assert.equal(f.weights[0][0], -1);
  assert.equal(f.biases[0][2], -9);
  assert.equal(f.weights[1][0], -10);
  assert.equal(f.biases[1][1], -17);
  assert.deepEqual(f.dead.map((d) => Array.from(d)), [[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]);
  // One byte per hidden node only (3 here): the output has no dead flag.
  assert.deepEqual(f.deadNodes.map((d) => Array.from(d)), [[0, 1, 0]]);
});

test("flag 16 with a missing section is refused; padding after it is accepted", () => {
  const full = buildFrame({ gradients: true });
  assert.throws(() => p.decodeFrame(full.slice(0, full.byteLength - 2)), /truncated/);
  assert.doesNotThrow(() => p.decodeFrame(buildFrame({ gradients: true, trailing: 5 })));
  assert.throws(() => p.decodeFrame(buildFrame({ gradients: true, trailing: 8 })), /trailing/);
});

test("§8 message builders", () => {
  assert.deepEqual(p.confusion(), { type: "confusion" });
  assert.deepEqual(p.addPoint(1.5, -2, 1), { type: "add_point", x: 1.5, y: -2, label: 1 });
  assert.deepEqual(p.clearPoints(), { type: "clear_points" });
  assert.deepEqual(p.uploadCsv("1,2,1\n"), { type: "upload_csv", content: "1,2,1\n" });
  assert.deepEqual(p.exportAs("keras"), { type: "export", format: "keras" });
  assert.deepEqual(p.importJson("{}"), { type: "import_json", content: "{}" });
});
