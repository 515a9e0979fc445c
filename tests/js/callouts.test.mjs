import { test } from "node:test";
import assert from "node:assert/strict";
import { boxesMeet } from "../../static/js/callouts.js";

const box = (left, top, right, bottom) => ({ left, top, right, bottom });

test("boxes meet when they share area, or come within the gap", () => {
  assert.equal(boxesMeet(box(0, 0, 10, 10), box(5, 5, 15, 15)), true);
  assert.equal(boxesMeet(box(0, 0, 10, 10), box(10, 0, 20, 10)), false); // touching edges only
  assert.equal(boxesMeet(box(0, 0, 10, 10), box(13, 0, 20, 10), 4), true);
  assert.equal(boxesMeet(box(0, 0, 10, 10), box(0, 15, 10, 20), 4), false);
});

test("a box that is not drawn (no size) meets nothing", () => {
  assert.equal(boxesMeet(box(0, 0, 0, 0), box(-5, -5, 5, 5)), false);
  assert.equal(boxesMeet(box(-5, -5, 5, 5), box(2, 2, 2, 8)), false);
});
