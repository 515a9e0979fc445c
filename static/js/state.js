// The URL hash: parse and serialise with ONE declarative table (the playground's state.ts idea,
// docs/playground-rules.md §8), and map the hash state to and from protocol settings (docs/protocol.md §3).
// Pure: no DOM. The caller reads and writes `location.hash`.
// Trade-off: values are kept exactly as the playground parses them (a URL number "abc" is NaN);
// sanitising happens only when settings are built for the server, so a shared link round-trips.

import { HYPERPARAMETERS, INITIALIZERS, LOSSES, MULTICLASS, OPTIMIZERS, cleanOptions, optimizerParams } from "./keras.js";
import { REGISTRIES } from "./registries.js";

/** Canonical feature order (docs/playground-rules.md §3): the order of the input nodes and of the input vector. */
export const FEATURES = Object.keys(REGISTRIES.features);

/** The label shown on each input node (§3). */
export const FEATURE_LABELS = Object.fromEntries(FEATURES.map((key) => [key, REGISTRIES.features[key].label]));

/**
 * The 15 `_hide` flags of the playground's hide-controls panel (§8), plus ours: `speed`
 * and the additions beyond the playground (a teacher can hide them with e.g. `training_hide=true`).
 */
export const HIDE_FLAGS = REGISTRIES.hide_flags;

/** Speed select options in epochs per second; null is "max" (as fast as possible). */
export const SPEEDS = REGISTRIES.speeds.map((s) => s.value);
const DEFAULT_SPEED = 60;

const ACTIVATIONS = Object.keys(REGISTRIES.activations);
const datasetsWhere = (test) => Object.keys(REGISTRIES.datasets).filter((name) => test(REGISTRIES.datasets[name].problem));
const DATASETS = datasetsWhere((problem) => problem !== "regression");
const REG_DATASETS = datasetsWhere((problem) => problem === "regression");
const DEFAULT_INPUTS = new Set(["x", "y"]);

// One row per hash key, in the playground's serialisation order. `omitDefault` rows (ours, not
// the playground's) are left out of the hash while they hold their default, so a default state
// serialises to exactly the playground's default hash.
const PROPS = [
  { name: "activation", type: "enum", values: ACTIVATIONS, def: "tanh" },
  { name: "regularization", type: "enum", values: ["L1", "L2"], def: null },
  { name: "batchSize", type: "number", def: 10 },
  { name: "dataset", type: "enum", values: DATASETS, def: "circle" },
  { name: "regDataset", type: "enum", values: REG_DATASETS, def: "reg-plane" },
  { name: "learningRate", type: "number", def: 0.03 },
  { name: "regularizationRate", type: "number", def: 0 },
  { name: "noise", type: "number", def: 0 },
  { name: "networkShape", type: "array", def: [4, 2] },
  { name: "seed", type: "string", def: null },
  { name: "showTestData", type: "bool", def: false },
  { name: "discretize", type: "bool", def: false },
  { name: "percTrainData", type: "number", def: 50 },
  // One bool per input, in the playground's order (its legacy cosX and cosY included).
  ...REGISTRIES.hash_input_keys.map((name) => ({ name, type: "bool", def: DEFAULT_INPUTS.has(name) })),
  { name: "collectStats", type: "bool", def: false },
  { name: "tutorial", type: "string", def: null },
  { name: "problem", type: "enum", values: ["classification", "regression"], def: "classification" },
  { name: "initZero", type: "bool", def: false },
  { name: "hideText", type: "bool", def: false },
  // Ours, beyond the playground's keys:
  // Beyond the playground (issue 6): null means "the default", and null is never serialised, so
  // a playground link stays a playground link.
  { name: "speed", type: "speed", def: DEFAULT_SPEED, omitDefault: true },
  { name: "optimizer", type: "enum", values: Object.keys(OPTIMIZERS), def: null },
  ...HYPERPARAMETERS.map((p) => ({ name: p.hash, type: p.type, def: null })),
  { name: "loss", type: "enum", values: Object.keys(LOSSES), def: null },
  { name: "initializer", type: "enum", values: Object.keys(INITIALIZERS), def: null },
  { name: "shuffle", type: "bool", def: null },
  { name: "epochsLimit", type: "number", def: null },
  { name: "gradientView", type: "bool", def: null },
  { name: "lesson", type: "string", def: null }, // the open lesson and step (lessons.js)
  { name: "step", type: "number", def: null },
  // "Link to this run" (issue 11): "<draws>.<generation>" replays that reset's weights. Kept as
  // written; the server checks it and the page drops it with a note if refused.
  { name: "run", type: "string", def: null },
  // Its events ("30:lr:0.3,45:b:1:0:-0.5", app/playground/run_script.py): what the user did
  // during the run, replayed at the same epochs. Kept as written, like `run`.
  { name: "runEvents", type: "string", def: null },
];

/** A fresh state holding every default (seed null: the caller makes one, see `makeSeed`). */
export function defaultState() {
  const state = {};
  for (const p of PROPS) state[p.name] = Array.isArray(p.def) ? [...p.def] : p.def;
  return state;
}

/**
 * A new seed as the playground makes one when the URL has none (§2.8).
 * @param {() => number} [random] defaults to the native Math.random
 * @returns {string} e.g. "0.59934"
 */
export function makeSeed(random = Math.random) {
  return random().toFixed(5);
}

/**
 * Split a hash into key → raw value like state.ts: on "&", then on "=" (only the first two parts
 * are kept, no URL decoding). A key without "=" maps to undefined.
 * @param {string} hash with or without the leading "#"
 */
export function hashToMap(hash) {
  const map = new Map();
  const body = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!body) return map;
  for (const part of body.split("&")) {
    const [key, value] = part.split("=");
    map.set(key, value);
  }
  return map;
}

const filled = (value) => value != null && value.trim() !== "";

function parseValue(prop, raw, current) {
  switch (prop.type) {
    case "number":
      return filled(raw) ? +raw : current;
    case "string":
      return filled(raw) ? raw : current;
    case "bool":
      return filled(raw) ? raw !== "false" : current;
    case "enum":
      return filled(raw) && prop.values.includes(raw) ? raw : current;
    case "array": // read whenever the key is present, even if empty (§8)
      return raw == null || raw.trim() === "" ? [] : raw.split(",").map(Number);
    case "speed":
      if (!filled(raw)) return current;
      return raw === "max" ? null : +raw;
    default:
      throw new Error(`unknown prop type ${prop.type}`);
  }
}

/**
 * Parse a URL hash with the playground's rules (§8). Missing keys keep their default; the
 * seed stays null when absent. `<name>_hide` flags are true only for the literal "true".
 * @param {string} hash e.g. location.hash
 * @returns {object} state: one entry per table row plus every `<name>_hide` flag present
 */
export function parseHash(hash) {
  const map = hashToMap(hash);
  const state = defaultState();
  for (const prop of PROPS) {
    if (map.has(prop.name)) state[prop.name] = parseValue(prop, map.get(prop.name), state[prop.name]);
  }
  for (const [key, value] of map) {
    if (key.endsWith("_hide")) state[key] = value === "true";
  }
  return state;
}

function formatValue(prop, value) {
  if (prop.type === "array") return value.join(",");
  if (prop.type === "speed") return value === null ? "max" : String(value);
  return String(value);
}

/**
 * Serialise a state to a hash body (no leading "#"), in the table's fixed order, then every
 * `_hide` flag present. Null values are omitted, as are our additions while at their default.
 * @param {object} state as returned by parseHash
 * @returns {string}
 */
export function serializeState(state) {
  const parts = [];
  for (const prop of PROPS) {
    const value = state[prop.name];
    if (prop.type === "speed") {
      if (value === undefined || (prop.omitDefault && value === prop.def)) continue;
    } else if (value == null || (prop.omitDefault && value === prop.def)) {
      continue;
    }
    parts.push(`${prop.name}=${formatValue(prop, value)}`);
  }
  for (const key of Object.keys(state)) {
    if (key.endsWith("_hide")) parts.push(`${key}=${state[key]}`);
  }
  return parts.join("&");
}

/** True when the state hides `name` (a control or a feature) with `<name>_hide=true`. */
export const isHidden = (state, name) => state[`${name}_hide`] === true;

/** The features the network uses: enabled, not hidden, in canonical order. */
export function enabledFeatures(state) {
  return FEATURES.filter((key) => state[key] === true && !isHidden(state, key));
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const finite = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * Protocol settings (docs/protocol.md §3) for a hash state, made acceptable to the server:
 * non-finite numbers are dropped (the server default applies), ranges are clamped, noise above
 * 80 becomes 50 (§6), and the network shape is cut to the server's limits.
 * @param {object} state a parsed hash state
 * @param {{max_layers:number, max_neurons:number}} [limits]
 * @returns {object} snake_case settings for `hello` / `set`
 */
export function stateToSettings(state, limits = { max_layers: 6, max_neurons: 8 }) {
  const s = {
    dataset: state.dataset,
    reg_dataset: state.regDataset,
    problem: state.problem,
    activation: state.activation,
    regularization: state.regularization ?? "none",
    features: enabledFeatures(state),
    init_zero: state.initZero,
  };
  const numbers = [
    ["noise", state.noise > 80 ? 50 : state.noise, 0, 80],
    ["percent_train", state.percTrainData, 10, 90],
    ["batch_size", Math.round(state.batchSize), 1, 1200],
    ["learning_rate", state.learningRate, 1e-7, 10],
    ["regularization_rate", state.regularizationRate, 0, 10],
  ];
  for (const [key, value, lo, hi] of numbers) if (finite(value)) s[key] = clamp(value, lo, hi);
  s.network_shape = state.networkShape
    .filter(finite)
    .slice(0, limits.max_layers)
    .map((n) => clamp(Math.round(n), 1, limits.max_neurons));
  if (state.seed != null) s.seed = String(state.seed).slice(0, 64);
  if (state.speed === null) s.speed = null;
  else if (finite(state.speed)) s.speed = clamp(state.speed, 0.5, 10000);
  for (const key of ["optimizer", "loss", "initializer"]) if (state[key] != null) s[key] = state[key];
  const options = {};
  for (const p of optimizerParams(state.optimizer ?? "sgd")) {
    const v = state[p.hash];
    if (v != null) options[p.key] = v;
  }
  const clean = cleanOptions(state.optimizer ?? "sgd", options); // NaN and foreign keys dropped
  if (Object.keys(clean).length > 0) s.optimizer_options = clean;
  if (state.shuffle != null) s.shuffle = state.shuffle;
  if (finite(state.epochsLimit) && state.epochsLimit >= 1) s.epochs_limit = Math.round(state.epochsLimit);
  if (state.gradientView != null) s.gradient_view = state.gradientView;
  return s;
}

/**
 * Merge the server's validated settings (a `state` message) into a hash state; display-only
 * keys (showTestData, discretize, hideText, `_hide` flags, legacy keys) are kept from `state`.
 * @param {object} state the current hash state (not modified)
 * @param {object} settings the complete settings echoed by the server
 * @returns {object} a new hash state
 */
export function settingsToState(state, settings) {
  const next = { ...state, networkShape: [...state.networkShape] };
  const copy = [
    ["dataset", "dataset"], ["regDataset", "reg_dataset"], ["problem", "problem"],
    ["activation", "activation"], ["noise", "noise"], ["percTrainData", "percent_train"],
    ["batchSize", "batch_size"], ["learningRate", "learning_rate"],
    ["regularizationRate", "regularization_rate"], ["initZero", "init_zero"], ["seed", "seed"],
  ];
  for (const [key, name] of copy) if (name in settings) next[key] = settings[name];
  if ("network_shape" in settings) next.networkShape = [...settings.network_shape];
  if ("regularization" in settings) {
    next.regularization = settings.regularization === "none" ? null : settings.regularization;
  }
  if ("features" in settings) {
    for (const key of FEATURES) {
      if (!isHidden(state, key)) next[key] = settings.features.includes(key);
    }
  }
  if ("speed" in settings) next.speed = settings.speed;
  // Our Keras extras appear in the hash only once they leave their defaults (for a multi-class
  // dataset the loss is forced to categorical cross-entropy: that is its default there).
  const multiclass = (settings.problem ?? state.problem) === "classification"
    && (settings.dataset ?? state.dataset) in MULTICLASS;
  const lossDefault = multiclass ? "categorical_crossentropy" : "playground";
  const extras = { optimizer: "sgd", loss: lossDefault, initializer: "playground" };
  for (const [key, def] of Object.entries(extras)) {
    if (key in settings) next[key] = settings[key] === def ? null : settings[key];
  }
  if ("optimizer" in settings || "optimizer_options" in settings) {
    const name = settings.optimizer ?? state.optimizer ?? "sgd";
    const clean = cleanOptions(name, settings.optimizer_options || {});
    for (const p of HYPERPARAMETERS) next[p.hash] = p.key in clean ? clean[p.key] : null;
  }
  if ("shuffle" in settings) next.shuffle = settings.shuffle ? true : null;
  if ("epochs_limit" in settings) next.epochsLimit = settings.epochs_limit ?? null;
  if ("gradient_view" in settings) next.gradientView = settings.gradient_view ? true : null;
  return next;
}

// Objects compare by content whatever their key order (optimizer_options round-trips through
// the server and the hash).
const canonical = (v) => JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
const sameValue = (a, b) => canonical(a) === canonical(b);

/**
 * Whether a checkpoint (whose `settings` are the server's complete settings when it was taken)
 * belongs to the experiment a hash describes: every setting the hash gives must be equal. The
 * server resumes a checkpoint only under exactly its own settings, so the caller then sends
 * `hello` with the checkpoint's settings (docs/protocol.md §2, app/playground/checkpoint.py).
 * @param {object|null} checkpoint the opaque checkpoint object (null: no match)
 * @param {object} settings protocol settings built by stateToSettings
 */
export function checkpointMatches(checkpoint, settings) {
  const saved = checkpoint && checkpoint.settings;
  if (!saved || typeof saved !== "object") return false;
  return Object.keys(settings).every((key) => key in saved && sameValue(saved[key], settings[key]));
}
