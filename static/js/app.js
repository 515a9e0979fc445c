// The playground page: wires the URL hash, the connection, the controls and the views together.
// Server messages only store what arrived; ONE requestAnimationFrame loop draws the newest frame
// (dropping stale ones) and then grants credit for every frame received, so a slow or hidden tab
// simply receives fewer frames (docs/protocol.md §7).
// Trade-off: the page keeps no model of its own. Settings come back from the server in `state`
// and are shown as echoed; a reload or reconnect resumes from the newest checkpoint.

import { CLASS_COLORS, buildClassLut, buildLut, buildProbabilityLut, className, toHex } from "./colors.js";
import { Controls } from "./controls.js";
import { ConfusionView, DataTools } from "./data-tools.js";
import { HeatMap } from "./heatmap.js";
import { HYPERPARAMETERS, MULTICLASS } from "./keras.js";
import { LineChart } from "./linechart.js";
import { NetworkView } from "./network-view.js";
import * as msg from "./protocol.js";
import { Connection } from "./socket.js";
import {
  FEATURES, checkpointMatches, isHidden, makeSeed, parseHash, serializeState,
  settingsToState, stateToSettings,
} from "./state.js";
import { TrainingPanel } from "./training-panel.js";

const INITIAL_CREDIT = 2;
const CHECKPOINT_STORE = "nn-playground.checkpoint";
const HELLO_RETRIES = 6;
const HELLO_ERRORS = new Set(["invalid_message", "invalid_checkpoint"]);

const CONFUSION_REFRESH_MS = 1000; // an open confusion matrix follows training at most this often
const TRAINING_KEYS = ["optimizer", "loss", "initializer", "shuffle", "epochsLimit", ...HYPERPARAMETERS.map((p) => p.hash)];

const $ = (id) => document.getElementById(id);

/** K of a `state` message: its `classes`, or (from an older server) what the dataset implies. */
export function classesOf(state) {
  if (Number.isInteger(state.classes)) return state.classes;
  const s = state.settings;
  if (s.problem === "regression") return 0;
  return MULTICLASS[s.dataset] || 2;
}

/** Start the page. Call once, after the DOM is parsed. */
export function start() {
  return new Playground();
}

class Playground {
  constructor() {
    const main = $("main-part");
    this.limits = {
      max_layers: Number(main.dataset.maxLayers) || 6,
      max_neurons: Number(main.dataset.maxNeurons) || 8,
    };
    this.server = null; // the newest `state` message
    this.pendingFrame = null; // newest undrawn binary frame
    this.received = 0; // frames received since credit was last granted
    this.frame = null; // newest decoded frame
    this.inputThumbs = null;
    this.pendingData = null;
    this.structureKey = "";
    this.width = null; // network overlay width in px, measured once per resize
    this.redraw = false;
    this.classes = 2;
    this.pickedClass = 0; // the class a click on the map adds (multi-class)
    this.confusionAsked = 0;
    this.checkpoint = this.#loadCheckpoint();
    this.resumePlaying = false;
    this.#readHash();
    this.#buildViews();
    this.connection = this.#connection();
    window.addEventListener("hashchange", () => this.#hashEdited());
    window.addEventListener("resize", () => {
      this.width = null; // the network's width follows the columns: measure and redraw
      this.chart.dirty = true;
    });
    this.connection.open();
    requestAnimationFrame(() => this.#tick());
    window.__playground = this; // for debugging from the console; nothing depends on it
  }

  #buildViews() {
    this.controls = new Controls({
      playPause: () => this.send(this.server && this.server.playing ? msg.pause() : msg.play()),
      step: () => this.send(msg.step(1)),
      reset: () => this.send(msg.reset()),
      regenerate: () => this.send(msg.regenerate()),
      set: (settings) => this.send(msg.set(settings)),
      layers: (delta) => this.#changeLayers(delta),
      display: (key, value) => this.#display(key, value),
      smallerRate: (lr) => {
        this.send(msg.set({ learning_rate: lr }));
        this.send(msg.reset());
        this.controls.showMessage(null);
      },
    });
    this.training = new TrainingPanel({ set: (settings) => this.send(msg.set(settings)) });
    if (TRAINING_KEYS.some((key) => this.hash[key] != null)) this.training.details.open = true;
    $("mode-badge").addEventListener("click", () => this.training.open());
    this.dataTools = new DataTools({ send: (m) => this.send(m), connected: () => this.connection.isOpen });
    this.confusion = new ConfusionView({ request: () => this.#askConfusion() });
    this.heatmap = new HeatMap($("heatmap"), { onClick: (x, y, ev) => this.#addPoint(x, y, ev) });
    this.chart = new LineChart($("linechart"));
    this.network = new NetworkView({
      root: $("network"),
      svg: $("svg"),
      handlers: {
        toggleFeature: (key) => this.#toggleFeature(key),
        neurons: (layer, delta) => this.#changeNeurons(layer, delta),
        focus: (layer, unit) => this.send(msg.focus(layer, unit)),
        edit: (t, value) => this.send(t.kind === "bias"
          ? msg.setBias(t.layer, t.node, value)
          : msg.setWeight(t.layer, t.src, t.dst, value)),
      },
    });
    this.#buildLuts();
    this.controls.showDisplay(this.hash.showTestData, this.hash.discretize);
    this.heatmap.showTest(this.hash.showTestData);
    Controls.applyHideFlags(this.hash);
  }

  #connection() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return new Connection({
      url: `${scheme}//${location.host}/ws`,
      onOpen: () => this.#hello(),
      onFrame: (buffer) => {
        this.pendingFrame = buffer;
        this.received += 1;
      },
      onStatus: (state, detail) => {
        // Playing when the line dropped: play again once the session is back.
        if (state !== "connected" && this.server) this.resumePlaying ||= this.server.playing;
        this.controls.showStatus(state, detail);
      },
      handlers: {
        state: (m) => this.#onState(m),
        data: (m) => { this.pendingData = m; },
        checkpoint: (m) => this.#storeCheckpoint(m.checkpoint),
        event: (m) => this.controls.showMessage(m.message, { diverged: m.event === "diverged" }),
        error: (m) => this.#onError(m),
        confusion: (m) => this.confusion.show(m),
        upload_report: (m) => this.dataTools.onUploadReport(m),
        export: (m) => this.dataTools.onExport(m),
      },
    });
  }

  send(message) {
    this.connection.send(message);
  }

  // ---- URL hash ----

  #readHash() {
    this.hash = parseHash(location.hash);
    if (this.hash.seed == null) this.hash.seed = makeSeed();
    this.excluded = new Set(); // settings the server refused in hello: fall back to its default
    this.#writeHash();
  }

  #writeHash() {
    const body = serializeState(this.hash);
    if (location.hash.slice(1) !== body) history.replaceState(null, "", `#${body}`);
  }

  #hashEdited() {
    if (location.hash.slice(1) === serializeState(this.hash)) return;
    this.#readHash();
    this.controls.showDisplay(this.hash.showTestData, this.hash.discretize);
    this.#display("discretize", this.hash.discretize);
    this.heatmap.showTest(this.hash.showTestData);
    this.structureKey = "";
    this.#hello();
  }

  #display(key, value) {
    this.hash[key] = value;
    this.#writeHash();
    if (key === "showTestData") this.heatmap.showTest(value);
    if (key === "discretize") {
      this.#buildLuts();
      this.redraw = true;
    }
  }

  // Colour tables: the ramp (every map), the class map and one per softmax unit (K > 2), and
  // the sigmoid output's probabilities (binary cross-entropy: p = ½ is the grey middle).
  #buildLuts() {
    const d = Boolean(this.hash.discretize);
    this.lut = buildLut(d);
    this.classLut = buildClassLut(Math.max(this.classes, 2), d);
    this.outputLuts = this.classes > 2 ? CLASS_COLORS.slice(0, this.classes).map((c) => buildProbabilityLut(c, d)) : null;
    this.probabilityLut = buildProbabilityLut(null, d);
  }

  // The map's colours for a frame: which node it shows decides how its bytes read.
  #focusLut(frame) {
    if (frame.classMap) return this.classLut;
    const outputLayer = frame.layerSizes.length - 1;
    const sigmoid = this.server && this.server.settings.loss === "binary_crossentropy" && this.classes === 2;
    if (frame.focusLayer === null) return sigmoid ? this.probabilityLut : this.lut;
    if (frame.focusLayer === outputLayer && this.outputLuts) return this.outputLuts[frame.focusUnit] || this.lut;
    if (frame.focusLayer === outputLayer && sigmoid) return this.probabilityLut;
    return this.lut;
  }

  // ---- your own data, classes ----

  #addPoint(x, y, ev) {
    if (!this.server || isHidden(this.hash, "yourData")) return;
    const round = (v) => Math.max(-6, Math.min(6, Math.round(v * 1000) / 1000));
    const label = this.classes > 2 ? this.pickedClass : ev.shiftKey ? -1 : 1;
    this.send(msg.addPoint(round(x), round(y), label));
  }

  #showClasses() {
    const K = this.classes;
    const multi = K > 2;
    $("ramp-legend").classList.toggle("hidden", multi);
    $("class-legend").classList.toggle("hidden", !multi);
    $("heatmap").title = multi
      ? "Click to add a training point of the class picked under the map."
      : K === 0
        ? "Click to add a training point with label +1 (blue); shift-click: −1 (orange)."
        : "Click to add a blue (+1) training point; shift-click adds an orange (−1) one.";
    if (this.pickedClass >= K) this.pickedClass = 0;
    const picker = $("class-legend").querySelector(".class-picker");
    if (!multi) {
      picker.replaceChildren();
      return;
    }
    picker.replaceChildren(...CLASS_COLORS.slice(0, K).map((color, k) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "class-choice";
      button.setAttribute("role", "radio");
      button.setAttribute("aria-checked", String(k === this.pickedClass));
      button.dataset.class = String(k);
      button.title = `Clicks on the map add ${className(k)} points`;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = toHex(color);
      button.append(swatch, className(k));
      button.addEventListener("click", () => {
        this.pickedClass = k;
        for (const b of picker.children) b.setAttribute("aria-checked", String(b === button));
      });
      return button;
    }));
  }

  // Under the checkboxes while the gradient view is on: what the links mean now.
  #gradientNote(frame) {
    const el = $("gradient-note");
    let text = "";
    if (frame.gradients) {
      let max = 0;
      for (const g of frame.gradients) for (let i = 0; i < g.length; i++) max = Math.max(max, g[i]);
      const dead = (frame.deadNodes || []).reduce((n, layer) => n + layer.reduce((a, b) => a + b, 0), 0);
      text = max > 0
        ? `Links show |∂L/∂w| of the last update: the darkest and thickest is the largest, ${max.toExponential(1)}.`
        : "Links will show |∂L/∂w| of the last update once training has taken a step.";
      if (dead > 0) text += ` ${dead} dead ReLU neuron${dead === 1 ? "" : "s"} (red cross): zero for every training point, so nothing flows back through ${dead === 1 ? "it" : "them"}.`;
    }
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("hidden", !text);
  }

  #askConfusion() {
    this.confusionAsked = performance.now();
    this.confusionEpoch = this.frame ? this.frame.epoch : null;
    this.send(msg.confusion());
  }

  // ---- conversation ----

  #helloSettings() {
    const settings = stateToSettings(this.hash, this.limits);
    for (const key of this.excluded) delete settings[key];
    return settings;
  }

  #hello() {
    const settings = this.#helloSettings();
    const resume = checkpointMatches(this.checkpoint, settings) ? this.checkpoint : null;
    this.helloPending = { attempts: (this.helloPending ? this.helloPending.attempts : 0) + 1, resume };
    this.pendingFrame = null;
    this.received = 0;
    this.send(resume ? msg.hello(resume.settings, resume) : msg.hello(settings));
    this.send(msg.credit(INITIAL_CREDIT));
    if (resume && Array.isArray(resume.history)) this.chart.load(resume.history);
  }

  #onState(m) {
    const wasPending = this.helloPending;
    this.helloPending = null;
    this.connection.confirm();
    this.server = m;
    this.limits = m.limits || this.limits;
    this.hash = settingsToState(this.hash, m.settings);
    this.#writeHash();
    this.controls.showSettings(m.settings, this.limits);
    this.controls.showPlaying(m.playing);
    this.controls.showMode(m.mode, m.settings);
    const classes = classesOf(m);
    if (classes !== this.classes) {
      this.classes = classes;
      this.#buildLuts();
      this.#showClasses();
      this.redraw = true;
      if (this.lastData) this.pendingData ||= this.lastData; // recolour the points
    }
    this.training.show(m.settings, classes);
    this.dataTools.showState(m);
    $("confusion-button").classList.toggle("hidden", classes === 0);
    if (classes === 0) this.confusion.close();
    if (!m.diverged && m.playing) this.controls.showMessage(null);
    if (wasPending && this.resumePlaying && !m.playing) this.send(msg.play());
    if (wasPending) this.resumePlaying = false;
  }

  #onError(m) {
    const pending = this.helloPending;
    if (pending && pending.attempts <= HELLO_RETRIES && HELLO_ERRORS.has(m.code)) {
      // A URL value the server refuses must not cost the page its session: drop the named
      // setting (the server's default applies) and ask again; an unnamed problem drops them all.
      const field = (m.field || "").replace(/^settings\.?/, "").split(".")[0];
      if (m.code === "invalid_checkpoint" || field === "checkpoint") this.#storeCheckpoint(null);
      else if (field) this.excluded.add(field);
      else this.excluded = new Set(Object.keys(this.#helloSettings()).filter((k) => k !== "seed"));
      console.warn(`server refused the page's settings (${m.message}); retrying`);
      this.#hello();
      return;
    }
    console.warn(`server: ${m.code}: ${m.message}`);
    if (this.dataTools.onError(m)) return;
    if (m.code !== "rate_limited") this.controls.showMessage(m.message);
    if (this.server) { // snap back
      this.controls.showSettings(this.server.settings, this.limits);
      this.training.show(this.server.settings, this.classes);
    }
  }

  #loadCheckpoint() {
    try {
      return JSON.parse(sessionStorage.getItem(CHECKPOINT_STORE) || "null");
    } catch {
      return null;
    }
  }

  #storeCheckpoint(checkpoint) {
    this.checkpoint = checkpoint;
    this.controls.showSaved(checkpoint ? checkpoint.epoch : null);
    try {
      if (checkpoint) sessionStorage.setItem(CHECKPOINT_STORE, JSON.stringify(checkpoint));
      else sessionStorage.removeItem(CHECKPOINT_STORE);
    } catch (err) {
      console.warn(`could not keep the checkpoint: ${err}`);
    }
  }

  // ---- structure edits (each one is a `set`; the server resets the network) ----

  #toggleFeature(key) {
    if (!this.server) return;
    const on = new Set(this.server.settings.features);
    if (on.has(key)) on.delete(key);
    else on.add(key);
    this.send(msg.set({ features: FEATURES.filter((f) => on.has(f)) }));
  }

  #changeLayers(delta) {
    if (!this.server) return;
    const shape = [...this.server.settings.network_shape];
    if (delta > 0 && shape.length < this.limits.max_layers) shape.push(2); // a new layer has 2 neurons
    else if (delta < 0 && shape.length > 0) shape.pop();
    else return;
    this.send(msg.set({ network_shape: shape }));
  }

  #changeNeurons(layer, delta) {
    if (!this.server) return;
    const shape = [...this.server.settings.network_shape];
    const n = shape[layer] + delta;
    if (n < 1 || n > this.limits.max_neurons) return;
    shape[layer] = n;
    this.send(msg.set({ network_shape: shape }));
  }

  // ---- drawing: one loop ----

  #tick() {
    requestAnimationFrame(() => this.#tick());
    if (this.pendingData && this.server) {
      this.heatmap.setPoints(this.pendingData.train, this.pendingData.test, this.classes);
      this.lastData = this.pendingData;
      this.pendingData = null;
    }
    if (this.server) this.#rebuildIfNeeded();
    if (this.pendingFrame) {
      const buffer = this.pendingFrame;
      this.pendingFrame = null;
      try {
        this.#draw(msg.decodeFrame(buffer), true);
      } catch (err) {
        console.warn(`dropping a frame: ${err.message}`);
      }
      this.send(msg.credit(Math.min(8, this.received)));
      this.received = 0;
    } else if (this.redraw && this.frame) {
      this.#draw(this.frame, false);
    }
    this.redraw = false;
    this.chart.draw();
  }

  #draw(frame, fresh) {
    this.frame = frame;
    if (frame.inputThumbnails) this.inputThumbs = frame.inputThumbnails;
    this.heatmap.draw(frame.focusMap, this.#focusLut(frame));
    const focus = frame.focusLayer === null ? "output" : `${frame.focusLayer}-${frame.focusUnit}`;
    $("heatmap").dataset.focus = focus; // which node the map shows (a test hook)
    this.network.update(frame, this.lut, this.inputThumbs, this.outputLuts);
    if (!fresh) return;
    this.#gradientNote(frame);
    const stale = this.confusionEpoch !== frame.epoch;
    if (this.confusion.open && stale && performance.now() - this.confusionAsked > CONFUSION_REFRESH_MS) {
      this.#askConfusion();
    }
    this.controls.showEpoch(frame.epoch);
    this.controls.showPlaying(frame.playing);
    if (this.server) this.server.playing = frame.playing;
    const names = (this.server && this.server.metrics) || [];
    this.controls.showLosses(frame.lossTrain, frame.lossTest, frame.metrics, names);
    this.chart.add(frame.epoch, frame.lossTrain, frame.lossTest);
    const detail = { epoch: frame.epoch, lossTrain: frame.lossTrain, lossTest: frame.lossTest, metrics: frame.metrics, names };
    window.dispatchEvent(new CustomEvent("nnp:frame", { detail })); // the lesson panel's goals
  }

  #rebuildIfNeeded() {
    const s = this.server.settings;
    const inputs = FEATURES.filter((key) => !isHidden(this.hash, key));
    const features = FEATURES.filter((key) => s.features.includes(key));
    if (this.width === null) this.width = this.#networkWidth();
    const width = this.width;
    const outputs = this.classes > 2 ? this.classes : 1;
    const key = JSON.stringify([inputs, features, s.network_shape, outputs, width, this.hash.hideText]);
    if (key === this.structureKey) return;
    this.structureKey = key;
    this.network.build({
      width,
      inputs,
      enabled: features,
      hidden: s.network_shape,
      outputs,
      maxNeurons: this.limits.max_neurons,
      showCallouts: !this.hash.hideText,
    });
    Controls.applyHideFlags(this.hash, $("network"));
    const network = $("network");
    network.parentElement.style.minHeight = `${network.offsetTop + network.offsetHeight + 20}px`;
  }

  #networkWidth() {
    const features = document.querySelector(".column.features").getBoundingClientRect();
    const output = document.querySelector(".column.output").getBoundingClientRect();
    return Math.round(output.left - features.left);
  }
}

