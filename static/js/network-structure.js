// The network's structure on the page: the edits a click asks for (each one a `set`; the server
// resets the network) and the rebuild of NetworkView when the structure, the column width or
// what the hash hides changes.
// Trade-off: the edits are computed from the server's echoed settings, never from what the page
// last asked for, so two quick clicks cannot build on a change the server refused.

import { $ } from "./dom.js";
import { Controls } from "./controls.js";
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

function networkWidth() {
  const features = document.querySelector(".column.features").getBoundingClientRect();
  const output = document.querySelector(".column.output").getBoundingClientRect();
  return Math.round(output.left - features.left);
}
