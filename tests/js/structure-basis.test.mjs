// StructureBasis: quick network edits build on each other until the server answers.
import assert from "node:assert/strict";
import { test } from "node:test";

import "./registries.mjs"; // before any module that reads the registries

import { StructureBasis, layersChanged } from "../../static/js/network-structure.js";

const server = { network_shape: [5, 2, 1], features: ["x", "y"] };

test("three quick removals build on each other before any answer", () => {
  let t = 0;
  const basis = new StructureBasis(() => t);
  const asked = [];
  for (let i = 0; i < 3; i++) {
    const shape = layersChanged(basis.of(server).network_shape, -1, 6);
    asked.push(basis.ask({ network_shape: shape }).network_shape);
    t += 10;
  }
  assert.deepEqual(asked, [[5, 2], [5], []]);
});

test("the echo of the last edit hands the basis back to the server", () => {
  const basis = new StructureBasis(() => 0);
  basis.ask({ network_shape: [5, 2] });
  basis.echoed({ network_shape: [5, 2, 1], features: ["x", "y"] }); // an older state
  assert.deepEqual(basis.of(server).network_shape, [5, 2]);
  basis.echoed({ network_shape: [5, 2], features: ["x", "y"] });
  assert.deepEqual(basis.of({ ...server, network_shape: [3] }).network_shape, [3]);
});

test("a refusal or a lost answer drops what was asked", () => {
  let t = 0;
  const basis = new StructureBasis(() => t);
  basis.ask({ features: ["x"] });
  basis.refused();
  assert.deepEqual(basis.of(server).features, ["x", "y"]);
  basis.ask({ features: ["x"] });
  t = 5000; // never answered (the session was replaced): the server's settings again
  assert.deepEqual(basis.of(server).features, ["x", "y"]);
});
