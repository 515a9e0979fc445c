import { test } from "node:test";
import assert from "node:assert/strict";
import "./registries.mjs"; // before any module that reads the registries
import {
  OPTIMIZERS, cleanOptions, kerasCompile, kerasFit, optimizerParams, optionValue, validLosses,
} from "../../static/js/keras.js";

const keys = (name) => optimizerParams(name).map((p) => p.key);

test("each optimizer shows only its own Keras 3 hyperparameters, the decay last", () => {
  assert.deepEqual(keys("sgd"), ["momentum", "nesterov", "decay"]);
  assert.deepEqual(keys("rmsprop"), ["rho", "momentum", "epsilon", "centered", "decay"]);
  assert.deepEqual(keys("adagrad"), ["initial_accumulator_value", "epsilon", "decay"]);
  assert.deepEqual(keys("adadelta"), ["rho", "epsilon", "decay"]);
  assert.deepEqual(keys("adam"), ["beta_1", "beta_2", "epsilon", "amsgrad", "decay"]);
  assert.deepEqual(keys("adamax"), ["beta_1", "beta_2", "epsilon", "decay"]);
  assert.deepEqual(keys("nadam"), ["beta_1", "beta_2", "epsilon", "decay"]);
  assert.deepEqual(keys("nonsense"), keys("sgd"));
});

test("defaults are Keras 3's (docs/keras-rules.md)", () => {
  assert.equal(optionValue("adagrad", "initial_accumulator_value"), 0.1);
  assert.equal(optionValue("adadelta", "rho"), 0.95);
  assert.equal(optionValue("rmsprop", "rho"), 0.9);
  assert.equal(optionValue("adam", "beta_2"), 0.999);
  assert.equal(optionValue("nadam", "epsilon"), 1e-7);
  assert.equal(optionValue("sgd", "nesterov"), false);
  assert.equal(optionValue("sgd", "momentum", { momentum: 0.9 }), 0.9);
  assert.equal(optionValue("adam", "momentum"), undefined);
  assert.equal(OPTIMIZERS.sgd.lr, 0.01);
  for (const name of ["rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"]) assert.equal(OPTIMIZERS[name].lr, 0.001);
});

test("cleanOptions keeps the optimizer's own non-default, well-typed values in its order", () => {
  assert.deepEqual(cleanOptions("adam", { momentum: 0.9, beta_1: 0.9, amsgrad: true, decay: 0.01 }), { amsgrad: true, decay: 0.01 });
  assert.deepEqual(cleanOptions("sgd", { nesterov: true, momentum: 0.5 }), { momentum: 0.5, nesterov: true });
  assert.deepEqual(Object.keys(cleanOptions("sgd", { nesterov: true, momentum: 0.5 })), ["momentum", "nesterov"]);
  assert.deepEqual(cleanOptions("rmsprop", { rho: NaN, centered: "yes", epsilon: 1e-6 }), { epsilon: 1e-6 });
  assert.deepEqual(cleanOptions("sgd", { decay: 0 }), {});
});

test("losses valid for the problem; multi-class has exactly one", () => {
  assert.deepEqual(validLosses("classification", 2), ["playground", "mse", "binary_crossentropy"]);
  assert.deepEqual(validLosses("regression", 0), ["playground", "mse"]);
  assert.deepEqual(validLosses("classification", 3), ["categorical_crossentropy"]);
});

test("the compile() and fit() lines a student would type", () => {
  const base = { optimizer: "sgd", optimizer_options: {}, learning_rate: 0.03, loss: "playground", batch_size: 10, shuffle: false, epochs_limit: null };
  assert.equal(kerasCompile(base), "compile(optimizer=SGD(learning_rate=0.03), loss=half_squared_error)");
  assert.equal(
    kerasCompile({ ...base, optimizer: "adam", optimizer_options: { amsgrad: true, beta_1: 0.8 }, loss: "binary_crossentropy" }),
    'compile(optimizer=Adam(learning_rate=0.03, beta_1=0.8, amsgrad=True), loss="binary_crossentropy")',
  );
  assert.equal(
    kerasCompile({ ...base, learning_rate: 1, optimizer_options: { momentum: 0.9, decay: 0.01 } }),
    "compile(optimizer=SGD(learning_rate=InverseTimeDecay(1.0, 1, 0.01), momentum=0.9), loss=half_squared_error)",
  );
  assert.equal(kerasFit(base), "fit(x, y, batch_size=10, shuffle=False)");
  assert.equal(kerasFit({ ...base, epochs_limit: 300, shuffle: true }), "fit(x, y, batch_size=10, epochs=300, shuffle=True)");
});

