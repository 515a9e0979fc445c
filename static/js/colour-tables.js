// ColourTables: which 256-entry colour table turns a frame's bytes into pixels. The ramp (every
// map), the class map and one table per softmax unit (K > 2), and the sigmoid output's
// probabilities (binary cross-entropy: p = ½ is the grey middle).
// Trade-off: tables are rebuilt only when K or "discretize" changes; a frame just picks one.

import { CLASS_COLORS, buildClassLut, buildLut, buildProbabilityLut } from "./colors.js";

export class ColourTables {
  constructor() {
    this.ramp = null;
    this.classMap = null;
    this.outputs = null; // one per softmax output unit, or null when K ≤ 2
    this.probability = null;
    this.classes = 2;
  }

  /** Rebuild for K classes (0: regression) and the discretize flag. */
  build(classes, discretize) {
    const d = Boolean(discretize);
    this.classes = classes;
    this.ramp = buildLut(d);
    this.classMap = buildClassLut(Math.max(classes, 2), d);
    this.outputs = classes > 2 ? CLASS_COLORS.slice(0, classes).map((c) => buildProbabilityLut(c, d)) : null;
    this.probability = buildProbabilityLut(null, d);
  }

  /**
   * The map's table for a frame: which node it shows decides how its bytes read.
   * @param {object} frame decoded @param {string|undefined} loss the server's current loss
   */
  forFrame(frame, loss) {
    if (frame.classMap) return this.classMap;
    const outputLayer = frame.layerSizes.length - 1;
    const sigmoid = loss === "binary_crossentropy" && this.classes === 2;
    if (frame.focusLayer === null) return sigmoid ? this.probability : this.ramp;
    if (frame.focusLayer === outputLayer && this.outputs) return this.outputs[frame.focusUnit] || this.ramp;
    if (frame.focusLayer === outputLayer && sigmoid) return this.probability;
    return this.ramp;
  }
}
