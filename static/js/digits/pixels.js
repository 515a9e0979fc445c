// The drawing pad's 28x28 grid: strokes painted into it with a soft round brush, and the grid as
// the bytes the server reads (app/digits/drawing.py makes them MNIST-like). Pure: no DOM
// (tests/js/digits.test.mjs).
// Trade-off: the page draws on the 28x28 grid itself, shown large, rather than on a fine canvas
// downsampled later: what the person sees is what is sent, cell for cell.

export const SIDE = 28;
const CORE = 1.0; // cells from the pen's centre that are fully inked
const EDGE = 2.0; // beyond this, no ink: a soft rim between, as MNIST's anti-aliased strokes

/** An empty grid: SIDE x SIDE ink values in [0, 1], row by row. */
export const emptyGrid = () => new Float32Array(SIDE * SIDE);

/**
 * Ink one dab of the pen at (x, y), in cells (0..28 across the pad); ink only darkens.
 * @param {Float32Array} grid @param {number} x @param {number} y
 */
export function dab(grid, x, y) {
  const r0 = Math.max(0, Math.floor(y - EDGE)), r1 = Math.min(SIDE - 1, Math.ceil(y + EDGE));
  const c0 = Math.max(0, Math.floor(x - EDGE)), c1 = Math.min(SIDE - 1, Math.ceil(x + EDGE));
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const d = Math.hypot(c + 0.5 - x, r + 0.5 - y);
      const ink = Math.max(0, Math.min(1, (EDGE - d) / (EDGE - CORE)));
      const i = r * SIDE + c;
      if (ink > grid[i]) grid[i] = ink;
    }
  }
}

/**
 * A stroke from (x0, y0) to (x1, y1): dabs a quarter of a cell apart, so a fast pen leaves no gaps.
 * @param {Float32Array} grid
 */
export function stroke(grid, x0, y0, x1, y1) {
  const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 4));
  for (let k = 0; k <= steps; k++) dab(grid, x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps);
}

/** The grid as 784 bytes, 0 = paper, 255 = ink. @param {Float32Array} grid */
export function gridBytes(grid) {
  return Uint8Array.from(grid, (v) => Math.round(255 * v));
}

/** Base64 of bytes (what the `draw` message carries). @param {Uint8Array} bytes */
export function base64(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}
