// Controls: DOM bindings of the top bar, the DATA column, the layer header and the OUTPUT
// options (docs/playground-rules.md §1, §6). User input becomes calls on `actions` (which talk to the
// server); server state comes back through the show* methods. No protocol or hash logic here.
// Trade-off: controls never assume a change succeeded; they show what the server echoes, so a
// refused value snaps back to the server's.

import { $ } from "./dom.js";
import { formatEpoch, formatLoss, layersLabel, metricLines } from "./format.js";
import { setDisabled } from "./keyboard.js";
import { clickWord } from "./pointer-words.js";
import { RovingFocus } from "./roving-focus.js";
import { HIDE_FLAGS } from "./state.js";

/** Select id → protocol settings key and value parser. */
const SELECTS = {
  learningRate: ["learning_rate", Number],
  activations: ["activation", String],
  regularizations: ["regularization", String],
  regularRate: ["regularization_rate", Number],
  problem: ["problem", String],
  speed: ["speed", (v) => (v === "max" ? null : Number(v))],
};

/** Slider id → protocol settings key. */
const SLIDERS = { percTrainData: "percent_train", noise: "noise", batchSize: "batch_size" };

/** Write a text only when it differs: every write costs a layout of the page. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

const TYPING = new Set(["INPUT", "SELECT", "TEXTAREA"]);

const STATUS_TEXT = {
  connecting: "connecting…",
  connected: "connected",
  reconnecting: "reconnecting…",
  idle: () => `paused while idle: ${clickWord()} to reconnect`,
  reclaimed: () => `place given to another student: ${clickWord()} to resume`,
  refused: "not connected",
};

export class Controls {
  /**
   * @param {object} actions
   * @param {() => void} actions.playPause @param {() => void} actions.step
   * @param {() => void} actions.reset @param {() => void} actions.regenerate
   * @param {(settings: object) => void} actions.set a partial protocol settings change
   * @param {(delta: number) => void} actions.layers add (+1) or remove (−1) a hidden layer
   * @param {(key: string, value: boolean) => void} actions.display showTestData / discretize
   */
  constructor(actions) {
    this.actions = actions;
    this.settings = null;
    $("play-pause-button").addEventListener("click", () => actions.playPause());
    $("next-step-button").addEventListener("click", () => actions.step());
    $("reset-button").addEventListener("click", () => actions.reset());
    $("data-regen-button").addEventListener("click", () => actions.regenerate());
    $("add-layers").addEventListener("click", () => actions.layers(+1));
    $("remove-layers").addEventListener("click", () => actions.layers(-1));
    for (const [id, [key, parse]] of Object.entries(SELECTS)) {
      $(id).addEventListener("change", (ev) => actions.set({ [key]: parse(ev.target.value) }));
    }
    for (const [id, key] of Object.entries(SLIDERS)) {
      const input = $(id);
      input.addEventListener("input", () => {
        this.#showSlider(id, input.value);
        const value = Number(input.value);
        if (!this.settings || value !== this.settings[key]) actions.set({ [key]: value });
      });
    }
    for (const button of document.querySelectorAll(".dataset")) {
      button.addEventListener("click", () => this.#pickDataset(button.dataset.dataset));
    }
    // The datasets are one radio group: one Tab stop (the checked one), arrows pick the next.
    this.datasetGroup = new RovingFocus(document.querySelector(".dataset-list"), (el) => el.dataset.dataset,
      (el) => this.#pickDataset(el.dataset.dataset));
    this.datasetProblem = null; // the problem type the group's items were taken for
    for (const id of ["show-test-data", "discretize"]) {
      const key = id === "show-test-data" ? "showTestData" : "discretize";
      $(id).addEventListener("change", (ev) => actions.display(key, ev.target.checked));
    }
    $("gradient-view").addEventListener("change", (ev) => actions.set({ gradient_view: ev.target.checked }));
    $("smaller-lr-button").addEventListener("click", () => {
      const lr = this.settings ? this.settings.learning_rate : 0.03;
      actions.smallerRate(Math.max(1e-7, Number((lr / 10).toPrecision(6))));
    });
    document.addEventListener("keydown", (ev) => this.#key(ev));
  }

  // Before the session's first `state` (this.settings null) a pick is sent all the same: the
  // server applies it after the hello, and an unchanged dataset changes nothing there.
  #pickDataset(name) {
    const regression = name.startsWith("reg-");
    const key = regression ? "reg_dataset" : "dataset";
    if (!this.settings || this.settings[key] !== name) this.actions.set({ [key]: name }); // same dataset: ignored (docs/playground-rules.md §5)
  }

  // Space: play/pause, →: step, r: reset; not while typing, and a focused button keeps its own
  // Space/Enter behaviour.
  #key(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const target = ev.target;
    if (TYPING.has(target.tagName) || target.isContentEditable) return;
    if (ev.key === " " && target.closest && target.closest("button, [role='button']")) return;
    const { playPause, step, reset } = this.actions;
    const run = { " ": playPause, ArrowRight: step, r: reset, R: reset }[ev.key];
    if (!run) return;
    ev.preventDefault();
    run();
  }

  /**
   * Show the server's settings in every control.
   * @param {object} settings complete protocol settings from a `state` message
   * @param {{max_layers:number, max_neurons:number}} limits
   */
  showSettings(settings, limits) {
    this.settings = settings;
    const selectValue = {
      learningRate: settings.learning_rate,
      activations: settings.activation,
      regularizations: settings.regularization,
      regularRate: settings.regularization_rate,
      problem: settings.problem,
      speed: settings.speed,
    };
    for (const [id, value] of Object.entries(selectValue)) this.#selectValue($(id), value);
    for (const [id, key] of Object.entries(SLIDERS)) {
      const input = $(id);
      if (id === "noise") input.max = String(Math.max(50, settings.noise)); // URL noise up to 80 (§6)
      input.value = String(settings[key]);
      this.#showSlider(id, settings[key]);
    }
    const main = $("main-part");
    main.classList.toggle("problem-regression", settings.problem === "regression");
    main.classList.toggle("problem-classification", settings.problem !== "regression");
    this.#showDataset(settings);
    $("gradient-view").checked = Boolean(settings.gradient_view);
    const layers = settings.network_shape.length;
    $("num-layers").textContent = String(layers);
    $("layers-label").textContent = layersLabel(layers);
    setDisabled($("add-layers"), layers >= limits.max_layers);
    setDisabled($("remove-layers"), layers <= 0);
  }

  // The checked dataset, and the radio group's items: those of the problem type (style.css
  // hides the others).
  #showDataset(settings) {
    const regression = settings.problem === "regression";
    const active = regression ? settings.reg_dataset : settings.dataset;
    const buttons = [...document.querySelectorAll(".dataset")];
    if (this.datasetProblem !== regression) {
      this.datasetProblem = regression;
      this.datasetGroup.setItems(buttons.filter((b) => b.classList.contains("regression") === regression));
    }
    for (const button of buttons) {
      const on = button.dataset.dataset === active;
      button.classList.toggle("selected", on);
      button.setAttribute("aria-checked", String(on));
      if (on) this.datasetGroup.activate(button);
    }
  }

  // Numbers match numerically (0.00001 == 1e-5); a value not in the list selects nothing (§6).
  #selectValue(select, value) {
    const matches = (o) => {
      if (typeof value === "number") return Number(o.value) === value;
      return value === null ? o.value === "max" : o.value === value;
    };
    select.selectedIndex = [...select.options].findIndex(matches);
  }

  #showSlider(id, value) {
    const input = $(id);
    $(`${id}-value`).textContent = String(value);
    const span = Number(input.max) - Number(input.min);
    const fill = span > 0 ? ((Number(value) - Number(input.min)) / span) * 100 : 0;
    input.style.setProperty("--fill", `${Math.max(0, Math.min(100, fill))}%`);
  }

  /** @param {boolean} playing */
  showPlaying(playing) {
    const button = $("play-pause-button");
    if (button.getAttribute("aria-pressed") === String(playing)) return; // called every frame
    button.classList.toggle("playing", playing);
    button.setAttribute("aria-pressed", String(playing));
  }

  /** @param {number} epoch */
  showEpoch(epoch) {
    setText($("iter-number"), formatEpoch(epoch));
  }

  /**
   * @param {number} train @param {number} test
   * @param {number[]} metrics values named by `names` (state.metrics)
   * @param {string[]} names
   */
  showLosses(train, test, metrics, names) {
    for (const [id, loss] of [["loss-train", train], ["loss-test", test]]) {
      setText($(id), formatLoss(loss));
      setText($(`bar-${id}`), formatLoss(loss)); // the phone's play bar
    }
    // One div per line, kept across frames: only a line's text changes while training.
    const lines = metricLines(names, metrics);
    const el = $("extra-metrics");
    while (el.children.length > lines.length) el.lastElementChild.remove();
    while (el.children.length < lines.length) el.append(document.createElement("div"));
    lines.forEach((line, i) => setText(el.children[i], line));
  }

  /**
   * The mode badge: hidden in playground mode; in Keras mode it says what differs and why.
   * @param {"playground"|"keras"} mode @param {string[]} [reasons] the `state` message's mode_reasons
   * @param {number} [classes] K: 3 or more classes are Keras mode by nature (softmax)
   */
  showMode(mode, reasons = [], classes = 2) {
    const badge = $("mode-badge");
    badge.textContent = mode === "playground" ? "playground mode" : "Keras mode";
    badge.classList.toggle("hidden", mode === "playground");
    badge.title = mode === "playground"
      ? "Playground mode: every number follows TensorFlow Playground exactly."
      : `Keras mode: ${reasons.join(", ") || "settings beyond TensorFlow Playground's"} — those parts `
        + "follow Keras 3 to the formula. "
        + (classes > 2
          ? `A dataset of ${classes} classes needs softmax outputs and categorical cross-entropy, which `
            + "TensorFlow Playground does not have; a two-class dataset brings its behaviour back. "
          : "Plain SGD, the ½ squared-error loss, the playground's initializer and no shuffling "
            + "bring back TensorFlow Playground's exact behaviour. ")
        + "Click to open the Training panel.";
    badge.setAttribute("aria-label", badge.title);
  }

  /** @param {string} state a Connection status @param {string} detail */
  showStatus(state, detail) {
    const el = $("connection-status");
    el.dataset.state = state;
    if (state === "connected") el.dataset.connects = String(Number(el.dataset.connects || 0) + 1);
    const text = STATUS_TEXT[state];
    el.textContent = (typeof text === "function" ? text() : text) || state;
    el.dataset.detail = detail || "";
    this.#statusTitle();
  }

  /** Note on the connection indicator which epoch a reload or reconnect resumes from. */
  showSaved(epoch) {
    const el = $("connection-status");
    if (epoch === null || epoch === undefined) delete el.dataset.checkpointEpoch;
    else el.dataset.checkpointEpoch = String(epoch);
    this.#statusTitle();
  }

  #statusTitle() {
    const el = $("connection-status");
    const saved = el.dataset.checkpointEpoch;
    const note = saved === undefined ? "" : `progress saved at epoch ${saved}`;
    el.title = [el.dataset.detail, note].filter(Boolean).join(" · ");
  }

  /**
   * A message from the server (divergence, epochs limit, a refused change); null hides it.
   * @param {string|null} text @param {{diverged?: boolean}} [opts] offer the smaller-rate reset
   */
  showMessage(text, { diverged = false } = {}) {
    const el = $("event-message");
    el.querySelector(".text").textContent = text || "";
    el.classList.toggle("hidden", !text);
    const button = $("smaller-lr-button");
    button.classList.toggle("hidden", !diverged);
    if (diverged && this.settings) {
      const lr = Number((this.settings.learning_rate / 10).toPrecision(6));
      button.textContent = `Reset with learning rate ${lr}`;
      button.title = "Divide the learning rate by 10 and start again from new initial weights";
    }
  }

  /** @param {boolean} showTest @param {boolean} discretize */
  showDisplay(showTest, discretize) {
    $("show-test-data").checked = showTest;
    $("discretize").checked = discretize;
  }

  /**
   * Hide `ui-<name>` elements for every `<name>_hide=true` (§8), and the text for hideText.
   * @param {object} state the hash state @param {ParentNode} [root]
   */
  static applyHideFlags(state, root = document) {
    for (const name of HIDE_FLAGS) {
      if (state[`${name}_hide`] !== true) continue;
      for (const el of root.querySelectorAll(`.ui-${name}`)) el.classList.add("hidden");
    }
    if (state.hideText) for (const el of root.querySelectorAll(".ui-text")) el.classList.add("hidden");
  }
}

