// MapCursor: adding data points to the output map from the keyboard. The map's overlay is a Tab
// stop; while it has the keyboard focus a cross-hair cursor shows on it, the arrow keys move it
// (0.5 a press, 0.1 with Shift) and Enter adds a training point under it, as a click there
// would: label +1 (blue), Shift+Enter −1 (orange), or the class picked under the map. A polite
// live region says where the cursor is and what was added.
// Trade-off: the cursor moves on a fixed grid of data coordinates rather than by pixels, so
// what is announced ("x 1.5, y −2") is what is added, and the numbers stay short to hear.

import { svgEl } from "./dom.js";

const DOMAIN = 6; // the map covers [-6, 6]²
const STEP = 0.5;
const FINE_STEP = 0.1;
const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };

export const MAP_LABEL = "Output map. To add a training point: arrow keys move a cursor, Enter adds a point there "
  + "(blue, +1; Shift+Enter: orange, −1; with more classes, the class picked under the map)";

/** A coordinate as it is announced: one decimal, a true minus sign. Example: fmt(-2) -> "−2" */
export const fmt = (v) => String(Math.round(v * 10) / 10).replace("-", "−");

/**
 * The cursor after an arrow key, kept inside the map and on the 0.1 grid.
 * Example: moved([5.8, 0], "ArrowRight", false) -> [6, 0]
 * @param {[number, number]} at data coordinates @param {string} key @param {boolean} fine Shift
 */
export function moved([x, y], key, fine) {
  const [dx, dy] = MOVES[key];
  const step = fine ? FINE_STEP : STEP;
  const clamp = (v) => Math.max(-DOMAIN, Math.min(DOMAIN, Math.round(v * 10) / 10));
  return [clamp(x + dx * step), clamp(y + dy * step)];
}

export class MapCursor {
  /**
   * @param {object} map the HeatMap: its overlay `svg`, `toX`/`toY` (data -> overlay px)
   * @param {HTMLElement} container where the live region goes
   * @param {(x: number, y: number, ev: {shiftKey: boolean}) => void} add adds a point
   */
  constructor(map, container, add) {
    this.map = map;
    this.at = [0, 0];
    const svg = map.svg;
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("role", "application");
    svg.setAttribute("aria-label", MAP_LABEL);
    this.mark = svgEl("g", { class: "map-cursor", "aria-hidden": "true" });
    this.mark.append(
      svgEl("circle", { r: 7 }),
      svgEl("line", { x1: -12, y1: 0, x2: -4, y2: 0 }), svgEl("line", { x1: 4, y1: 0, x2: 12, y2: 0 }),
      svgEl("line", { x1: 0, y1: -12, x2: 0, y2: -4 }), svgEl("line", { x1: 0, y1: 4, x2: 0, y2: 12 }),
    );
    svg.append(this.mark);
    this.status = Object.assign(document.createElement("div"), { className: "sr-only" });
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    container.append(this.status);
    this.#place();
    svg.addEventListener("focus", () => this.#say(`Cursor at ${this.#where()}.`));
    svg.addEventListener("keydown", (ev) => {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (MOVES[ev.key]) {
        this.at = moved(this.at, ev.key, ev.shiftKey);
        this.#place();
        this.#say(this.#where());
      } else if (ev.key === "Enter") {
        add(this.at[0], this.at[1], { shiftKey: ev.shiftKey });
        this.#say(`Point added at ${this.#where()}.`);
      } else return;
      ev.preventDefault(); // the page's → (one step) must not run too
    });
  }

  /** Move the cursor to a point the pointer chose (a click adds there: carry on from it). */
  moveTo(x, y) {
    this.at = [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    this.#place();
  }

  #where() {
    return `x ${fmt(this.at[0])}, y ${fmt(this.at[1])}`;
  }

  #place() {
    const [x, y] = this.at;
    this.mark.setAttribute("transform", `translate(${this.map.toX(x)},${this.map.toY(y)})`);
  }

  #say(text) {
    this.status.textContent = text;
  }
}
