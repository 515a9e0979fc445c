// The digits websocket's messages (docs/protocol.md §10): builders for what the page sends, and the
// decoder of the binary frame, mirroring app/digits/frames.py byte for byte. Pure: no DOM, so
// node --test covers it (tests/js/digits.test.mjs).
// Trade-off: a frame's optional sections (weight pictures, the drawing) are announced by flags and
// follow in a fixed order, each padded to 8 bytes; a decoder only needs their lengths.

export const PROTOCOL_VERSION = 1;
export const KIND_DIGITS = 2;
export const FLAGS = { playing: 1, neurons: 2, drawing: 4, evaluating: 8, running: 16, estimate: 32 };
const HEADER_BYTES = 64;
const PIXELS = 28 * 28;
const pad8 = (n) => Math.ceil(n / 8) * 8;

/** @param {object} settings a partial DigitsSettings */
export const hello = (settings) => ({ type: "hello", protocol: PROTOCOL_VERSION, settings });
/** @param {object} settings the keys that changed */
export const set = (settings) => ({ type: "set", settings });
/** @param {"play"|"pause"|"step"|"reset"} type */
export const command = (type) => ({ type });
/** @param {number} frames */
export const credit = (frames) => ({ type: "credit", frames });
/** @param {string} pixels base64 of the 28x28 grid */
export const draw = (pixels) => ({ type: "draw", pixels });
/** @param {number} first the first unit of the page of weight pictures */
export const neurons = (first) => ({ type: "neurons", first });
/** @param {number|null} label @param {number|null} answer a cell of the confusion matrix */
export const examples = (label, answer) => ({ type: "examples", label, answer });
export const exportScript = () => ({ type: "export", format: "keras" });

/**
 * Decode a digits frame.
 * @param {ArrayBuffer} buffer
 * @returns {{seq: number, epoch: number, progress: number, playing: boolean, evaluating: boolean,
 *   running: number[]|null, estimate: number[]|null, points: Float32Array,
 *   neurons: {first: number, total: number, count: number, pixels: Uint8Array}|null,
 *   drawing: {probabilities: Float32Array, image: Uint8Array}|null}}
 */
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  if (view.getUint8(0) !== PROTOCOL_VERSION || view.getUint8(1) !== KIND_DIGITS) {
    throw new Error("not a digits frame");
  }
  const flags = view.getUint16(2, true);
  const f64 = (offset) => view.getFloat64(offset, true);
  const n = view.getUint32(56, true);
  const frame = {
    seq: view.getUint32(4, true),
    epoch: f64(8),
    progress: f64(16),
    playing: Boolean(flags & FLAGS.playing),
    evaluating: Boolean(flags & FLAGS.evaluating),
    running: flags & FLAGS.running ? [f64(24), f64(32)] : null,
    estimate: flags & FLAGS.estimate ? [f64(40), f64(48)] : null,
    points: new Float32Array(buffer.slice(HEADER_BYTES, HEADER_BYTES + 12 * n)),
    neurons: null,
    drawing: null,
  };
  let offset = HEADER_BYTES + pad8(12 * n);
  if (flags & FLAGS.neurons) {
    const first = view.getUint16(offset, true);
    const count = view.getUint16(offset + 2, true);
    const total = view.getUint16(offset + 4, true);
    const pixels = new Uint8Array(buffer, offset + 8, count * PIXELS);
    frame.neurons = { first, count, total, pixels };
    offset += 8 + pad8(count * PIXELS);
  }
  if (flags & FLAGS.drawing) {
    const probabilities = new Float32Array(buffer.slice(offset, offset + 40));
    const image = new Uint8Array(buffer, offset + 40, PIXELS);
    frame.drawing = { probabilities, image };
  }
  return frame;
}
