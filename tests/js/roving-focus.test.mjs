import { test } from "node:test";
import assert from "node:assert/strict";
import { RovingFocus } from "../../static/js/roving-focus.js";

// Just enough of an element for RovingFocus: attributes, listeners, focus().
class Fake {
  constructor(label) {
    this.attrs = { "aria-label": label };
    this.listeners = {};
    this.focused = 0;
  }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
  fire(type, ev = {}) { for (const fn of this.listeners[type] || []) fn({ target: this, ...ev }); }
  focus() { this.focused += 1; this.fire("focus"); }
}

function press(group, target, key) {
  let prevented = false;
  for (const fn of group.listeners.keydown) fn({ key, target, preventDefault: () => { prevented = true; } });
  return prevented;
}

const stops = (items) => items.filter((el) => el.getAttribute("tabindex") === "0").map((el) => el.attrs["aria-label"]);

test("one Tab stop: the first item, then whichever item has the focus", () => {
  const group = new Fake("group");
  const items = ["a", "b", "c"].map((k) => new Fake(k));
  const roving = new RovingFocus(group);
  roving.setItems(items);
  assert.deepEqual(stops(items), ["a"]);
  items[2].focus(); // a click or a refocus
  assert.deepEqual(stops(items), ["c"]);
  // No focus listener on the group: Chromium would make the SVG a Tab stop of its own.
  assert.equal(group.listeners.focus, undefined);
  assert.equal(group.listeners.focusin, undefined);
});

test("arrows move one item without wrapping; Home and End go to the ends", () => {
  const group = new Fake("group");
  const items = ["a", "b", "c"].map((k) => new Fake(k));
  new RovingFocus(group).setItems(items);
  assert.equal(press(group, items[0], "ArrowDown"), true); // the page's → step must not run too
  assert.deepEqual(stops(items), ["b"]);
  press(group, items[1], "ArrowRight");
  assert.deepEqual(stops(items), ["c"]);
  press(group, items[2], "ArrowDown");
  assert.equal(items[2].focused, 1); // at the end: stays put
  press(group, items[2], "Home");
  assert.deepEqual(stops(items), ["a"]);
  press(group, items[0], "ArrowUp");
  assert.deepEqual(stops(items), ["a"]);
  press(group, items[0], "End");
  press(group, items[2], "ArrowLeft");
  assert.deepEqual(stops(items), ["b"]);
  assert.equal(press(group, items[1], "Enter"), false); // other keys are the item's own
  assert.equal(press(group, items[1], "ArrowUp"), true);
  assert.deepEqual(stops(items), ["a"]);
});

test("after a rebuild the Tab stop stays on the item with the same label, else the first", () => {
  const group = new Fake("group");
  const roving = new RovingFocus(group);
  roving.setItems(["a", "b", "c"].map((k) => new Fake(k)));
  roving.items[1].focus();
  const again = ["x", "b", "c"].map((k) => new Fake(k));
  roving.setItems(again);
  assert.deepEqual(stops(again), ["b"]);
  const gone = ["x", "y"].map((k) => new Fake(k));
  roving.setItems(gone);
  assert.deepEqual(stops(gone), ["x"]);
});

test("a radio group: an arrow checks the item it moves to, and the checked item is the Tab stop", () => {
  const group = new Fake("group");
  const items = ["a", "b", "c"].map((k) => new Fake(k));
  const checked = [];
  const roving = new RovingFocus(group, (el) => el.attrs["aria-label"], (el) => checked.push(el.attrs["aria-label"]));
  roving.setItems(items);
  roving.activate(items[1]); // the server says "b" is the dataset
  assert.deepEqual(stops(items), ["b"]);
  assert.equal(items[1].focused, 0); // made the stop, not focused: the page does not jump
  press(group, items[1], "ArrowDown");
  press(group, items[2], "ArrowDown"); // at the end: nothing moves, nothing is checked again
  press(group, items[2], "Home");
  assert.deepEqual(checked, ["c", "a"]);
  items[1].focus(); // a click focuses without an arrow: the click itself checks
  assert.deepEqual(checked, ["c", "a"]);
});
