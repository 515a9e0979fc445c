// Draw a digit: a 28x28 grid shown large, inked with a mouse, a finger or a pen (pointer events,
// so all three work alike), sent to the server as it grows (at most every SEND_MS, and once more
// when the stroke ends); the server makes it MNIST-like and the frames bring back the ten
// probabilities, which keep changing while the network trains, and the 28x28 image it saw.
// Trade-off: the pad keeps only the grid (pixels.js), not the strokes, so there is no undo; Clear
// starts again.

import { $ } from "../dom.js";
import { SIDE, base64, emptyGrid, gridBytes, stroke } from "./pixels.js";

const SEND_MS = 80;

export class DrawingPad {
  /** @param {(pixels: string) => void} send the base64 grid to the server */
  constructor(send) {
    this.send = send;
    this.canvas = $("digits-draw");
    this.seen = $("digits-seen");
    this.bars = $("digits-bars");
    this.prediction = $("digits-prediction");
    this.grid = emptyGrid();
    this.last = null; // the pen's previous position, in cells, while it is down
    this.sentAt = 0;
    this.timer = null;
    this.classes = [...Array(10).keys()].map(String);
    this.#bars();
    this.canvas.addEventListener("pointerdown", (e) => this.#down(e));
    this.canvas.addEventListener("pointermove", (e) => this.#move(e));
    for (const type of ["pointerup", "pointercancel"]) this.canvas.addEventListener(type, (e) => this.#up(e));
    $("digits-clear").addEventListener("click", () => this.clear());
    this.render();
  }

  /** @param {string[]} names */
  setClasses(names) {
    this.classes = names;
    this.#bars();
  }

  clear() {
    this.grid = emptyGrid();
    this.render();
    this.send(base64(gridBytes(this.grid)));
    this.prediction.textContent = "draw a digit";
    delete this.prediction.dataset.digit;
    for (const row of this.bars.children) row.style.setProperty("--p", "0");
    this.seen.getContext("2d").clearRect(0, 0, SIDE, SIDE);
  }

  #cell(e) {
    const box = this.canvas.getBoundingClientRect();
    return [((e.clientX - box.left) / box.width) * SIDE, ((e.clientY - box.top) / box.height) * SIDE];
  }

  #down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.last = this.#cell(e);
    stroke(this.grid, ...this.last, ...this.last);
    this.#changed();
  }

  #move(e) {
    if (this.last === null) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) {
      const here = this.#cell(ev);
      stroke(this.grid, ...this.last, ...here);
      this.last = here;
    }
    this.#changed();
  }

  #up() {
    if (this.last === null) return;
    this.last = null;
    clearTimeout(this.timer);
    this.#flush();
  }

  #changed() {
    this.render();
    const wait = SEND_MS - (performance.now() - this.sentAt);
    if (wait <= 0) this.#flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.#flush(), wait);
  }

  #flush() {
    this.timer = null;
    this.sentAt = performance.now();
    this.send(base64(gridBytes(this.grid)));
  }

  /** Draw the grid large, one square per cell, with faint cell lines. */
  render() {
    const size = this.canvas.width;
    const cell = size / SIDE;
    const g = this.canvas.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, size, size);
    for (let i = 0; i < SIDE * SIDE; i++) {
      if (!this.grid[i]) continue;
      const v = Math.round(255 * (1 - this.grid[i]));
      g.fillStyle = `rgb(${v},${v},${v})`;
      g.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, Math.ceil(cell), Math.ceil(cell));
    }
    g.strokeStyle = "rgba(0,0,0,0.06)";
    g.beginPath();
    for (let k = 1; k < SIDE; k++) {
      g.moveTo(k * cell, 0);
      g.lineTo(k * cell, size);
      g.moveTo(0, k * cell);
      g.lineTo(size, k * cell);
    }
    g.stroke();
  }

  /** A frame's drawing section. @param {{probabilities: Float32Array, image: Uint8Array}} d */
  show(d) {
    if (!this.grid.some((v) => v > 0)) return; // a frame sent before Clear reached the server
    const p = Array.from(d.probabilities);
    const best = p.indexOf(Math.max(...p));
    [...this.bars.children].forEach((row, k) => {
      row.style.setProperty("--p", p[k].toFixed(4));
      row.querySelector(".value").textContent = `${(100 * p[k]).toFixed(1)}%`;
      row.classList.toggle("best", k === best);
    });
    this.prediction.textContent = `${this.classes[best]} (${Math.round(100 * p[best])}%)`;
    this.prediction.dataset.digit = String(best);
    this.bars.dataset.updates = String(Number(this.bars.dataset.updates || 0) + 1);
    const g = this.seen.getContext("2d");
    const image = g.createImageData(SIDE, SIDE);
    d.image.forEach((v, i) => image.data.set([255 - v, 255 - v, 255 - v, 255], 4 * i));
    g.putImageData(image, 0, 0);
  }

  #bars() {
    this.bars.replaceChildren(
      ...this.classes.map((name, k) => {
        const row = document.createElement("div");
        row.className = "bar";
        row.dataset.class = String(k);
        row.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="value">–</span>';
        row.querySelector(".name").textContent = name;
        return row;
      }),
    );
  }
}
