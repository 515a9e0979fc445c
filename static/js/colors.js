// Colour scales of TensorFlow Playground (spec/playground.md §7.2). Pure: no DOM.
// Orange is negative, blue positive, light grey zero — everywhere in the app.

/** The three stops of the playground's diverging ramp, at -1, 0 and +1. */
export const RAMP = [[0xf5, 0x93, 0x22], [0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd]];

/** Number of shades of the quantised scale used for heatmaps and data points. */
export const NUM_SHADES = 31;

/** Alpha of heatmap pixels (160/255). */
export const HEATMAP_ALPHA = 160;

/**
 * The continuous ramp at value v (clamped to [-1, 1]): d3 v3 RGB interpolation, rounded.
 * @param {number} v
 * @returns {number[]} [r, g, b] 0..255
 */
export function rampColor(v) {
  const t = Math.max(-1, Math.min(1, v));
  const [a, b, f] = t < 0 ? [RAMP[0], RAMP[1], t + 1] : [RAMP[1], RAMP[2], t];
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * f));
}

/**
 * Index of the quantised shade for value v: clamp(floor(31 (v + 1) / 2), 0, 30).
 * @param {number} v
 */
export function shadeIndex(v) {
  return Math.max(0, Math.min(NUM_SHADES - 1, Math.floor((NUM_SHADES * (v + 1)) / 2)));
}

/** The 31 quantised shades as [r, g, b]: shade k is the ramp at k/30 of the way from -1 to 1. */
export const SHADES = Array.from({ length: NUM_SHADES }, (_, k) => rampColor((2 * k) / (NUM_SHADES - 1) - 1));

/**
 * A 256-entry RGBA lookup table for uint8-quantised grid values q (v = q / 127.5 - 1).
 * @param {boolean} discretize map every value to +1 or -1 first (v >= 0 ? 1 : -1)
 * @returns {Uint8ClampedArray} 1024 bytes
 */
export function buildLut(discretize = false) {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    let v = q / 127.5 - 1;
    if (discretize) v = v >= 0 ? 1 : -1;
    const [r, g, b] = SHADES[shadeIndex(v)];
    lut.set([r, g, b, HEATMAP_ALPHA], q * 4);
  }
  return lut;
}

/** "#rrggbb" for an [r, g, b] triple. */
export function toHex([r, g, b]) {
  return "#" + [r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("");
}
