import { test } from "node:test";
import assert from "node:assert/strict";
import { colorOf, linkWidth, paintLinks } from "../../static/js/links-canvas.js";

// A 2D context that records what is stroked and filled, with the state at that moment.
function recorder() {
  const ops = [];
  const ctx = {
    canvas: { width: 200, height: 100 },
    strokeStyle: "", fillStyle: "", lineWidth: 1, lineDashOffset: 0, lineJoin: "miter", lineCap: "butt",
    dash: [],
    setLineDash(d) { this.dash = d; },
    setTransform(...m) { ops.push(["transform", m]); },
    clearRect(...r) { ops.push(["clear", r]); },
    stroke(path) {
      ops.push(["stroke", path, { color: this.strokeStyle, width: this.lineWidth, dash: this.dash, offset: this.lineDashOffset }]);
    },
    fill(path) { ops.push(["fill", path, { color: this.fillStyle }]); },
  };
  return { ctx, ops };
}

const shapes = { paths: ["a", "b", "c"], arrows: [{ path: "arrow0", count: 2 }, { path: "arrow1", count: 1 }] };

test("weights: ramp colour clamped at ±1, width 1 + 9·min(|w|, 5)/5, dash 9 1 flowing at −epoch/3", () => {
  const { ctx, ops } = recorder();
  paintLinks(ctx, shapes, { values: new Float32Array([-3, 0, 5]), gradient: false, epoch: 40 }, 2);
  assert.deepEqual(ops[0], ["transform", [1, 0, 0, 1, 0, 0]]);
  assert.deepEqual(ops[1], ["clear", [0, 0, 200, 100]]);
  assert.deepEqual(ops[2], ["transform", [2, 0, 0, 2, 0, 0]]); // drawn in CSS px at devicePixelRatio 2
  const links = ops.filter((op) => op[0] === "stroke" && !op[1].startsWith("arrow"));
  assert.deepEqual(links.map((op) => op[1]), ["a", "b", "c"]); // layout order: later links on top
  assert.deepEqual(links.map((op) => op[2].color), ["#f59322", "#e8eaeb", "#0877bd"]);
  assert.deepEqual(links.map((op) => op[2].width), [linkWidth(-3), 1, 10]);
  for (const [, , s] of links) {
    assert.deepEqual(s.dash, [9, 1]);
    assert.ok(Math.abs(s.offset - -(40 / 3 - 10)) < 1e-9); // −13.33 ≡ −3.33 for a 10 px pattern
  }
  assert.equal(colorOf(-3), "#f59322");
});

test("gradient view: the level sets colour and width (1 + 9·level), no dash", () => {
  const { ctx, ops } = recorder();
  paintLinks(ctx, shapes, { values: new Float32Array([0, 0.5, 1]), gradient: true, epoch: 7 }, 1);
  const links = ops.filter((op) => op[0] === "stroke" && !op[1].startsWith("arrow"));
  assert.deepEqual(links.map((op) => op[2].width), [1, 5.5, 10]);
  assert.equal(links[2][2].color, "#183d4e"); // the largest gradient: the page's dark accent
  assert.equal(links[0][2].color, "#e0e2e3");
  for (const [, , s] of links) assert.deepEqual(s.dash, []);
});

test("before a frame: grey 1 px dashes; the arrow markers once per link, black, undashed, on top", () => {
  const { ctx, ops } = recorder();
  paintLinks(ctx, shapes, { values: null }, 1);
  const strokes = ops.filter((op) => op[0] === "stroke");
  assert.deepEqual(strokes.slice(0, 3).map((op) => [op[2].color, op[2].width, op[2].offset]), [
    ["#aaa", 1, 0], ["#aaa", 1, 0], ["#aaa", 1, 0],
  ]);
  const arrows = ops.slice(ops.findIndex((op) => op[1] === "arrow0"));
  assert.deepEqual(arrows.map((op) => [op[0], op[1]]), [
    ["fill", "arrow0"], ["stroke", "arrow0"], ["fill", "arrow0"], ["stroke", "arrow0"], ["fill", "arrow1"], ["stroke", "arrow1"],
  ]);
  for (const [kind, , s] of arrows) {
    assert.equal(s.color, "#000");
    if (kind === "stroke") assert.deepEqual([s.width, s.dash], [1, []]);
  }
});
