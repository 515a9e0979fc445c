// The network's structure on the page: the edits a click asks for (each one a `set`; the server
// resets the network) and the rebuild of NetworkView when the structure, the column width or
// what the hash hides changes.
// Trade-off: an edit builds on what the page last asked for while that is unanswered (so three
// quick clicks on "remove a layer" remove three layers, even on a slow server), and on the
// server's echoed settings otherwise; a refusal or an answer that never comes (a new session)
// drops the asked-for basis, so clicks never keep building on a change the server refused.

import { Controls } from "./controls.js";
import { $ } from "./dom.js";
import { RECT_SIZE } from "./network-layout.js";
import { FEATURES, isHidden } from "./state.js";

/** The features after clicking one input node: toggled, in canonical order. */
export function toggledFeatures(features, key) {
  const on = new Set(features);
  if (on.has(key)) on.delete(key);
  else on.add(key);
  return FEATURES.filter((f) => on.has(f));
}

/** The shape after adding (+1, a new layer has 2 neurons) or removing (−1) a layer; null: no change. */
export function layersChanged(shape, delta, maxLayers) {
  if (delta > 0 && shape.length < maxLayers) return [...shape, 2];
  if (delta < 0 && shape.length > 0) return shape.slice(0, -1);
  return null;
}

/** The shape after adding or removing a neuron of one hidden layer; null: out of range. */
export function neuronsChanged(shape, layer, delta, maxNeurons) {
  const n = shape[layer] + delta;
  if (n < 1 || n > maxNeurons) return null;
  const next = [...shape];
  next[layer] = n;
  return next;
}

/** How long an unanswered structure edit stays the basis of the next one. */
const ASKED_FOR_MS = 3000;

/** The structure (network_shape, features) the next click edits. */
export class StructureBasis {
  constructor(now = () => performance.now()) {
    this.now = now;
    this.asked = null; // {network_shape?, features?} sent and not yet echoed
    this.askedAt = 0;
  }

  /** The settings a click builds on: the server's, overlaid with what is still unanswered. */
  of(settings) {
    const fresh = this.asked && this.now() - this.askedAt < ASKED_FOR_MS;
    return { network_shape: settings.network_shape, features: settings.features, ...(fresh ? this.asked : {}) };
  }

  /** A structure edit was sent; returns it for chaining into msg.set. */
  ask(patch) {
    this.asked = { ...(this.asked || {}), ...patch };
    this.askedAt = this.now();
    return patch;
  }

  /** A `state` arrived: once it shows everything asked for, the server's settings are the basis. */
  echoed(settings) {
    if (!this.asked) return;
    const same = Object.entries(this.asked).every(([k, v]) => JSON.stringify(settings[k]) === JSON.stringify(v));
    if (same) this.asked = null;
  }

  /** The server refused a message: build on its settings again. */
  refused() {
    this.asked = null;
  }
}

export class NetworkStructure {
  /** @param {import("./network-view.js").NetworkView} view */
  constructor(view) {
    this.view = view;
    this.key = ""; // what the drawn structure was built from
    this.width = null; // network overlay width in px, measured once per resize
  }

  /** The window was resized: measure the columns again on the next rebuild check. */
  resized() {
    this.width = null;
  }

  /** Rebuild on the next check even if nothing seems to have changed. */
  invalidate() {
    this.key = "";
  }

  /** Rebuild the view when its inputs changed. */
  update(settings, hash, classes, maxNeurons) {
    const inputs = FEATURES.filter((key) => !isHidden(hash, key));
    const features = FEATURES.filter((key) => settings.features.includes(key));
    if (this.width === null) this.width = networkWidth();
    const width = this.width;
    const outputs = classes > 2 ? classes : 1;
    const key = JSON.stringify([inputs, features, settings.network_shape, outputs, width, hash.hideText]);
    if (key === this.key) return;
    this.key = key;
    this.view.build({
      width,
      inputs,
      enabled: features,
      hidden: settings.network_shape,
      outputs,
      maxNeurons,
      showCallouts: !hash.hideText,
    });
    const network = $("network");
    Controls.applyHideFlags(hash, network);
    network.parentElement.style.minHeight = `${network.offsetTop + network.offsetHeight + 20}px`;
  }
}

// From the FEATURES column to the OUTPUT column, as the playground measures it; on a narrow
// screen OUTPUT sits below the network (style.css), so the network ends where its row does.
function networkWidth() {
  const features = document.querySelector(".column.features").getBoundingClientRect();
  const output = document.querySelector(".column.output").getBoundingClientRect();
  if (output.left > features.left) return Math.round(output.left - features.left);
  const layers = document.querySelector(".column.hidden-layers").getBoundingClientRect();
  return Math.round(layers.right - features.left) - RECT_SIZE; // the overlay adds one node
}
