// RovingFocus: many focusable items that count as ONE Tab stop (the WAI-ARIA "roving tabindex"
// of a composite widget). The active item has tabindex 0, every other one −1, so Tab enters the
// group once and the next Tab leaves it; inside, the arrow keys move through the items in list
// order (Right/Down next, Left/Up previous, no wrapping), Home and End go to the ends.
// Why: the network's ~400 links and biases used to be one Tab stop each, in front of the
// features, so a keyboard user pressed Tab hundreds of times to reach anything else. Used for
// the links and biases, each hidden layer's neurons, and the radio groups (datasets, classes),
// where an arrow key also checks the item it moves to (`moved`).
// Trade-off: the group remembers its active item by a key (the aria-label unless told) across a
// rebuild, so Tab comes back to the same link after a neuron is added; a removed item falls back
// to the first.

const MOVES = {
  ArrowRight: (i) => i + 1,
  ArrowDown: (i) => i + 1,
  ArrowLeft: (i) => i - 1,
  ArrowUp: (i) => i - 1,
  Home: () => 0,
  End: (_, n) => n - 1,
};

export class RovingFocus {
  /**
   * @param {Element} group the element holding the items (it gets the keydown listener)
   * @param {(el: Element) => string|null} keyOf what identifies an item across a rebuild
   * @param {(el: Element) => void} [moved] called after an arrow key (or Home/End) moved the
   *   focus to an item: a radio group checks it there
   */
  constructor(group, keyOf = (el) => el.getAttribute("aria-label"), moved = null) {
    this.group = group;
    this.keyOf = keyOf;
    this.moved = moved;
    this.items = [];
    this.active = null;
    group.addEventListener("keydown", (ev) => this.#key(ev));
  }

  /**
   * Take a new list of items, in arrow-key order (after a rebuild). The item with the key of the
   * previously active one keeps the Tab stop, else the first.
   * @param {Element[]} items
   */
  setItems(items) {
    const key = this.active ? this.keyOf(this.active) : null;
    this.items = items;
    for (const el of items) {
      el.setAttribute("tabindex", "-1");
      // A focused item becomes the Tab stop, however it got the focus (arrows, a click, a
      // refocus). On each item, not a focusin on the group: Chromium makes an SVG element with a
      // focus listener a Tab stop of its own.
      el.addEventListener("focus", () => this.#activate(el));
    }
    this.active = null;
    const again = key === null ? null : items.find((el) => this.keyOf(el) === key);
    if (again || items[0]) this.#activate(again || items[0]);
  }

  /** Make `el` the group's Tab stop (a radio group's checked item) without focusing it. */
  activate(el) {
    this.#activate(el);
  }

  #activate(el) {
    if (this.active === el) return;
    if (this.active) this.active.setAttribute("tabindex", "-1");
    el.setAttribute("tabindex", "0");
    this.active = el;
  }

  #key(ev) {
    const move = MOVES[ev.key];
    const i = this.items.indexOf(ev.target);
    if (!move || i < 0 || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    // Handled here, so the page's own → shortcut (one step) does not also fire.
    ev.preventDefault();
    const next = this.items[Math.max(0, Math.min(this.items.length - 1, move(i, this.items.length)))];
    if (next === ev.target) return;
    next.focus();
    if (this.moved) this.moved(next);
  }
}
