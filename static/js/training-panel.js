// TrainingPanel: the collapsible "Training" section below the playground (issue 6): optimizer and
// only its own Keras 3 hyperparameters, learning-rate decay, loss, weight initializer, seed,
// shuffle and "stop at epoch". Like Controls, it shows what the server echoes and turns edits
// into partial `set` messages; it never assumes a change succeeded.
// Trade-off: numbers are sent on `change` (Enter or leaving the field), not on every keystroke,
// because each of these settings resets the network.

import { $ } from "./dom.js";
import { INITIALIZERS, LOSSES, OPTIMIZERS, PLAYGROUND_LOSS_NOTE, cleanOptions, kerasCompile, kerasFit, optimizerParams, optionValue, validLosses } from "./keras.js";

/** Summary line of the closed panel. Example: "SGD · ½ squared error · playground init · seed 0.5". */
export function trainingSummary(settings) {
  const opt = OPTIMIZERS[settings.optimizer] || OPTIMIZERS.sgd;
  const options = cleanOptions(settings.optimizer, settings.optimizer_options || {});
  const extras = Object.keys(options).map((k) => (k === "decay" ? "decay" : k.replace("_", "")));
  const parts = [extras.length ? `${opt.label} (${extras.join(", ")})` : opt.label];
  parts.push((LOSSES[settings.loss] || settings.loss).replace(" (playground)", ""));
  parts.push(settings.initializer === "playground" ? "playground init" : `${settings.initializer} init`);
  parts.push(`seed ${settings.seed}`);
  if (settings.shuffle) parts.push("shuffled");
  if (settings.epochs_limit != null) parts.push(`stop at ${settings.epochs_limit}`);
  return parts.join(" · ");
}

/**
 * The note under the optimizer about its Keras default learning rate. It points at the top
 * bar's select only when the page shows it (a lesson or a link may hide it).
 * Example: rateNote({label: "Adam", lr: 0.001}, 0.03, true) ->
 *   "Keras's default learning rate for Adam is 0.001; this run uses 0.03."
 */
export function rateNote(optimizer, rate, hidden) {
  if (rate === optimizer.lr) return `Keras's default learning rate for ${optimizer.label}.`;
  const where = hidden ? `; this run uses ${rate}.` : " (the top bar sets it).";
  return `Keras's default learning rate for ${optimizer.label} is ${optimizer.lr}${where}`;
}

/** Whether the learning-rate select is hidden, by a link's `learningRate_hide` or a lesson step. */
function rateHidden() {
  const select = document.querySelector(".ui-learningRate");
  return document.body.classList.contains("lesson-hide-learningRate") || !select || select.classList.contains("hidden");
}

function option(value, text) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = text;
  return el;
}

export class TrainingPanel {
  /** @param {{set: (settings: object) => void}} actions */
  constructor(actions) {
    this.actions = actions;
    this.settings = null;
    this.paramsFor = null; // the optimizer whose inputs are built
    this.inputs = new Map(); // keyword → input
    this.details = $("training-panel");
    for (const [name, spec] of Object.entries(OPTIMIZERS)) $("optimizer").append(option(name, spec.label));
    for (const [name, label] of Object.entries(INITIALIZERS)) $("initializer").append(option(name, label));
    $("optimizer").addEventListener("change", (ev) => {
      const decay = this.settings ? optionValue(this.settings.optimizer, "decay", this.settings.optimizer_options) : 0;
      const name = ev.target.value;
      actions.set({ optimizer: name, optimizer_options: cleanOptions(name, { decay }) });
    });
    $("loss").addEventListener("change", (ev) => actions.set({ loss: ev.target.value }));
    $("initializer").addEventListener("change", (ev) => actions.set({ initializer: ev.target.value }));
    $("shuffle").addEventListener("change", (ev) => actions.set({ shuffle: ev.target.checked }));
    const seed = $("seed-input");
    seed.addEventListener("change", () => {
      const value = seed.value.trim();
      if (value && this.settings && value !== this.settings.seed) actions.set({ seed: value });
      else if (this.settings) seed.value = this.settings.seed;
    });
    const limit = $("epochs-limit");
    limit.addEventListener("change", () => {
      const n = Math.round(Number(limit.value));
      actions.set({ epochs_limit: limit.value.trim() === "" || !(n >= 1) ? null : n });
    });
  }

  /** Open the panel (the mode badge's click). */
  open() {
    this.details.open = true;
    this.details.scrollIntoView({ block: "nearest" });
  }

  /**
   * Show the server's settings.
   * @param {object} settings complete protocol settings @param {number} classes state.classes
   */
  show(settings, classes) {
    this.settings = settings;
    const name = OPTIMIZERS[settings.optimizer] ? settings.optimizer : "sgd";
    $("optimizer").value = name;
    if (this.paramsFor !== name) this.#buildParams(name);
    const options = settings.optimizer_options || {};
    for (const [key, input] of this.inputs) {
      const v = optionValue(name, key, options);
      if (input.type === "checkbox") input.checked = Boolean(v);
      else if (document.activeElement !== input) input.value = String(v);
    }
    $("optimizer-note").textContent = rateNote(OPTIMIZERS[name], settings.learning_rate, rateHidden());

    const loss = $("loss");
    const losses = validLosses(settings.problem, classes);
    if (loss.dataset.options !== losses.join()) {
      loss.replaceChildren(...losses.map((k) => option(k, LOSSES[k])));
      loss.dataset.options = losses.join();
    }
    loss.value = settings.loss;
    loss.disabled = losses.length === 1;
    loss.title = classes > 2 ? "Fixed: K softmax outputs train with categorical cross-entropy" : "";
    $("initializer").value = settings.initializer;
    $("shuffle").checked = Boolean(settings.shuffle);
    if (document.activeElement !== $("seed-input")) $("seed-input").value = settings.seed;
    if (document.activeElement !== $("epochs-limit")) {
      $("epochs-limit").value = settings.epochs_limit == null ? "" : String(settings.epochs_limit);
    }
    $("training-summary").textContent = trainingSummary(settings);
    const note = settings.loss === "playground" ? `${PLAYGROUND_LOSS_NOTE}\n` : "";
    $("keras-line").textContent = `${note}model.${kerasCompile(settings)}\nmodel.${kerasFit(settings)}`;
  }

  #buildParams(name) {
    const box = $("optimizer-params");
    this.inputs = new Map();
    const fields = optimizerParams(name).map((p) => {
      const id = `opt-${p.key}`;
      const input = document.createElement("input");
      input.id = id;
      input.dataset.param = p.key;
      input.title = `${p.hint} (Keras default ${p.type === "bool" ? (p.def ? "on" : "off") : p.def})`;
      const label = document.createElement("label");
      if (p.type === "bool") {
        input.type = "checkbox";
        label.className = "checkbox";
        label.title = input.title;
        const text = document.createElement("span");
        text.textContent = p.label;
        label.append(input, " ", text);
        input.addEventListener("change", () => this.#setParam(p.key, input.checked));
        this.inputs.set(p.key, input);
        return label;
      }
      input.type = "number";
      input.className = "text-input";
      input.step = String(p.step);
      input.min = String(p.min);
      input.max = String(p.max);
      input.addEventListener("change", () => {
        const v = input.value.trim() === "" ? p.def : Number(input.value);
        if (Number.isFinite(v)) this.#setParam(p.key, v);
        else input.value = String(p.def);
      });
      label.htmlFor = id;
      label.textContent = p.label;
      const field = document.createElement("div");
      field.className = "field";
      field.append(label, input);
      this.inputs.set(p.key, input);
      return field;
    });
    box.replaceChildren(...fields);
    this.paramsFor = name;
  }

  #setParam(key, value) {
    if (!this.settings) return;
    const name = this.settings.optimizer;
    const options = { ...(this.settings.optimizer_options || {}), [key]: value };
    this.actions.set({ optimizer_options: cleanOptions(name, options) });
  }
}
