// What `model.compile()` and `fit()` offer beyond the playground (docs/keras-rules.md,
// docs/protocol.md §3): the seven optimizers with their Keras 3 hyperparameters and defaults,
// the losses valid for each problem, the weight initializers. Pure: no DOM; node --test covers it.
// The names, labels and defaults come from the registries (app/playground/registry.py).
// Trade-off: the page needs the defaults (not just the server) because it must show a default
// the server was never sent: `optimizer_options` only carries what differs.

import { REGISTRIES } from "./registries.js";

/** Every hyperparameter (the decay included), in display order: Keras keyword, hash key, label… */
export const HYPERPARAMETERS = REGISTRIES.hyperparameters;
const P = Object.fromEntries(HYPERPARAMETERS.map((p) => [p.key, p]));

/**
 * The optimizers of `compile()`: label, Keras 3 default learning rate and hyperparameter
 * defaults, in the order Keras's constructor takes them, the legacy `decay` last.
 */
export const OPTIMIZERS = REGISTRIES.optimizers;

/**
 * The hyperparameters an optimizer takes, with their defaults, the decay last.
 * Example: optimizerParams("adagrad").map((p) => p.key) -> ["initial_accumulator_value", "epsilon", "decay"]
 * @param {string} name an OPTIMIZERS key (unknown: SGD's)
 * @returns {{key:string, hash:string, label:string, type:string, def:(number|boolean)}[]}
 */
export function optimizerParams(name) {
  const spec = OPTIMIZERS[name] || OPTIMIZERS.sgd;
  return Object.entries(spec.defaults).map(([key, def]) => ({ ...P[key], def }));
}

/**
 * Keep only the options the optimizer takes, with a valid type, and not at their default, in
 * the optimizer's own order (so equal options always serialise the same).
 * Example: cleanOptions("adam", {momentum: 0.9, beta_1: 0.9, amsgrad: true}) -> {amsgrad: true}
 * @param {string} name @param {object} options keyword → value
 */
export function cleanOptions(name, options = {}) {
  const out = {};
  for (const p of optimizerParams(name)) {
    const v = options[p.key];
    const ok = p.type === "bool" ? typeof v === "boolean" : typeof v === "number" && Number.isFinite(v);
    if (ok && v !== p.def) out[p.key] = v;
  }
  return out;
}

/** A hyperparameter's current value: the option if given, else the Keras default. */
export function optionValue(name, key, options = {}) {
  const p = optimizerParams(name).find((q) => q.key === key);
  if (!p) return undefined;
  return key in options ? options[key] : p.def;
}

/** Loss labels (the playground's own first). */
export const LOSSES = Object.fromEntries(Object.entries(REGISTRIES.losses).map(([name, row]) => [name, row.label]));

/**
 * The losses valid for a problem (docs/protocol.md §3, §8): the first is what a switch falls
 * back to. Multi-class has exactly one, the softmax's categorical cross-entropy.
 * @param {string} problem "classification" | "regression" @param {number} classes state.classes
 */
export function validLosses(problem, classes) {
  const kind = problem === "regression" ? "regression" : classes > 2 ? "multiclass" : "binary";
  return Object.keys(REGISTRIES.losses).filter((name) => REGISTRIES.losses[name].valid_for.includes(kind));
}

/** The weight initializers: the playground's U(−0.5, 0.5) with biases 0.1 first. */
export const INITIALIZERS = REGISTRIES.initializers;

/** The datasets with more than two classes, and their K (app/playground/datasets.py). */
export const MULTICLASS = Object.fromEntries(Object.entries(REGISTRIES.datasets)
  .filter(([, d]) => d.problem === "multiclass").map(([name, d]) => [name, d.classes]));

const pyNumber = (v) => {
  if (Number.isInteger(v)) return `${v}.0`;
  return String(v);
};

/**
 * The Keras line a setting corresponds to: what a student would type in `compile()`.
 * Example: kerasCompile({optimizer: "adam", optimizer_options: {amsgrad: true}, learning_rate: 0.03,
 *   loss: "binary_crossentropy"}) -> 'compile(optimizer=Adam(learning_rate=0.03, amsgrad=True), loss="binary_crossentropy")'
 * The playground's own loss has no Keras name: it is the function `half_squared_error` of the
 * "Keras script" download (PLAYGROUND_LOSS_NOTE says what it is), so the line stays valid Python.
 * @param {object} settings protocol settings (state.settings)
 */
export function kerasCompile(settings) {
  const name = OPTIMIZERS[settings.optimizer] ? settings.optimizer : "sgd";
  const args = [`learning_rate=${pyNumber(settings.learning_rate)}`];
  const options = cleanOptions(name, settings.optimizer_options || {});
  for (const [key, v] of Object.entries(options)) {
    if (key === "decay") continue;
    args.push(`${key}=${typeof v === "boolean" ? (v ? "True" : "False") : pyNumber(v)}`);
  }
  if (options.decay) {
    args[0] = `learning_rate=InverseTimeDecay(${pyNumber(settings.learning_rate)}, 1, ${pyNumber(options.decay)})`;
  }
  const loss = settings.loss === "playground" ? "half_squared_error" : `"${settings.loss}"`;
  return `compile(optimizer=${OPTIMIZERS[name].label}(${args.join(", ")}), loss=${loss})`;
}

/** A Python comment for the panel when the loss is the playground's own (see kerasCompile). */
export const PLAYGROUND_LOSS_NOTE = "# half_squared_error: 0.5 * sum((y_pred - y_true) ** 2) per sample (in the Keras script download)";

/**
 * The `fit()` call these settings correspond to (the data are the DATA column's points).
 * Example: kerasFit({batch_size: 10, epochs_limit: 300, shuffle: true}) ->
 *   "fit(x, y, batch_size=10, epochs=300, shuffle=True)"
 * @param {object} settings protocol settings
 */
export function kerasFit(settings) {
  const args = ["x", "y", `batch_size=${settings.batch_size}`];
  if (settings.epochs_limit != null) args.push(`epochs=${settings.epochs_limit}`);
  args.push(`shuffle=${settings.shuffle ? "True" : "False"}`);
  return `fit(${args.join(", ")})`;
}
