// Colour scales of TensorFlow Playground (docs/playground-rules.md §7.2). Pure: no DOM.
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

// ---- beyond the playground: classes (docs/protocol.md §8) ----

/**
 * One colour per class of a multi-class dataset: the playground's orange and blue first (so
 * class 0/1 read like −1/+1), then a green and a purple of the same weight.
 */
export const CLASS_COLORS = [[0xf5, 0x93, 0x22], [0x08, 0x77, 0xbd], [0x2e, 0x9e, 0x55], [0x8e, 0x5a, 0xc8]];

/** Class names as the page shows them. Example: className(2) -> "class 2". */
export const className = (k) => `class ${k}`;

/** Linear mix of two [r, g, b] colours, rounded: f = 0 gives a, f = 1 gives b. */
export function mix(a, b, f) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * f));
}

const GREY = RAMP[1];

/** Level 0 (a tie) still shows a hint of the winner; level 63 (certain) its full colour. */
const CLASS_FLOOR = 0.15;

/**
 * The LUT of a class map (frame flag 8): q = 64·class + level, level 0…63 the winner's
 * confidence from a tie (grey with a hint of colour) to certain (the class colour).
 * Example: buildClassLut(3)[4 * 127] is class 1 at full confidence: the playground blue.
 * @param {number} classes K (2…4); q of a class ≥ K is drawn grey
 * @param {boolean} [discretize] every level at full colour (the winner only)
 * @returns {Uint8ClampedArray} 1024 bytes
 */
export function buildClassLut(classes, discretize = false) {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const k = q >> 6;
    const level = q & 63;
    const f = discretize ? 1 : CLASS_FLOOR + ((1 - CLASS_FLOOR) * level) / 63;
    const rgb = k < classes ? mix(GREY, CLASS_COLORS[k], f) : GREY;
    lut.set([...rgb, HEATMAP_ALPHA], q * 4);
  }
  return lut;
}

/**
 * The LUT of a probability map p ∈ [0, 1] quantised as usual (q = round((p + 1)·127.5), so
 * q ∈ [128, 255]): a softmax unit's thumbnail in its class colour, or a sigmoid output
 * (binary cross-entropy) on the orange–blue ramp with p = ½ as grey.
 * @param {number[]|null} color [r, g, b] for grey → colour; null for the orange–blue ramp
 * @param {boolean} [discretize]
 */
export function buildProbabilityLut(color = null, discretize = false) {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const p = Math.max(0, Math.min(1, q / 127.5 - 1));
    let rgb;
    if (color) rgb = mix(GREY, color, discretize ? (p >= 0.5 ? 1 : 0) : p);
    else rgb = SHADES[shadeIndex(discretize ? (p >= 0.5 ? 1 : -1) : 2 * p - 1)];
    lut.set([...rgb, HEATMAP_ALPHA], q * 4);
  }
  return lut;
}

/**
 * The fill of a data point: the ramp colour of its label, or its class colour when the data
 * has K > 2 classes (labels 0…K−1).
 * @param {number} label @param {number} classes state.classes (0 regression, 2 binary, K)
 */
export function pointColor(label, classes) {
  if (classes > 2) return toHex(CLASS_COLORS[Math.round(label)] || GREY);
  return toHex(SHADES[shadeIndex(label)]);
}
