// The digits page's settings in the URL hash, both ways, so a link opens the same model (and a
// lesson step is a link). Pure: no DOM (tests/js/digits.test.mjs).
// Example: #layers=512:relu&lr=0.1&epochs=20&seed=7 -> { layers: [{units: 512, activation: "relu"}],
// learning_rate: 0.1, epochs: 20, seed: 7 }. Keys missing from the hash are the defaults; a value
// that cannot be read is dropped (the server refuses what is out of range, with a message).
// Trade-off: short keys of our own, not the settings' names, so links stay readable; the one table
// KEYS maps each to its setting and kind, and the optimizer's keywords use the registry's hash names.

const KEYS = {
  data: ["data", "string"],
  train: ["train_images", "int"],
  layers: ["layers", "layers"],
  init: ["initializer", "string"],
  optimizer: ["optimizer", "string"],
  lr: ["learning_rate", "number"],
  batch: ["batch_size", "int"],
  epochs: ["epochs", "int"],
  val: ["validation_split", "number"],
  shuffle: ["shuffle", "bool"],
  precision: ["precision", "string"],
  seed: ["seed", "int"],
};

/** "512:relu,10:sigmoid" -> layers; "" -> no hidden layer; null when unreadable. A layer
 * without an activation ("64") gets the server's default. */
export function parseLayers(text) {
  if (text === "") return [];
  const layers = text.split(",").map((part) => {
    const [units, activation] = part.split(":");
    return activation ? { units: Number(units), activation } : { units: Number(units) };
  });
  return layers.every((l) => Number.isInteger(l.units) && l.units > 0) ? layers : null;
}

/** @param {{units: number, activation: string}[]} layers */
export const layersText = (layers) => layers.map((l) => `${l.units}:${l.activation}`).join(",");

function read(kind, raw) {
  if (kind === "string") return raw || null;
  if (kind === "layers") return parseLayers(raw);
  if (kind === "bool") return raw === "true" ? true : raw === "false" ? false : null;
  const value = Number(raw);
  if (raw === "" || !Number.isFinite(value)) return null;
  return kind === "int" && !Number.isInteger(value) ? null : value;
}

/**
 * Settings (partial) and the lesson named by a hash.
 * @param {string} hash location.hash, with or without "#"
 * @param {{key: string, hash: string, type: string}[]} hyperparameters the registry's
 * @returns {{settings: object, lesson: string|null, step: number}}
 */
export function fromHash(hash, hyperparameters) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const settings = {};
  for (const [key, [name, kind]] of Object.entries(KEYS)) {
    if (!params.has(key)) continue;
    const value = read(kind, params.get(key));
    if (value !== null) settings[name] = value;
  }
  const options = {};
  for (const h of hyperparameters) {
    if (!params.has(h.hash)) continue;
    const value = read(h.type === "bool" ? "bool" : "number", params.get(h.hash));
    if (value !== null) options[h.key] = value;
  }
  if (Object.keys(options).length) settings.optimizer_options = options;
  const step = Number(params.get("step"));
  return { settings, lesson: params.get("lesson"), step: Number.isInteger(step) && step > 0 ? step : 1 };
}

function written(kind, value) {
  return kind === "layers" ? layersText(value) : String(value);
}

/**
 * The hash for settings: every value that differs from the defaults, and the seed.
 * @param {object} settings complete DigitsSettings (the server's `state.settings`)
 * @param {object} defaults the page's defaults
 * @param {{key: string, hash: string}[]} hyperparameters
 * @param {{lesson?: string|null, step?: number}} [lesson]
 */
export function toHash(settings, defaults, hyperparameters, lesson = {}) {
  const params = new URLSearchParams();
  if (lesson.lesson) {
    params.set("lesson", lesson.lesson);
    params.set("step", String(lesson.step || 1));
  }
  for (const [key, [name, kind]] of Object.entries(KEYS)) {
    const value = settings[name];
    if (value === undefined || value === null) continue;
    const same = written(kind, value) === written(kind, defaults[name] ?? "");
    if (!same || key === "seed") params.set(key, written(kind, value));
  }
  const options = settings.optimizer_options || {};
  for (const h of hyperparameters) {
    if (h.key in options) params.set(h.hash, String(options[h.key]));
  }
  return params.toString();
}
