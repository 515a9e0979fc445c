import { test } from "node:test";
import assert from "node:assert/strict";
import { fmt, moved } from "../../static/js/map-cursor.js";

test("the cursor moves 0.5 a press, 0.1 with Shift, on the 0.1 grid, and stays on the map", () => {
  assert.deepEqual(moved([0, 0], "ArrowRight", false), [0.5, 0]);
  assert.deepEqual(moved([0, 0], "ArrowUp", false), [0, 0.5]); // up is +y, as on the map's axis
  assert.deepEqual(moved([0.5, 0], "ArrowLeft", true), [0.4, 0]);
  assert.deepEqual(moved([0.3, -0.2], "ArrowDown", true), [0.3, -0.3]); // no 0.30000000000000004
  assert.deepEqual(moved([5.8, 0], "ArrowRight", false), [6, 0]);
  assert.deepEqual(moved([-6, -6], "ArrowDown", false), [-6, -6]);
});

test("coordinates are read with one decimal and a true minus sign", () => {
  assert.equal(fmt(-2), "−2");
  assert.equal(fmt(1.5), "1.5");
  assert.equal(fmt(0.30000000000000004), "0.3");
});
