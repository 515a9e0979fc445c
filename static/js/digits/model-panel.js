// The model panel: the hidden Dense layers (units and activation, up to three), the optimizer
// with its Keras keywords, the initializer and fit()'s batch size, epochs, validation split and
// shuffling, the data's size and the precision; under them what the settings amount to in Keras:
// model.summary()'s rows and total, and the compile()/fit() code. A change is sent as a `set` and
// the panel is redrawn from the server's `state`, the one source of truth (the server refuses
// what it cannot build, with a message shown under the panel).
// Trade-off: number fields send on "change" (Enter or leaving the field), not on every key, so a
// half-typed 512 is never a 5-unit model.

import { $ } from "../dom.js";

const MAX_LAYERS = 3;

function option(value, label) {
  const o = document.createElement("option");
  o.value = String(value);
  o.textContent = label;
  return o;
}

export class ModelPanel {
  /**
   * @param {object} lists the page's lists (JSON island)
   * @param {(patch: object) => void} send a `set` with these keys
   */
  constructor(lists, send) {
    this.lists = lists;
    // Optimistic: the next edit builds on this one even before the server's `state` answers
    // (two quick edits must not undo each other); that state then replaces these settings.
    this.send = (patch) => {
      this.settings = { ...this.settings, ...patch };
      send(patch);
    };
    this.settings = lists.defaults;
    this.layers = $("digits-layers");
    const fill = (id, entries) => $(id).replaceChildren(...entries.map(([v, l]) => option(v, l)));
    fill("digits-optimizer", Object.entries(lists.optimizers).map(([k, o]) => [k, o.label]));
    fill("digits-initializer", Object.entries(lists.initializers));
    fill("digits-data", Object.entries(lists.sources).map(([k, s]) => [k, s.label]));
    this.#wire();
  }

  #wire() {
    const on = (id, fn) => $(id).addEventListener("change", (e) => fn(e.target));
    on("digits-data", (el) => this.send({ data: el.value, train_images: null }));
    on("digits-optimizer", (el) => {
      const lr = this.lists.optimizers[el.value].lr;
      this.send({ optimizer: el.value, learning_rate: lr, optimizer_options: {} });
    });
    on("digits-lr", (el) => this.#number(el, "learning_rate"));
    on("digits-initializer", (el) => this.send({ initializer: el.value }));
    on("digits-batch", (el) => this.#number(el, "batch_size", true));
    on("digits-epochs", (el) => this.#number(el, "epochs", true));
    on("digits-validation", (el) => this.send({ validation_split: Number(el.value) }));
    on("digits-train-images", (el) => this.send({ train_images: el.value ? Number(el.value) : null }));
    on("digits-shuffle", (el) => this.send({ shuffle: el.checked }));
    on("digits-precision", (el) => this.send({ precision: el.value }));
    $("digits-add-layer").addEventListener("click", () => {
      const activation = Object.keys(this.lists.activations)[0]; // the registry's first
      const layers = [...this.settings.layers, { units: 32, activation }];
      this.send({ layers });
    });
  }

  #number(el, key, integer = false) {
    const value = Number(el.value);
    if (el.value === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      this.render(this.state);
      return;
    }
    this.send({ [key]: value });
  }

  /** Redraw everything from a `state` message. @param {object} state */
  render(state) {
    this.state = state;
    const s = (this.settings = state.settings);
    this.#layerRows(s.layers);
    $("digits-data").value = s.data;
    $("digits-optimizer").value = s.optimizer;
    $("digits-lr").value = String(s.learning_rate);
    $("digits-initializer").value = s.initializer;
    $("digits-batch").value = String(s.batch_size);
    $("digits-epochs").value = String(s.epochs);
    $("digits-validation").value = String(s.validation_split);
    this.#trainImages(state.data, s.train_images);
    $("digits-shuffle").checked = s.shuffle;
    $("digits-precision").value = s.precision;
    this.#hyperparameters(s);
    this.#summary(state.summary);
    const code = state.code;
    $("digits-code").textContent = [...code.model, "", ...code.compile, "", ...code.fit].join("\n");
    $("digits-data-note").textContent =
      `${state.data.train.toLocaleString("en")} training, ${state.data.validation.toLocaleString("en")} validation and ` +
      `${state.data.test.toLocaleString("en")} test images: ${state.data.note}.`;
  }

  #layerRows(layers) {
    const rows = layers.map((layer, i) => {
      const row = document.createElement("div");
      row.className = "layer-row";
      row.innerHTML = `<span class="layer-name">Dense</span>
        <input type="number" min="1" max="${this.lists.limits.max_units}" step="1" aria-label="units of hidden layer ${i + 1}" class="units">
        <select aria-label="activation of hidden layer ${i + 1}" class="activation"></select>
        <button type="button" class="remove" aria-label="remove hidden layer ${i + 1}" title="Remove this layer">×</button>`;
      const units = row.querySelector(".units");
      units.value = String(layer.units);
      const act = row.querySelector(".activation");
      act.append(...Object.entries(this.lists.activations).map(([k, label]) => option(k, label)));
      act.value = layer.activation;
      const edit = (patch) => this.send({ layers: this.settings.layers.map((l, k) => (k === i ? { ...l, ...patch } : l)) });
      units.addEventListener("change", () => {
        const n = Number(units.value);
        if (Number.isInteger(n) && n > 0) edit({ units: n });
        else units.value = String(layer.units);
      });
      act.addEventListener("change", () => edit({ activation: act.value }));
      row.querySelector(".remove").addEventListener("click", () => this.send({ layers: this.settings.layers.filter((_, k) => k !== i) }));
      return row;
    });
    const output = document.createElement("div");
    output.className = "layer-row output";
    output.innerHTML = '<span class="layer-name">Dense</span><span class="fixed">10</span><span class="fixed">softmax</span>';
    this.layers.replaceChildren(...rows, output);
    $("digits-add-layer").disabled = layers.length >= MAX_LAYERS;
  }

  /** "all (N)" and the round sizes below N; a size from a link that is not one of them too. */
  #trainImages(data, chosen) {
    const select = $("digits-train-images");
    const all = data.available;
    const sizes = [500, 1000, 2000, 5000, 10000, 20000, 30000].filter((n) => n < all);
    if (chosen !== null && !sizes.includes(chosen)) sizes.push(chosen);
    sizes.sort((a, b) => a - b);
    select.replaceChildren(option("", `all (${all.toLocaleString("en")})`),
      ...sizes.map((n) => option(n, n.toLocaleString("en"))));
    select.value = chosen === null ? "" : String(chosen);
  }

  #hyperparameters(s) {
    const box = $("digits-hyper");
    const defaults = this.lists.optimizers[s.optimizer].defaults;
    const options = s.optimizer_options;
    const rows = this.lists.hyperparameters.filter((h) => h.key in defaults).map((h) => {
      const label = document.createElement("label");
      label.className = "hyper";
      label.title = h.hint;
      const input = document.createElement("input");
      const value = h.key in options ? options[h.key] : defaults[h.key];
      if (h.type === "bool") {
        input.type = "checkbox";
        input.checked = Boolean(value);
      } else {
        input.type = "number";
        input.step = String(h.step ?? "any");
        input.value = String(value);
      }
      input.addEventListener("change", () => {
        const v = h.type === "bool" ? input.checked : Number(input.value);
        if (h.type !== "bool" && (input.value === "" || !Number.isFinite(v))) return this.render(this.state);
        this.send({ optimizer_options: { ...this.settings.optimizer_options, [h.key]: v } });
      });
      label.append(`${h.label} `, input);
      return label;
    });
    box.replaceChildren(...rows);
  }

  #summary(summary) {
    const table = $("digits-summary");
    const rows = summary.layers.map((l) =>
      `<tr><td>${l.name} (Dense, ${l.activation})</td><td>(None, ${l.units})</td><td>${l.params.toLocaleString("en")}</td></tr>`);
    table.innerHTML = `<tr><th>Layer (type)</th><th>Output shape</th><th>Param #</th></tr>${rows.join("")}`;
    $("digits-params").textContent = summary.total.toLocaleString("en");
    $("digits-params").dataset.value = String(summary.total);
  }
}
