// ClassLegend: under the output map, either the −1…1 colour ramp (binary and regression) or, for a
// multi-class dataset, one swatch per class that also picks which class a click on the map adds.
// With two labels a touch screen, which has no shift-click, picks the label a tap adds (+1 or −1).
// Trade-off: the picker is rebuilt whenever K changes (rare), never per frame.

import { CLASS_COLORS, className, toHex } from "./colors.js";
import { $ } from "./dom.js";
import { MULTICLASS } from "./keras.js";
import { RovingFocus } from "./roving-focus.js";

/** K of a `state` message: its `classes`, or (from an older server) what the dataset implies. */
export function classesOf(state) {
  if (Number.isInteger(state.classes)) return state.classes;
  const s = state.settings;
  if (s.problem === "regression") return 0;
  return MULTICLASS[s.dataset] || 2;
}

export class ClassLegend {
  constructor() {
    this.picked = 0; // the class a click on the map adds (multi-class)
    // The classes are one radio group: one Tab stop, the arrow keys pick the next.
    this.roving = new RovingFocus($("class-legend").querySelector(".class-picker"), (el) => el.dataset.class, (el) => el.click());
    this.tapLabel = 1; // the label a tap adds with two classes or regression (a touch screen's shift-click)
    const tapPicker = $("touch-labels").querySelector(".class-picker");
    const tapChoices = [...tapPicker.children];
    const tapRoving = new RovingFocus(tapPicker, (el) => el.dataset.label, (el) => el.click());
    tapRoving.setItems(tapChoices);
    for (const button of tapChoices) {
      button.addEventListener("click", () => {
        this.tapLabel = Number(button.dataset.label);
        for (const b of tapChoices) b.setAttribute("aria-checked", String(b === button));
        tapRoving.activate(button);
      });
    }
  }

  /** Show the legend and the map's click hint for K classes (0: regression). @param {number} K */
  show(K) {
    const multi = K > 2;
    $("ramp-legend").classList.toggle("hidden", multi);
    $("class-legend").classList.toggle("hidden", !multi);
    $("touch-labels").classList.toggle("hidden", multi);
    $("heatmap").title = multi
      ? "Click to add a training point of the class picked under the map."
      : K === 0
        ? "Click to add a training point with label +1 (blue); shift-click: −1 (orange)."
        : "Click to add a blue (+1) training point; shift-click adds an orange (−1) one.";
    if (this.picked >= K) this.picked = 0;
    const picker = $("class-legend").querySelector(".class-picker");
    if (!multi) {
      picker.replaceChildren();
      return;
    }
    const choices = CLASS_COLORS.slice(0, K).map((color, k) => this.#choice(picker, color, k));
    picker.replaceChildren(...choices);
    this.roving.setItems(choices);
    this.roving.activate(choices[this.picked]);
  }

  #choice(picker, color, k) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "class-choice";
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", String(k === this.picked));
    button.dataset.class = String(k);
    button.title = `Clicks on the map add ${className(k)} points`;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = toHex(color);
    button.append(swatch, className(k));
    button.addEventListener("click", () => {
      this.picked = k;
      for (const b of picker.children) b.setAttribute("aria-checked", String(b === button));
      this.roving.activate(button);
    });
    return button;
  }
}
