// HoverCard: the card over a link or a bias square (docs/playground-rules.md §7.4): "Click anywhere to
// edit." / "Weight is 0.23.". A click turns the value into a number input; every keystroke that
// parses sends the new value; Enter shows the value again; Escape or leaving closes it.
// Trade-off (an improvement on the playground): while editing, the card stays put when the pointer
// leaves the link, because reaching for the keyboard often moves the mouse.
// An edit begun from the keyboard gives the focus back to its link on Enter or Escape, so the
// arrow keys go on from there; one begun by a click leaves the focus where it was before.

import { formatWeight } from "./format.js";

export class HoverCard {
  /**
   * @param {HTMLElement} el the #hovercard element (hint, .kind, .value, input)
   * @param {(target: object, value: number) => void} onEdit called with the shown target
   */
  constructor(el, onEdit) {
    this.el = el;
    this.onEdit = onEdit;
    this.kind = el.querySelector(".kind");
    this.value = el.querySelector(".value");
    this.input = el.querySelector("input");
    this.noteEl = el.querySelector(".note");
    this.target = null;
    this.editing = false;
    this.returnTo = null; // the focused link or bias a keyboard edit came from
    this.handingBack = false; // Enter is giving the focus back to returnTo
    this.input.addEventListener("input", () => {
      const v = Number(this.input.value);
      if (this.input.value.trim() === "" || !Number.isFinite(v) || Math.abs(v) > 1e6) return;
      this.value.textContent = formatWeight(v);
      this.onEdit(this.target, v);
    });
    this.input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === "Escape") {
        const back = this.returnTo;
        if (ev.key === "Enter") this.#stopEditing();
        else this.hide(true);
        // After Enter the card stays over the link with the value just typed (a frame may not
        // have brought it back yet): the link's focus handler must not show it again.
        this.handingBack = ev.key === "Enter";
        if (back) back.focus();
        this.handingBack = false;
      }
      ev.stopPropagation();
    });
    this.input.addEventListener("blur", () => {
      if (this.editing) this.hide(true);
    });
  }

  /**
   * Show the card for a target at a position inside the network container.
   * @param {{kind: "weight"|"bias"}} target what the card is about (passed back to onEdit)
   * @param {number} value current value @param {number} x @param {number} y in px
   */
  show(target, value, x, y) {
    if (this.editing || (this.handingBack && target === this.target)) return;
    this.target = target;
    this.kind.textContent = target.kind === "bias" ? "Bias" : "Weight";
    this.value.textContent = formatWeight(value);
    this.el.style.top = `${y}px`;
    this.el.classList.remove("hidden");
    // Right of the point, as the playground has it, unless that runs off the screen (a phone's
    // last layer): then left of it.
    const parent = this.el.offsetParent ? this.el.offsetParent.getBoundingClientRect().left : 0;
    const width = this.el.offsetWidth;
    const right = parent + x + 20 + width > document.documentElement.clientWidth;
    this.el.style.left = `${right ? Math.max(-parent, x - 20 - width) : x + 20}px`;
  }

  /** Keep the shown value current while training (not while the user types). @param {number} v */
  refresh(v) {
    if (this.target && !this.editing) this.value.textContent = formatWeight(v);
  }

  /** A second line (the gradient view's |∂L/∂w|); null hides it. @param {string|null} text */
  note(text) {
    if (!this.noteEl) return;
    if (this.noteEl.textContent !== (text || "")) this.noteEl.textContent = text || "";
    this.noteEl.classList.toggle("hidden", !text);
  }

  /** True while the card is shown. */
  get visible() {
    return !this.el.classList.contains("hidden");
  }

  /**
   * Turn the value into an input (a click anywhere on the network while the card shows, or
   * Enter on a focused link). @param {number} current
   * @param {HTMLElement|SVGElement|null} [returnTo] where Enter or Escape put the focus back
   */
  edit(current, returnTo = null) {
    if (!this.visible || this.editing) return;
    this.editing = true;
    this.returnTo = returnTo;
    this.value.classList.add("hidden");
    this.input.classList.remove("hidden");
    this.input.value = String(Number(current.toPrecision(6)));
    this.input.focus();
    this.input.select();
  }

  #stopEditing() {
    this.editing = false;
    this.returnTo = null;
    this.input.classList.add("hidden");
    this.value.classList.remove("hidden");
  }

  /** Hide the card; a card being edited stays unless `force`. @param {boolean} [force] */
  hide(force = false) {
    if (this.editing && !force) return;
    if (this.editing) this.#stopEditing();
    this.el.classList.add("hidden");
    this.target = null;
  }
}
