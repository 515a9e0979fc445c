// What `model.compile()` and `fit()` offer beyond the playground (spec/keras-optimizers.md,
// docs/protocol.md §3): the seven optimizers with their Keras 3 hyperparameters and defaults,
// the losses valid for each problem, the weight initializers. Pure: no DOM; node --test covers it.
// Trade-off: the defaults are repeated here (the server knows them too) because the page must
// show a default the server was never sent: `optimizer_options` only carries what differs.

/** One hyperparameter of an optimizer: its Keras keyword, hash key, label and Keras 3 default. */
const P = {
  momentum: { key: "momentum", hash: "momentum", label: "Momentum", type: "number", min: 0, max: 1, step: 0.1, hint: "0 … 1: how much of the last step carries over" },
  nesterov: { key: "nesterov", hash: "nesterov", label: "Nesterov", type: "bool", hint: "look ahead before the momentum step" },
  rho: { key: "rho", hash: "rho", label: "Rho", type: "number", min: 0, max: 0.999, step: 0.01, hint: "decay of the squared-gradient average, 0 … <1" },
  beta_1: { key: "beta_1", hash: "beta1", label: "β₁", type: "number", min: 0, max: 0.999, step: 0.01, hint: "decay of the first-moment (mean) estimate, 0 … <1" },
  beta_2: { key: "beta_2", hash: "beta2", label: "β₂", type: "number", min: 0, max: 0.9999, step: 0.001, hint: "decay of the second-moment estimate, 0 … <1" },
  epsilon: { key: "epsilon", hash: "epsilon", label: "ε", type: "number", min: 1e-12, max: 1, step: "any", hint: "> 0: keeps the division stable" },
  centered: { key: "centered", hash: "centered", label: "Centered", type: "bool", hint: "normalise by the gradient's variance, not its raw second moment" },
  amsgrad: { key: "amsgrad", hash: "amsgrad", label: "AMSGrad", type: "bool", hint: "use the largest second moment seen so far" },
  initial_accumulator_value: { key: "initial_accumulator_value", hash: "initialAccumulator", label: "Initial accumulator", type: "number", min: 0, max: 10, step: 0.1, hint: "≥ 0: where the sum of squared gradients starts" },
  decay: { key: "decay", hash: "decay", label: "Learning-rate decay", type: "number", min: 0, max: 1e3, step: "any", hint: "≥ 0: lr / (1 + decay · updates), the Keras 2 `decay=`" },
};

/** Every hyperparameter (the decay included), in display order. */
export const HYPERPARAMETERS = Object.values(P);

/**
 * The optimizers of `compile()`: label, Keras 3 default learning rate and hyperparameter
 * defaults, in the order Keras's constructor takes them. `decay` (legacy) applies to all.
 */
export const OPTIMIZERS = {
  sgd: { label: "SGD", lr: 0.01, defaults: { momentum: 0, nesterov: false } },
  rmsprop: { label: "RMSprop", lr: 0.001, defaults: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false } },
  adagrad: { label: "Adagrad", lr: 0.001, defaults: { initial_accumulator_value: 0.1, epsilon: 1e-7 } },
  adadelta: { label: "Adadelta", lr: 0.001, defaults: { rho: 0.95, epsilon: 1e-7 } },
  adam: { label: "Adam", lr: 0.001, defaults: { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
  adamax: { label: "Adamax", lr: 0.001, defaults: { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } },
  nadam: { label: "Nadam", lr: 0.001, defaults: { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } },
};

const DECAY_DEFAULT = 0;

/**
 * The hyperparameters an optimizer takes, with their defaults, the decay last.
 * Example: optimizerParams("adagrad").map((p) => p.key) -> ["initial_accumulator_value", "epsilon", "decay"]
 * @param {string} name an OPTIMIZERS key (unknown: SGD's)
 * @returns {{key:string, hash:string, label:string, type:string, def:(number|boolean)}[]}
 */
export function optimizerParams(name) {
  const spec = OPTIMIZERS[name] || OPTIMIZERS.sgd;
  const params = Object.entries(spec.defaults).map(([key, def]) => ({ ...P[key], def }));
  return [...params, { ...P.decay, def: DECAY_DEFAULT }];
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
export const LOSSES = {
  playground: "½ squared error (playground)",
  mse: "Mean squared error",
  binary_crossentropy: "Binary cross-entropy",
  categorical_crossentropy: "Categorical cross-entropy",
};

/**
 * The losses valid for a problem (docs/protocol.md §3, §8): the first is what a switch falls
 * back to. Multi-class has exactly one, the softmax's categorical cross-entropy.
 * @param {string} problem "classification" | "regression" @param {number} classes state.classes
 */
export function validLosses(problem, classes) {
  if (problem === "regression") return ["playground", "mse"];
  if (classes > 2) return ["categorical_crossentropy"];
  return ["playground", "mse", "binary_crossentropy"];
}

/** The weight initializers: the playground's U(−0.5, 0.5) with biases 0.1 first. */
export const INITIALIZERS = {
  playground: "Playground: U(−0.5, 0.5), bias 0.1",
  glorot_uniform: "Glorot uniform (Keras default)",
  glorot_normal: "Glorot normal",
  he_uniform: "He uniform",
  he_normal: "He normal",
  lecun_uniform: "LeCun uniform",
  lecun_normal: "LeCun normal",
  zeros: "Zeros",
  random_normal: "Random normal (σ 0.05)",
  random_uniform: "Random uniform (±0.05)",
};

/** The datasets with more than two classes, and their K (app/playground/datasets.py). */
export const MULTICLASS = { blobs3: 3, spiral3: 3, quadrants4: 4 };

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
 * Why a run is in Keras mode: what differs from TensorFlow Playground (protocol.py `mode`).
 * Example: modeReasons({optimizer: "adam", loss: "playground", initializer: "playground"}) -> ["the Adam optimizer"]
 * @param {object} settings protocol settings @returns {string[]} empty in playground mode
 */
export function modeReasons(settings) {
  const reasons = [];
  const name = OPTIMIZERS[settings.optimizer] ? settings.optimizer : "sgd";
  const options = settings.optimizer_options || {};
  if (name !== "sgd") reasons.push(`the ${OPTIMIZERS[name].label} optimizer`);
  else if (options.momentum) reasons.push(`SGD with momentum ${options.momentum}`);
  if (options.decay) reasons.push(`learning-rate decay ${options.decay}`);
  if (settings.loss && settings.loss !== "playground") reasons.push(`${(LOSSES[settings.loss] || settings.loss).toLowerCase()} loss`);
  if (settings.initializer && settings.initializer !== "playground") reasons.push(`the ${settings.initializer} initializer`);
  if (settings.shuffle) reasons.push("shuffling each epoch");
  return reasons;
}

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
