import { test } from "node:test";
import assert from "node:assert/strict";
import { keyOrder, nodeName, targetLabel } from "../../static/js/weight-targets.js";

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

test("screen reader labels name the nodes as the page shows them: features, neurons, the output", () => {
  const net = { inputs: ["X₁", "sin(X₂)"], hidden: 2, outputs: 1 };
  assert.equal(targetLabel({ kind: "weight", layer: 0, src: 1, dst: 2 }, net), "Weight from sin(X₂) to neuron 3 of hidden layer 1");
  assert.equal(targetLabel({ kind: "weight", layer: 1, src: 0, dst: 1 }, net), "Weight from neuron 1 of hidden layer 1 to neuron 2 of hidden layer 2");
  assert.equal(targetLabel({ kind: "weight", layer: 2, src: 3, dst: 0 }, net), "Weight from neuron 4 of hidden layer 2 to the output");
  assert.equal(targetLabel({ kind: "bias", layer: 0, node: 0 }, net), "Bias of neuron 1 of hidden layer 1");
  assert.equal(targetLabel({ kind: "bias", layer: 2, node: 0 }, net), "Bias of the output");
  // No hidden layer: the features feed the output; several outputs are named by their class.
  const softmax = { inputs: ["X₁"], hidden: 0, outputs: 3 };
  assert.equal(targetLabel({ kind: "weight", layer: 0, src: 0, dst: 2 }, softmax), "Weight from X₁ to the output of class 2");
  assert.equal(nodeName(softmax, 0, 4), "input 5"); // a feature the page did not name
});
