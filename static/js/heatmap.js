// HeatMap: the OUTPUT column's decision map (docs/playground-rules.md §7.2, §7.3). A canvas holding one
// pixel per grid cell, scaled up by CSS (so the browser smooths it, as the playground does), an SVG
// overlay for the axes and the data points. Also `GridPainter`, the LUT pass shared with thumbnails.
// Points can be added by a click (or tap) on the map, or from the keyboard (map-cursor.js).
// Trade-off: data points are SVG circles (redrawn only when the data changes), not canvas pixels,
// so they stay crisp and cost nothing per frame.

import { pointColor } from "./colors.js";
import { svgEl } from "./dom.js";
import { MapCursor } from "./map-cursor.js";

const DOMAIN = 6; // the grid covers [-6, 6]² (docs/playground-rules.md §7.1)

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
 * What a canvas last showed, so that a frame repeating it costs nothing: a training run that has
 * settled, a paused one being redrawn, most thumbnails of a big network from one frame to the
 * next. Compares the bytes (100 to 10,000 of them, microseconds) before any canvas work.
 */
export class GridPainter {
  /** @param {HTMLCanvasElement} canvas sized to the grid (100×100 or 10×10 pixels) */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.image = this.ctx.createImageData(canvas.width, canvas.height);
    this.values = new Uint8Array(canvas.width * canvas.height);
    this.lut = null;
  }

  /**
   * Colour the canvas from uint8-quantised grid values through a 256-entry RGBA LUT, in one
   * putImageData, unless it shows exactly that already. Returns whether it painted.
   * @param {Uint8Array} values row-major, top row first (y = +6)
   * @param {Uint8ClampedArray} lut from colors.buildLut
   */
  paint(values, lut) {
    if (lut === this.lut && sameBytes(values, this.values)) return false;
    this.lut = lut;
    this.values.set(values);
    colorInto(this.image.data, values, lut);
    this.ctx.putImageData(this.image, 0, 0);
    return true;
  }
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    this.frames = 0; // frames shown, painted or repeating the last (`data-frames`)
    this.canvas.dataset.frames = "0";
    this.painter = new GridPainter(this.canvas);
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
        const x = this.fromX((px * this.size) / box.width);
        const y = this.fromY((py * this.size) / box.height);
        this.cursor.moveTo(x, y);
        onClick(x, y, ev);
      });
      this.cursor = new MapCursor(this, container, onClick); // the same, from the keyboard
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
   * Draw a frame's focus map; returns whether the pixels changed.
   * @param {Uint8Array} values 100×100 quantised values @param {Uint8ClampedArray} lut
   */
  draw(values, lut) {
    const painted = this.painter.paint(values, lut);
    this.canvas.dataset.frames = String(++this.frames); // the browser tests' signal
    return painted;
  }

  /**
   * Replace the data points. Points outside [-6, 6]² are not drawn (§7.3).
   * @param {number[][]} train [[x, y, label], …] in data coordinates @param {number[][]} test
   * @param {number} [classes] state.classes: K > 2 colours labels 0…K−1 by class
   * @param {number} [own] how many points are the user's: the last `own` training points (added
   *   by clicking) or, after an upload, all of them; drawn as squares so they stand out
   */
  setPoints(train, test, classes = 2, own = 0) {
    this.classes = classes;
    this.#fill(this.train, train, Math.max(0, train.length - own));
    this.#fill(this.test, test, own >= train.length + test.length ? 0 : test.length);
    this.svg.dataset.draws = String(Number(this.svg.dataset.draws) + 1);
    this.svg.dataset.trainPoints = String(train.length);
    this.svg.dataset.testPoints = String(test.length);
  }

  /** Show or hide the test points. @param {boolean} show */
  showTest(show) {
    this.test.classList.toggle("hidden", !show);
  }

  // Points from `firstOwn` on are the user's: a square instead of a dot.
  #fill(group, points, firstOwn) {
    const marks = [];
    points.forEach(([x, y, label], i) => {
      if (!(Math.abs(x) <= DOMAIN && Math.abs(y) <= DOMAIN)) return;
      const fill = pointColor(label, this.classes);
      const cx = this.toX(x), cy = this.toY(y);
      marks.push(i < firstOwn
        ? svgEl("circle", { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 3, fill })
        : svgEl("rect", { x: (cx - 3.5).toFixed(1), y: (cy - 3.5).toFixed(1), width: 7, height: 7, fill, class: "own" }));
    });
    group.replaceChildren(...marks);
  }
}
