// What each first-layer neuron looks for: its 784 incoming weights as a 28x28 picture, blue where
// ink excites it, orange where ink inhibits it (the playground's colours), each scaled by its own
// largest weight. Up to 64 at a time; the pager asks the server for the next 64.
// Trade-off: one small canvas per unit, redrawn only when a frame carries new pictures (at most
// four times a second), instead of one big canvas: each is a labelled element a test can find.

import { rampColor } from "../colors.js";

const PIXELS = 28 * 28;
const LUT = Array.from({ length: 256 }, (_, q) => rampColor(q / 127.5 - 1));

export class NeuronGrid {
  /**
   * @param {HTMLElement} container #digits-neurons
   * @param {HTMLElement} caption the "units 1-64 of 512" line
   * @param {(first: number) => void} ask request another page of units
   */
  constructor(container, caption, ask) {
    this.container = container;
    this.caption = caption;
    this.ask = ask;
    this.first = 0;
    this.total = 0;
    this.canvases = [];
    this.container.dataset.updates = "0";
  }

  /** A frame's pictures. @param {{first: number, count: number, total: number, pixels: Uint8Array}} n */
  show(n) {
    this.first = n.first;
    this.total = n.total;
    while (this.canvases.length < n.count) this.#add();
    this.canvases.forEach((c, i) => c.classList.toggle("hidden", i >= n.count));
    for (let k = 0; k < n.count; k++) this.#paint(this.canvases[k], n.pixels.subarray(k * PIXELS, (k + 1) * PIXELS), n.first + k);
    const last = n.first + n.count;
    this.caption.textContent = `units ${n.first + 1}–${last} of ${n.total}` + (n.total === 10 && n.count === 10 ? " (no hidden layer: the output's)" : "");
    this.container.dataset.updates = String(Number(this.container.dataset.updates) + 1);
  }

  /** @param {number} direction -1 or +1 */
  page(direction) {
    const first = this.first + direction * 64;
    if (first >= 0 && first < this.total) this.ask(first);
  }

  #add() {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 28;
    canvas.className = "neuron";
    this.container.append(canvas);
    this.canvases.push(canvas);
  }

  #paint(canvas, pixels, unit) {
    const g = canvas.getContext("2d");
    const image = g.createImageData(28, 28);
    for (let i = 0; i < PIXELS; i++) {
      const [r, gr, b] = LUT[pixels[i]];
      image.data.set([r, gr, b, 255], 4 * i);
    }
    g.putImageData(image, 0, 0);
    canvas.title = `unit ${unit + 1}: blue pixels push it up, orange ones down`;
    canvas.dataset.unit = String(unit);
  }
}
