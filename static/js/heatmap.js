// HeatMap: the OUTPUT column's decision map (spec/playground.md §7.2, §7.3). A canvas holding one
// pixel per grid cell, scaled up by CSS (so the browser smooths it, as the playground does), an SVG
// overlay for the axes and the data points. Also `drawGrid`, the LUT pass shared with thumbnails.
// Trade-off: data points are SVG circles (redrawn only when the data changes), not canvas pixels,
// so they stay crisp and cost nothing per frame.

import { pointColor } from "./colors.js";
import { svgEl } from "./dom.js";

const DOMAIN = 6; // the grid covers [-6, 6]² (spec §7.1)

/**
 * Colour uint8 grid values into RGBA pixels through a 256-entry LUT (simpleheat's idea).
 * @param {Uint8ClampedArray} px ImageData.data, 4 bytes per value
 * @param {Uint8Array} values quantised grid values
 * @param {Uint8ClampedArray} lut 1024-byte RGBA table (colors.js buildLut)
 */
export function colorInto(px, values, lut) {
  for (let i = 0, n = values.length; i < n; i++) {
    const q = values[i] * 4;
    const o = i * 4;
    px[o] = lut[q];
    px[o + 1] = lut[q + 1];
    px[o + 2] = lut[q + 2];
    px[o + 3] = lut[q + 3];
  }
}

/**
 * Colour a square canvas from uint8-quantised grid values through a 256-entry RGBA LUT, and count
 * the draw in `canvas.dataset.frames` (the browser tests' signal).
 * @param {HTMLCanvasElement} canvas sized to the grid (100×100 or 10×10 pixels)
 * @param {Uint8Array} values row-major, top row first (y = +6)
 * @param {Uint8ClampedArray} lut from colors.buildLut
 */
export function drawGrid(canvas, values, lut) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(canvas.width, canvas.height);
  colorInto(image.data, values, lut);
  ctx.putImageData(image, 0, 0);
  canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
}

export class HeatMap {
  /**
   * @param {HTMLElement} container receives the map, e.g. #heatmap
   * @param {{cells?: number, size?: number, margin?: number}} [opts] grid cells per side, CSS size
   *   of the map in px, and room for the axes in px (bottom and right)
   */
  constructor(container, { cells = 100, size = 260, margin = 20, onClick = null } = {}) {
    this.size = size;
    this.classes = 2;
    container.classList.add("heatmap-box");
    this.canvas = document.createElement("canvas");
    this.canvas.width = cells;
    this.canvas.height = cells;
    this.canvas.dataset.frames = "0";
    this.canvas.style.width = `${size}px`;
    this.canvas.style.height = `${size}px`;
    this.canvas.setAttribute("aria-label", "Output of the network over the input plane");
    this.canvas.setAttribute("role", "img");
    this.svg = svgEl("svg", { width: size + margin, height: size + margin, class: "heatmap-overlay" });
    this.svg.dataset.draws = "0";
    this.svg.append(this.#axes(margin));
    this.train = svgEl("g", { class: "train-points" });
    this.test = svgEl("g", { class: "test-points" });
    this.svg.append(this.train, this.test);
    container.append(this.canvas, this.svg);
    if (onClick) {
      container.classList.add("clickable");
      this.svg.addEventListener("click", (ev) => {
        const box = this.canvas.getBoundingClientRect();
        const px = ev.clientX - box.left;
        const py = ev.clientY - box.top;
        if (px < 0 || py < 0 || px > box.width || py > box.height) return; // on the axes
        onClick(this.fromX((px * this.size) / box.width), this.fromY((py * this.size) / box.height), ev);
      });
    }
  }

  /** Overlay px -> data x. @param {number} px */
  fromX(px) {
    return (px * 2 * DOMAIN) / this.size - DOMAIN;
  }

  /** Overlay px -> data y. @param {number} py */
  fromY(py) {
    return DOMAIN - (py * 2 * DOMAIN) / this.size;
  }

  #axes(margin) {
    const g = svgEl("g", { class: "axes" });
    const s = this.size;
    g.append(svgEl("line", { x1: 0, y1: s + 0.5, x2: s, y2: s + 0.5, class: "axis-line" }));
    g.append(svgEl("line", { x1: s + 0.5, y1: 0, x2: s + 0.5, y2: s, class: "axis-line" }));
    for (let v = -DOMAIN; v <= DOMAIN; v++) {
      const x = this.toX(v);
      const y = this.toY(v);
      const cls = v === 0 ? "tick zero" : "tick";
      g.append(svgEl("line", { x1: x, y1: s, x2: x, y2: s + 4, class: cls }));
      g.append(svgEl("line", { x1: s, y1: y, x2: s + 4, y2: y, class: cls }));
      const tx = svgEl("text", { x, y: s + margin - 4, "text-anchor": "middle", class: cls });
      tx.textContent = String(v);
      const ty = svgEl("text", { x: s + 6, y: y + 3, class: cls });
      ty.textContent = String(v);
      g.append(tx, ty);
    }
    return g;
  }

  /** Data x -> overlay px. @param {number} x */
  toX(x) {
    return (this.size * (x + DOMAIN)) / (2 * DOMAIN);
  }

  /** Data y -> overlay px (y grows upwards in data, downwards on screen). @param {number} y */
  toY(y) {
    return (this.size * (DOMAIN - y)) / (2 * DOMAIN);
  }

  /**
   * Draw a frame's focus map.
   * @param {Uint8Array} values 100×100 quantised values @param {Uint8ClampedArray} lut
   */
  draw(values, lut) {
    drawGrid(this.canvas, values, lut);
  }

  /**
   * Replace the data points. Points outside [-6, 6]² are not drawn (spec §7.3).
   * @param {number[][]} train [[x, y, label], …] in data coordinates @param {number[][]} test
   * @param {number} [classes] state.classes: K > 2 colours labels 0…K−1 by class
   */
  setPoints(train, test, classes = 2) {
    this.classes = classes;
    this.#fill(this.train, train);
    this.#fill(this.test, test);
    this.svg.dataset.draws = String(Number(this.svg.dataset.draws) + 1);
    this.svg.dataset.trainPoints = String(train.length);
    this.svg.dataset.testPoints = String(test.length);
  }

  /** Show or hide the test points. @param {boolean} show */
  showTest(show) {
    this.test.classList.toggle("hidden", !show);
  }

  #fill(group, points) {
    const circles = [];
    for (const [x, y, label] of points) {
      if (!(Math.abs(x) <= DOMAIN && Math.abs(y) <= DOMAIN)) continue;
      const fill = pointColor(label, this.classes);
      circles.push(svgEl("circle", { cx: this.toX(x).toFixed(1), cy: this.toY(y).toFixed(1), r: 3, fill }));
    }
    group.replaceChildren(...circles);
  }
}
