import { test } from "node:test";
import assert from "node:assert/strict";
import { keyOrder, targetLabel } from "../../static/js/weight-targets.js";

test("arrow order: neuron by neuron, its incoming weights from the top, then its bias", () => {
  // 2 inputs -> 2 neurons -> 1 output, links in layout order (layer, dst, src).
  const links = [
    { layer: 0, src: 0, dst: 0 }, { layer: 0, src: 1, dst: 0 },
    { layer: 0, src: 0, dst: 1 }, { layer: 0, src: 1, dst: 1 },
    { layer: 1, src: 0, dst: 0 }, { layer: 1, src: 1, dst: 0 },
  ];
  const names = links.map((l) => `w${l.layer}${l.src}${l.dst}`);
  assert.deepEqual(keyOrder(links, names, [["b00", "b01"], ["b10"]]),
    ["w000", "w010", "b00", "w001", "w011", "b01", "w100", "w110", "b10"]);
  // A neuron with no incoming links (no feature on) still has its bias.
  assert.deepEqual(keyOrder([], [], [["b00"], ["b10"]]), ["b00", "b10"]);
});

test("screen reader labels count layers and nodes from 1", () => {
  assert.equal(targetLabel({ kind: "weight", layer: 0, src: 1, dst: 2 }), "Weight from node 2 of layer 0 to node 3 of layer 1");
  assert.equal(targetLabel({ kind: "bias", layer: 2, node: 0 }), "Bias of neuron 1 in layer 3");
});
