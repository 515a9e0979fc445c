// The websocket protocol, version 1 (docs/protocol.md): message builders and the binary frame
// decoder. Pure: no DOM, no socket; node --test imports it as is.
// Trade-off: the decoder reads floats through a DataView (little-endian by contract) rather than
// aliasing Float32Array views, so it is correct on any host; the maps stay zero-copy Uint8Array views.

/** Protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** Binary frame kind for a visual frame. */
export const FRAME_KIND = 1;

/** Frame flag bits (§6, §8): 8 = the focus map is a class map, 16 = gradient view sections. */
export const FLAGS = { playing: 1, diverged: 2, inputThumbnails: 4, classMap: 8, gradientView: 16 };

/** Size of a full map (100×100) and of a node thumbnail (10×10), in cells. */
export const MAP_CELLS = 100 * 100;
export const THUMB_CELLS = 10 * 10;

/** Number of input features, all sent (in canonical order) with flag 4. */
export const NUM_FEATURES = 7;

/** Focus layer value meaning "the output" in a frame. */
const FOCUS_OUTPUT = 0xffff;

// ---- client -> server messages (§2) ----

/**
 * The first message: (re)build the session from defaults + settings, resuming a checkpoint.
 * @param {object} settings partial protocol settings (snake_case keys, §3)
 * @param {object|null} [checkpoint] the opaque object of the newest `checkpoint` message
 * @param {string|null} [run] a run marker "<draws>.<generation>" @param {string|null} [runEvents]
 *   that run's events, replayed at their epochs (also after a checkpoint of the run resumes)
 */
export function hello(settings, checkpoint = null, run = null, runEvents = null) {
  const msg = { type: "hello", protocol: PROTOCOL_VERSION, settings };
  if (checkpoint) msg.checkpoint = checkpoint;
  if (run) msg.run = run; // "Link to this run": replay that reset (docs/protocol.md §2)
  if (run && runEvents) msg.run_events = runEvents; // and what the user did during it
  return msg;
}

/** Apply a partial settings change with the playground's rules (§4). @param {object} settings */
export const set = (settings) => ({ type: "set", settings });
/** Start training. */
export const play = () => ({ type: "play" });
/** Stop training. */
export const pause = () => ({ type: "pause" });
/** Pause, then train exactly `epochs` epochs (1…1000). @param {number} [epochs] */
export const step = (epochs = 1) => ({ type: "step", epochs });
/** Pause, epoch 0, new initial weights; data kept. */
export const reset = () => ({ type: "reset" });
/** New seed, new data; the network, epoch and chart continue. */
export const regenerate = () => ({ type: "regenerate" });

/**
 * Set one weight W[layer][src, dst]. `layer` 0 connects the inputs to the first hidden layer.
 * @param {number} layer weight-matrix index @param {number} src @param {number} dst
 * @param {number} value finite, |value| ≤ 1e6
 */
export const setWeight = (layer, src, dst, value) => ({ type: "set_weight", layer, src, dst, value });

/**
 * Set one bias b[layer][node] (the output's too).
 * @param {number} layer @param {number} node @param {number} value
 */
export const setBias = (layer, node, value) => ({ type: "set_bias", layer, node, value });

/**
 * Which node's full map the frames carry.
 * @param {number|null} layer 0 = input feature (canonical index), 1…L−2 hidden, null = output
 * @param {number} [unit]
 */
export const focus = (layer, unit = 0) => ({ type: "focus", layer, unit });

/** Grant frames: at least 1, at most the server's cap (the registries' `max_credit`). @param {number} frames */
export const credit = (frames) => ({ type: "credit", frames: Math.max(1, frames | 0) });

/** Latency probe: the server answers `pong` with the same id. @param {*} [id] */
export const ping = (id) => ({ type: "ping", id });

// ---- beyond the playground (§8) ----

/** Ask for the train and test confusion matrices (answer: a `confusion` message). */
export const confusion = () => ({ type: "confusion" });

/**
 * Add one training point (kept across regenerate and reset until cleared).
 * @param {number} x @param {number} y in [−6, 6]
 * @param {number} label ±1 (binary), a class index (multi-class) or a number in [−2, 2] (regression)
 */
export const addPoint = (x, y, label) => ({ type: "add_point", x, y, label });

/** Remove added points and uploaded data: back to the generated dataset. */
export const clearPoints = () => ({ type: "clear_points" });

/** Replace the data with CSV rows `x,y,label` (answer: an `upload_report`). @param {string} content */
export const uploadCsv = (content) => ({ type: "upload_csv", content });

/**
 * Ask for a download (answer: an `export` message with filename, media_type and content).
 * @param {"keras"|"keras_replay"|"pytorch"|"json"|"csv"} format "keras" is the readable script, "keras_replay" and "pytorch" the exact replays
 */
export const exportAs = (format) => ({ type: "export", format });

/** Rebuild the session from a `json` export's settings and weights. @param {string} content */
export const importJson = (content) => ({ type: "import_json", content });

// ---- server -> client binary frame (§6) ----

const pad8 = (n) => (n + 7) & ~7;

/**
 * Decode one binary frame.
 * @param {ArrayBuffer} buffer the whole websocket message
 * @returns {{version:number, flags:number, playing:boolean, diverged:boolean, seq:number,
 *   epoch:number, lossTrain:number, lossTest:number, layerSizes:number[],
 *   focusLayer:(number|null), focusUnit:number, metrics:number[], focusMap:Uint8Array,
 *   thumbnails:Uint8Array[][], inputThumbnails:(Uint8Array[]|null),
 *   weights:Float32Array[], biases:Float32Array[], dead:Uint8Array[], classMap:boolean,
 *   gradients:(Float32Array[]|null), deadNodes:(Uint8Array[]|null)}}
 *   thumbnails[l-1][u] is the 10×10 map of node u of layer l (l = 1…L−1, the output last);
 *   weights[k] is W[k] row-major [src][dst] (fan_in × fan_out); dead[k] has the same order.
 *   With flag 8 the focus map holds q = 64·class + level (§8). With flag 16, gradients[k] is
 *   |∂L/∂W[k]| in the weights' order and deadNodes[h] flags the dead ReLUs of hidden layer h+1.
 * @throws {Error} on a wrong version or kind, or a buffer of the wrong size
 */
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 40) throw new Error(`frame too short: ${buffer.byteLength} bytes`);
  const version = view.getUint8(0);
  const kind = view.getUint8(1);
  if (version !== PROTOCOL_VERSION) throw new Error(`unsupported frame version ${version}`);
  if (kind !== FRAME_KIND) throw new Error(`unknown frame kind ${kind}`);
  const flags = view.getUint16(2, true);
  const L = view.getUint16(32, true);
  const focusLayer = view.getUint16(34, true);
  const M = view.getUint16(38, true);
  const layerSizes = [];
  for (let l = 0; l < L; l++) layerSizes.push(view.getUint16(40 + 2 * l, true));
  let offset = pad8(40 + 2 * L);
  const metrics = [];
  for (let m = 0; m < M; m++, offset += 8) metrics.push(view.getFloat64(offset, true));

  const need = (bytes) => {
    if (offset + bytes > buffer.byteLength) {
      throw new Error(`frame truncated: need ${offset + bytes} bytes, have ${buffer.byteLength}`);
    }
  };
  const bytes = (n) => {
    need(n);
    const out = new Uint8Array(buffer, offset, n);
    offset += n;
    return out;
  };
  const focusMap = bytes(MAP_CELLS);
  const thumbnails = layerSizes.slice(1).map((size) => Array.from({ length: size }, () => bytes(THUMB_CELLS)));
  const inputThumbnails = flags & FLAGS.inputThumbnails
    ? Array.from({ length: NUM_FEATURES }, () => bytes(THUMB_CELLS))
    : null;
  offset = pad8(offset);

  const floats = (n) => {
    need(4 * n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++, offset += 4) out[i] = view.getFloat32(offset, true);
    return out;
  };
  const weights = [];
  const biases = [];
  for (let l = 1; l < L; l++) {
    weights.push(floats(layerSizes[l - 1] * layerSizes[l]));
    biases.push(floats(layerSizes[l]));
  }
  const gradientView = Boolean(flags & FLAGS.gradientView);
  const gradients = gradientView ? [] : null;
  if (gradientView) for (let l = 1; l < L; l++) gradients.push(floats(layerSizes[l - 1] * layerSizes[l]));
  const dead = [];
  for (let l = 1; l < L; l++) dead.push(bytes(layerSizes[l - 1] * layerSizes[l]));
  const deadNodes = gradientView ? layerSizes.slice(1, -1).map((size) => bytes(size)) : null;
  if (buffer.byteLength - offset >= 8) { // at most zero padding to a multiple of 8
    throw new Error(`frame has ${buffer.byteLength - offset} unexpected trailing bytes`);
  }
  return {
    version,
    flags,
    playing: Boolean(flags & FLAGS.playing),
    diverged: Boolean(flags & FLAGS.diverged),
    seq: view.getUint32(4, true),
    epoch: view.getFloat64(8, true),
    lossTrain: view.getFloat64(16, true),
    lossTest: view.getFloat64(24, true),
    layerSizes,
    focusLayer: focusLayer === FOCUS_OUTPUT ? null : focusLayer,
    focusUnit: view.getUint16(36, true),
    metrics,
    focusMap,
    thumbnails,
    inputThumbnails,
    weights,
    biases,
    dead,
    classMap: Boolean(flags & FLAGS.classMap),
    gradients,
    deadNodes,
  };
}
