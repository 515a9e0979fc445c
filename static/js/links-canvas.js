// LinksCanvas: the network's visible links (docs/playground-rules.md §7.4) painted on one canvas, in a
// worker when the browser can (OffscreenCanvas), else on the page's thread. Colour = continuous
// ramp of the weight clamped at ±1, width 1 + 9·min(|w|, 5)/5 px, dash "9 1" flowing with offset
// −epoch/3; in the gradient view the |∂L/∂w| level sets colour and width, with no dash.
// This one module is both sides: imported by network-view.js, and run as the module worker.
// Trade-off: stroking ~400 dashed Béziers in software costs 15–40 ms a frame on two cores, far
// over the page's budget, and no cheaper way to draw them looks the same; a worker moves that off
// the main thread, which then only posts one small Float32Array of link values per frame. The
// worker keeps only the newest frame and paints it on its own animation frame, so a slow paint
// drops frames instead of queueing them, and the page never waits for (or hears from) it.

import { mix, rampColor, toHex } from "./colors.js";

// Link colours cached at a 1/100 resolution of the clamped weight: a frame allocates no strings.
const COLOR_CACHE = Array.from({ length: 201 }, (_, i) => toHex(rampColor(i / 100 - 1)));

/** Link (and bias) colour of a value: the ramp clamped at ±1, to 1/100. @param {number} w */
export const colorOf = (w) => COLOR_CACHE[Math.round((Math.max(-1, Math.min(1, w)) + 1) * 100)];

/** Stroke width of a link: 1 + 9·min(|w|, 5)/5 px (docs/playground-rules.md §7.4). @param {number} w */
export const linkWidth = (w) => 1 + (9 * Math.min(Math.abs(w), 5)) / 5;

// Gradient view: light grey (no gradient) to the page's dark accent (the largest gradient).
const GRADIENT_INK = [0x18, 0x3d, 0x4e];
const GRADIENT_CACHE = Array.from({ length: 101 }, (_, i) => toHex(mix([0xe0, 0xe2, 0xe3], GRADIENT_INK, i / 100)));

/**
 * How a gradient reads in the gradient view: its size relative to the largest gradient of the
 * frame, square-rooted so that small but live gradients still show.
 * Example: gradientLevel(0.25, 1) -> 0.5; gradientLevel(x, 0) -> 0
 * @param {number} g |∂L/∂w| @param {number} max the largest |∂L/∂w| of the frame
 */
export const gradientLevel = (g, max) => (max > 0 && g > 0 ? Math.sqrt(Math.min(1, g / max)) : 0);

/**
 * What paintLinks strokes for a structure: a Path2D per link, and the arrow marker at the start
 * of each source's links with how many links share it.
 * The marker is the playground's arrow marker (§7.4), "M2,11 L7,6 L2,2" with its reference point
 * (1, 6) on the link's start, pointing right (every link leaves its source horizontally).
 * @param {string[]} links SVG path data "Mx0,y0C…" in CSS px, in layout order
 */
export function linkShapes(links) {
  const arrows = new Map();
  for (const d of links) {
    const start = d.slice(1, d.indexOf("C"));
    const arrow = arrows.get(start);
    if (arrow) arrow.count += 1;
    else {
      const [x, y] = start.split(",").map(Number);
      arrows.set(start, { path: new Path2D(`M${x + 1},${y + 5}L${x + 6},${y}L${x + 1},${y - 4}`), count: 1 });
    }
  }
  return { paths: links.map((d) => new Path2D(d)), arrows: [...arrows.values()] };
}

const DASH = [9, 1];
const NO_DASH = [];
const IDLE_STROKE = "#aaa"; // a link before the first frame of its structure

/**
 * Paint every link: clear, then stroke each cached path in layout order (later links on top, as
 * the SVG drew them), then the arrow markers, black, on top. `values` null paints the idle
 * state: grey, 1 px, dashed, offset 0.
 * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx
 * @param {{paths: Path2D[], arrows: {path: Path2D, count: number}[]}} shapes from linkShapes
 * @param {{values: (Float32Array|null), gradient: boolean, epoch: number}} frame values[k] is
 *   link k's weight, or in the gradient view its gradientLevel (0…1)
 * @param {number} ratio devicePixelRatio the canvas is sized for
 */
export function paintLinks(ctx, { paths, arrows }, { values, gradient, epoch }, ratio) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.setLineDash(values && gradient ? NO_DASH : DASH);
  // The pattern repeats every 10 px: the offset modulo 10 keeps the number small.
  ctx.lineDashOffset = values ? -((epoch / 3) % 10) : 0;
  let lastStroke = "";
  let lastWidth = -1;
  for (let k = 0; k < paths.length; k++) {
    let stroke = IDLE_STROKE;
    let width = 1;
    if (values && gradient) {
      stroke = GRADIENT_CACHE[Math.round(values[k] * 100)];
      width = 1 + 9 * values[k];
    } else if (values) {
      stroke = colorOf(values[k]);
      width = linkWidth(values[k]);
    }
    // Canvas state writes are cheap but not free (a colour string is parsed): skip repeats.
    if (stroke !== lastStroke) ctx.strokeStyle = lastStroke = stroke;
    if (width !== lastWidth) ctx.lineWidth = lastWidth = width;
    ctx.stroke(paths[k]);
  }
  // The playground drew one marker per link, each over the one before at the same spot: drawing
  // a source's marker once per link gives its edge the same antialiased weight.
  ctx.setLineDash(NO_DASH);
  ctx.fillStyle = ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.lineJoin = ctx.lineCap = "round";
  for (const { path, count } of arrows) {
    for (let i = 0; i < count; i++) {
      ctx.fill(path);
      ctx.stroke(path);
    }
  }
  ctx.lineJoin = "miter";
  ctx.lineCap = "butt";
}

// ---- the worker side ----

/* global WorkerGlobalScope */
if (typeof WorkerGlobalScope !== "undefined" && globalThis instanceof WorkerGlobalScope) {
  let ctx = null;
  let shapes = linkShapes([]);
  let ratio = 1;
  let newest = null; // the newest frame not yet painted
  const nextFrame = globalThis.requestAnimationFrame || ((paint) => setTimeout(paint, 0));
  const paint = () => {
    if (newest) paintLinks(ctx, shapes, newest, ratio);
    newest = null;
  };
  globalThis.onmessage = ({ data }) => {
    if (data.canvas) ctx = data.canvas.getContext("2d");
    if (data.links) {
      shapes = linkShapes(data.links);
      ratio = data.ratio;
      ctx.canvas.width = data.width;
      ctx.canvas.height = data.height;
      newest = null; // a frame of the old structure
      paintLinks(ctx, shapes, { values: null }, ratio);
    }
    if (data.values) {
      if (!newest) nextFrame(paint);
      newest = data;
    }
  };
}

// ---- the page side ----

/** The links canvas of the network view. */
export class LinksCanvas {
  /** @param {Element} before the canvas is inserted before this element (the network's SVG) */
  constructor(before) {
    this.before = before;
    this.size = { width: 1, height: 1, ratio: 1 };
    this.links = [];
    this.last = null; // the newest frame (repainted on a fallback)
    this.#newCanvas();
    this.worker = null;
    if (typeof Worker !== "undefined" && this.canvas.transferControlToOffscreen) {
      try {
        this.worker = new Worker(new URL("./links-canvas.js", import.meta.url), { type: "module" });
        const offscreen = this.canvas.transferControlToOffscreen();
        this.worker.postMessage({ canvas: offscreen }, [offscreen]);
        this.worker.onerror = (ev) => {
          ev.preventDefault();
          this.#fallBack(`links worker failed (${ev.message || "no message"}); painting on the page`);
        };
      } catch (err) {
        this.#fallBack(`links worker unavailable (${err.message}); painting on the page`);
      }
    }
  }

  #newCanvas() {
    const canvas = document.createElement("canvas");
    canvas.className = "links-canvas";
    canvas.setAttribute("aria-hidden", "true");
    if (this.canvas) this.canvas.replaceWith(canvas);
    else this.before.before(canvas);
    this.canvas = canvas;
    this.#cssSize();
  }

  #cssSize() {
    this.canvas.style.width = `${this.size.width}px`;
    this.canvas.style.height = `${this.size.height}px`;
  }

  // A canvas that was handed to a worker cannot be drawn here: replace it, and paint here.
  #fallBack(reason) {
    console.warn(reason);
    if (this.worker) {
      this.worker.terminate();
      this.worker = null;
      this.#newCanvas();
    }
    this.#setLinks();
    if (this.last) this.draw(this.last);
  }

  /**
   * A new structure: the links' SVG path data, the canvas's CSS size; paints them idle (grey).
   * @param {string[]} links `d` of every link, in layout order @param {number} width @param {number} height
   */
  setLinks(links, width, height) {
    this.links = links;
    this.size = { width, height, ratio: window.devicePixelRatio || 1 };
    this.last = null;
    this.#cssSize();
    this.#setLinks();
  }

  #setLinks() {
    const { width, height, ratio } = this.size;
    const px = (css) => Math.max(1, Math.round(css * ratio));
    if (this.worker) {
      this.worker.postMessage({ links: this.links, ratio, width: px(width), height: px(height) });
      return;
    }
    this.shapes = linkShapes(this.links);
    this.canvas.width = px(width);
    this.canvas.height = px(height);
    this.ctx = this.canvas.getContext("2d");
    paintLinks(this.ctx, this.shapes, { values: null }, ratio);
  }

  /**
   * Paint a frame (in the worker: on its next animation frame, unless a newer one comes first).
   * @param {{values: Float32Array, gradient: boolean, epoch: number}} frame see paintLinks
   */
  draw(frame) {
    this.last = frame;
    // A zoom, or a move to another screen, changes the ratio without a layout change.
    const ratio = window.devicePixelRatio || 1;
    if (ratio !== this.size.ratio) {
      this.size.ratio = ratio;
      this.#setLinks();
    }
    if (this.worker) this.worker.postMessage(frame);
    else paintLinks(this.ctx, this.shapes, frame, ratio);
  }
}
