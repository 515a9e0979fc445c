import { test } from "node:test";
import assert from "node:assert/strict";
import "./registries.mjs"; // before any module that reads the registries
import {
  checkpointMatches, defaultState, enabledFeatures, makeSeed, parseHash, serializeState,
  settingsToState, stateToSettings,
} from "../../static/js/state.js";

// docs/playground-rules.md §8, verified there against state.ts.
const DEFAULT_HASH = "activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03" +
  "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.59934&showTestData=false&discretize=false" +
  "&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false" +
  "&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false";

// The playground link of the front-end issue.
const XOR_HASH = "#activation=relu&batchSize=10&dataset=xor&regDataset=reg-plane&learningRate=0.03" +
  "&regularizationRate=0&noise=0&networkShape=3&seed=0.12345&showTestData=false&discretize=false" +
  "&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false" +
  "&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false";

test("the default state serialises to the playground's default hash", () => {
  assert.equal(serializeState({ ...defaultState(), seed: "0.59934" }), DEFAULT_HASH);
});

test("the default hash parses back to the defaults and round-trips", () => {
  const state = parseHash(`#${DEFAULT_HASH}`);
  assert.deepEqual(state, { ...defaultState(), seed: "0.59934" });
  assert.equal(serializeState(state), DEFAULT_HASH);
});

test("an empty hash gives the defaults with no seed; makeSeed is toFixed(5)", () => {
  const state = parseHash("");
  assert.equal(state.seed, null);
  assert.deepEqual(state.networkShape, [4, 2]);
  assert.equal(makeSeed(() => 0.599341234), "0.59934");
  assert.match(makeSeed(), /^\d\.\d{5}$/);
});

test("numbers go through +value: non-empty only, 'abc' is NaN", () => {
  assert.equal(parseHash("#learningRate=0.3").learningRate, 0.3);
  assert.ok(Number.isNaN(parseHash("#noise=abc").noise));
  assert.equal(parseHash("#noise=").noise, 0);
  assert.equal(parseHash("#noise=  ").noise, 0); // blank after trimming: default kept
  assert.ok(Number.isNaN(parseHash("#noise=%35").noise)); // no URL decoding, as state.ts
});

test("booleans are false only for the literal 'false'", () => {
  assert.equal(parseHash("#showTestData=true").showTestData, true);
  assert.equal(parseHash("#showTestData=0").showTestData, true);
  assert.equal(parseHash("#x=false").x, false);
  assert.equal(parseHash("#x=").x, true); // empty: default kept
  assert.equal(parseHash("#discretize=FALSE").discretize, true);
});

test("enums accept known keys only; regularization none is absent", () => {
  assert.equal(parseHash("#activation=relu").activation, "relu");
  assert.equal(parseHash("#activation=swish").activation, "tanh");
  assert.equal(parseHash("#regularization=L1").regularization, "L1");
  assert.equal(parseHash("#regularization=none").regularization, null);
  assert.ok(!serializeState(parseHash("")).includes("regularization="));
  assert.ok(serializeState(parseHash("#regularization=L2")).startsWith("activation=tanh&regularization=L2&"));
});

test("networkShape is read whenever present, even empty", () => {
  assert.deepEqual(parseHash("#networkShape=").networkShape, []);
  assert.deepEqual(parseHash("#networkShape").networkShape, []);
  assert.deepEqual(parseHash("#networkShape=3").networkShape, [3]);
  assert.deepEqual(parseHash("#networkShape=8,8,1").networkShape, [8, 8, 1]);
  assert.ok(serializeState(parseHash("#networkShape=")).includes("&networkShape=&"));
});

test("_hide flags are true only for 'true' and are serialised after everything", () => {
  const state = parseHash("#noise_hide=true&x_hide=yes&batchSize_hide=false");
  assert.equal(state.noise_hide, true);
  assert.equal(state.x_hide, false);
  assert.equal(state.batchSize_hide, false);
  assert.ok(serializeState(state).endsWith("hideText=false&noise_hide=true&x_hide=false&batchSize_hide=false"));
});

test("a hidden feature is removed from the network", () => {
  const state = parseHash("#x_hide=true&xSquared=true");
  assert.deepEqual(enabledFeatures(state), ["y", "xSquared"]);
  assert.deepEqual(stateToSettings(state).features, ["y", "xSquared"]);
});

test("the playground's xor link becomes these settings", () => {
  assert.deepEqual(stateToSettings(parseHash(XOR_HASH)), {
    dataset: "xor", reg_dataset: "reg-plane", problem: "classification", activation: "relu",
    regularization: "none", features: ["x", "y"], init_zero: false, noise: 0, percent_train: 50,
    batch_size: 10, learning_rate: 0.03, regularization_rate: 0, network_shape: [3],
    seed: "0.12345", speed: 60,
  });
});

test("settings are made acceptable: NaN dropped, ranges and limits clamped", () => {
  const s = stateToSettings(parseHash("#noise=90&learningRate=abc&batchSize=0&percTrainData=100&networkShape=9,3,1,1,1,1,1,1"));
  assert.equal(s.noise, 50); // above 80: 50 (docs/playground-rules.md §6)
  assert.ok(!("learning_rate" in s));
  assert.equal(s.batch_size, 1);
  assert.equal(s.percent_train, 90);
  assert.deepEqual(s.network_shape, [8, 3, 1, 1, 1, 1]);
  assert.equal(stateToSettings(parseHash("#noise=70")).noise, 70);
});

test("speed is ours: omitted at 60, 'max' is null, round-trips", () => {
  assert.ok(!serializeState(parseHash("#speed=60")).includes("speed"));
  const fast = parseHash("#speed=max");
  assert.equal(fast.speed, null);
  assert.ok(serializeState(fast).includes("&speed=max"));
  assert.equal(stateToSettings(fast).speed, null);
  assert.equal(parseHash("#speed=240").speed, 240);
});

test("server settings flow back into the hash, display keys kept", () => {
  const before = parseHash("#showTestData=true&x_hide=true&seed=1");
  const after = settingsToState(before, {
    dataset: "spiral", reg_dataset: "reg-gauss", problem: "classification", noise: 10, percent_train: 70,
    batch_size: 5, learning_rate: 0.1, activation: "relu", regularization: "none", regularization_rate: 0,
    features: ["y", "sinX"], network_shape: [], seed: "0.77777", init_zero: false, speed: null,
    optimizer: "sgd", loss: "playground", initializer: "playground",
  });
  assert.equal(after.showTestData, true);
  assert.equal(after.x_hide, true);
  assert.equal(after.x, true); // hidden: left as it was
  assert.equal(after.y, true);
  assert.equal(after.sinX, true);
  assert.equal(after.seed, "0.77777");
  assert.equal(after.regularization, null);
  assert.deepEqual(after.networkShape, []);
  assert.equal(after.optimizer, null);
  assert.equal(after.speed, null);
  assert.ok(serializeState(after).includes("networkShape=&seed=0.77777&showTestData=true"));
});

test("a checkpoint matches when every hash setting equals its settings", () => {
  const settings = stateToSettings(parseHash("#seed=0.5"));
  const saved = { ...settings, optimizer: "sgd", optimizer_options: {}, noise: 0 };
  assert.ok(checkpointMatches({ settings: saved }, settings));
  assert.ok(!checkpointMatches({ settings: { ...saved, seed: "0.6" } }, settings));
  assert.ok(!checkpointMatches({ settings: { ...saved, network_shape: [4] } }, settings));
  assert.ok(!checkpointMatches(null, settings));
});

test("the training keys: new names, defaults omitted, playground keys untouched", () => {
  const state = parseHash("#seed=0.5&optimizer=adam&beta1=0.8&amsgrad=true&decay=0.01&momentum=0.9&loss=mse&initializer=he_normal&shuffle=true&epochsLimit=300&gradientView=true");
  const s = stateToSettings(state);
  assert.equal(s.optimizer, "adam");
  assert.deepEqual(s.optimizer_options, { beta_1: 0.8, amsgrad: true, decay: 0.01 }); // momentum is not Adam's
  assert.equal(s.loss, "mse");
  assert.equal(s.initializer, "he_normal");
  assert.equal(s.shuffle, true);
  assert.equal(s.epochs_limit, 300);
  assert.equal(s.gradient_view, true);
  const body = serializeState(state);
  assert.ok(body.startsWith("activation=tanh&batchSize=10&dataset=circle&"));
  assert.ok(body.endsWith("optimizer=adam&momentum=0.9&beta1=0.8&amsgrad=true&decay=0.01&loss=mse&initializer=he_normal&shuffle=true&epochsLimit=300&gradientView=true"));
  assert.deepEqual(parseHash(`#${body}`), state);
});

test("unknown training values are ignored at parse time or dropped before the server", () => {
  const state = parseHash("#optimizer=nonsense&loss=hinge&initializer=ones&rho=abc&epochsLimit=0");
  assert.equal(state.optimizer, null);
  assert.equal(state.loss, null);
  assert.equal(state.initializer, null);
  const s = stateToSettings(parseHash("#optimizer=rmsprop&rho=abc&epochsLimit=0"));
  assert.ok(!("optimizer_options" in s));
  assert.ok(!("epochs_limit" in s));
});

test("the server's training settings flow back, defaults leaving the hash", () => {
  const base = parseHash("#seed=1&momentum=0.5");
  const settings = {
    dataset: "circle", problem: "classification", optimizer: "sgd", optimizer_options: { nesterov: true, momentum: 0.9 },
    loss: "playground", initializer: "playground", shuffle: false, epochs_limit: null, gradient_view: false,
  };
  const after = settingsToState(base, settings);
  assert.equal(after.momentum, 0.9);
  assert.equal(after.nesterov, true);
  assert.equal(after.optimizer, null);
  assert.equal(after.shuffle, null);
  assert.equal(after.epochsLimit, null);
  assert.equal(after.gradientView, null);
  const adam = settingsToState(after, { ...settings, optimizer: "adam", optimizer_options: {} });
  assert.equal(adam.optimizer, "adam");
  assert.equal(adam.momentum, null);
  assert.equal(adam.nesterov, null);
  // A multi-class dataset forces categorical cross-entropy: that is no choice, so no hash key.
  const blobs = settingsToState(after, { ...settings, dataset: "blobs3", loss: "categorical_crossentropy" });
  assert.equal(blobs.loss, null);
  assert.equal(blobs.dataset, "blobs3");
  assert.equal(settingsToState(after, { ...settings, loss: "mse" }).loss, "mse");
});

test("checkpoints match whatever the key order of optimizer_options", () => {
  const settings = stateToSettings(parseHash("#seed=0.5&momentum=0.9&nesterov=true"));
  const saved = { ...settings, optimizer: "sgd", optimizer_options: { nesterov: true, momentum: 0.9 } };
  assert.ok(checkpointMatches({ settings: saved }, settings));
  assert.ok(!checkpointMatches({ settings: { ...saved, optimizer_options: { momentum: 0.9 } } }, settings));
});

test("the multi-class datasets are datasets", () => {
  for (const d of ["blobs3", "spiral3", "quadrants4"]) assert.equal(parseHash(`#dataset=${d}`).dataset, d);
});

test("a run link's marker round-trips as the last key, and a plain hash has none", () => {
  const state = parseHash(`${XOR_HASH}&run=1234.3`);
  assert.equal(state.run, "1234.3");
  assert.equal(serializeState(state), `${XOR_HASH.slice(1)}&run=1234.3`);
  assert.equal(parseHash(XOR_HASH).run, null);
  assert.equal(serializeState(parseHash(XOR_HASH)), XOR_HASH.slice(1));
});

test("a run marker is not a setting: stateToSettings never sends it", () => {
  const settings = stateToSettings(parseHash(`${XOR_HASH}&run=1234.3`));
  assert.equal("run" in settings, false);
});
