import { test } from "node:test";
import assert from "node:assert/strict";
import { layoutNetwork, pointAlong, rangePoints } from "../../static/js/network-layout.js";

const ALL = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];

test("rangePoints matches d3 v3 ordinal.rangePoints with padding", () => {
  const [a, b] = rangePoints(2, 118, 630, 0.7);
  const step = 512 / 1.7;
  assert.ok(Math.abs(a - (118 + step * 0.35)) < 1e-9);
  assert.ok(Math.abs(b - a - step) < 1e-9);
  assert.deepEqual(rangePoints(1, 100, 200, 0.7), [150]);
  assert.deepEqual(rangePoints(0, 100, 200, 0.7), []);
});

test("the default network: inputs at cx 68, 55 px apart, two hidden layers, output at the edge", () => {
  const net = layoutNetwork({ width: 660, inputs: ALL, enabled: ["x", "y"], hidden: [4, 2] });
  assert.deepEqual(net.inputs.map((n) => [n.cx, n.cy]).slice(0, 3), [[68, 18], [68, 73], [68, 128]]);
  assert.deepEqual(net.layers.map((l) => l.length), [4, 2]);
  assert.ok(Math.abs(net.layers[0][0].cx - 241.4) < 0.1);
  assert.ok(Math.abs(net.layers[1][0].cx - 542.6) < 0.1);
  assert.equal(net.links.length, 2 * 4 + 4 * 2 + 2);
  assert.equal(net.height, 7 * 55);
  const toOutput = net.links.filter((l) => l.layer === 2);
  assert.deepEqual(toOutput.map((l) => [l.src, l.dst]), [[0, 0], [1, 0]]);
  for (const l of toOutput) assert.equal(l.d.split(" ").pop().split(",")[0], "663");
});

test("links are horizontal Béziers from the source's right edge, fanned ±6 px at the target", () => {
  const net = layoutNetwork({ width: 660, inputs: ALL, enabled: ["x", "y"], hidden: [1] });
  const [a, b] = net.links.filter((l) => l.layer === 0).map((l) => l.d);
  assert.match(a, /^M85,18C/);
  const end = (d) => d.split(" ").pop().split(",").map(Number);
  assert.equal(end(a)[1] - 18, -3); // (0 - 0.5) / 2 * 12
  assert.equal(end(b)[1] - 18, 3);
});

test("disabled features are drawn but not linked; hidden ones are not drawn", () => {
  const net = layoutNetwork({ width: 600, inputs: ["y", "xSquared"], enabled: ["xSquared"], hidden: [] });
  assert.equal(net.inputs.length, 2);
  assert.equal(net.links.length, 1);
  assert.match(net.links[0].d, /^M85,73C/);
});

test("the callouts sit under the first layer's last node and on a weight", () => {
  const net = layoutNetwork({ width: 660, inputs: ALL, enabled: ["x", "y"], hidden: [4, 2] });
  assert.deepEqual(net.thumbCallout, { x: net.layers[0][3].cx - 3, y: net.layers[0][3].cy + 20 });
  assert.ok(net.weightCallout.x > net.layers[0][0].cx && net.weightCallout.x < net.layers[1][0].cx);
});

test("pointAlong walks the arc length", () => {
  const line = [[0, 0], [1, 0], [2, 0], [3, 0]];
  const [x, y] = pointAlong(line, 0.7);
  assert.ok(Math.abs(x - 2.1) < 1e-9 && y === 0);
});

test("K softmax outputs: a column of small boxes left of the map, one row each", () => {
  const net = layoutNetwork({ width: 660, inputs: ALL, enabled: ["x", "y"], hidden: [4, 2], outputs: 3 });
  assert.equal(net.outputs.length, 3);
  assert.deepEqual(net.outputs.map((o) => o.cy), [18, 73, 128]);
  for (const o of net.outputs) assert.ok(o.cx + o.size / 2 < 663 && o.cx > net.layers[1][0].cx + 30);
  const toOutput = net.links.filter((l) => l.layer === 2);
  assert.equal(toOutput.length, 2 * 3);
  assert.deepEqual(toOutput.map((l) => [l.src, l.dst]), [[0, 0], [1, 0], [0, 1], [1, 1], [0, 2], [1, 2]]);
  const end = (d) => Number(d.split(" ").pop().split(",")[0]);
  for (const l of toOutput) assert.equal(end(l.d), net.outputs[0].cx - net.outputs[0].size / 2);
  const four = layoutNetwork({ width: 660, inputs: ["x"], enabled: ["x"], hidden: [], outputs: 4 });
  assert.equal(four.height, 4 * 55); // the output column sets the height when it is the tallest
  assert.equal(four.links.length, 4);
});
