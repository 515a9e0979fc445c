// NetworkView: the network between the FEATURES and OUTPUT columns (docs/playground-rules.md §7.4):
// input nodes (click to toggle), hidden nodes with 10×10 thumbnails, links coloured and sized by
// weight with the flowing dash, bias squares (the output's too, which the playground hides),
// per-layer neuron buttons, the two callouts (callouts.js) and the weight/bias hover card.
// Geometry comes from network-layout.js; values come from decoded frames.
// Trade-off: the visible links and their arrow markers are painted on one canvas under the nodes
// (links-canvas.js, in a worker). As ~400 SVG paths whose colour, width and dash offset changed
// every frame they cost a style recalc, a repaint and a re-raster of every path each frame (about
// 35 ms of the main thread on two cores). The DOM keeps only what is static or rarely changes:
// an invisible SVG path over each link for hover and click (weight-targets.js), the bias squares,
// the nodes.

import { placeCallouts } from "./callouts.js";
import { svgEl } from "./dom.js";
import { HoverCard } from "./hovercard.js";
import { focusKey, refocus } from "./keyboard.js";
import { LinksCanvas, colorOf, gradientLevel } from "./links-canvas.js";
import { RECT_SIZE, layoutNetwork } from "./network-layout.js";
import { biasRects, compactControls, drawThumb, inputNodeDiv, layerControls, nodeDiv, outputNodeDiv } from "./network-nodes.js";
import { RovingFocus } from "./roving-focus.js";
import { FEATURE_LABELS, FEATURES } from "./state.js";
import { WeightTargets } from "./weight-targets.js";

export { gradientLevel, linkWidth } from "./links-canvas.js";

const DEAD_TITLE = "dead ReLU: zero for every training point, so no gradient flows through it";

export class NetworkView {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.root #network: nodes, controls and the card are placed in it
   * @param {SVGSVGElement} opts.svg #svg: links and bias squares
   * @param {object} opts.handlers
   * @param {(key: string) => void} opts.handlers.toggleFeature
   * @param {(layer: number, delta: number) => void} opts.handlers.neurons hidden layer index (0-based)
   * @param {(layer: number|null, unit: number) => void} opts.handlers.focus protocol focus
   * @param {(target: object, value: number) => void} opts.handlers.edit weight or bias edit
   */
  constructor({ root, svg, handlers }) {
    Object.assign(this, { root, svg, handlers });
    this.card = new HoverCard(root.querySelector("#hovercard"), (t, value) => handlers.edit(t, value));
    this.links = [];
    this.linksCanvas = new LinksCanvas(svg); // the visible links, under the SVG and the nodes
    this.biasFills = [];
    this.outputCanvases = [];
    this.hiddenCanvases = [];
    this.inputCanvases = new Map();
    this.biases = [];
    this.neuronGroups = []; // one RovingFocus per hidden layer, kept across rebuilds
    this.layout = null;
    this.shape = ""; // layer sizes of the drawn structure, "2,4,2,1"
    this.hovering = false; // a node is hovered: the map shows it
    this.frame = null; // the newest frame with what it was drawn with, for a rebuild
    this.lut = null;
    this.inputThumbs = null;
    this.outputLuts = null;
    this.targets = new WeightTargets({
      root, svg, card: this.card, valueOf: (t) => this.#valueOf(t), noteOf: (t) => this.#noteOf(t),
    });
  }

  /**
   * Rebuild the drawing for a structure.
   * @param {object} s
   * @param {number} s.width overlay width in px (OUTPUT column left − FEATURES column left)
   * @param {string[]} s.inputs input nodes shown (features not hidden), canonical order
   * @param {string[]} s.enabled features the network uses
   * @param {number[]} s.hidden hidden layer sizes
   * @param {number} s.maxNeurons
   * @param {boolean} s.showCallouts
   * @param {number} [s.outputs] output units (K softmax units for a multi-class dataset)
   */
  build({ width, inputs, enabled, hidden, maxNeurons, showCallouts, outputs = 1 }) {
    const layout = layoutNetwork({ width, inputs, enabled, hidden, outputs });
    this.layout = layout;
    this.shape = [enabled.length, ...hidden, outputs].join(",");
    this.card.hide(true);
    if (this.hovering) {
      this.hovering = false; // the hovered node is about to go: show the output again
      this.handlers.focus(null, 0);
    }
    const focused = focusKey(document.activeElement, this.root);
    for (const el of this.root.querySelectorAll(".node, .plus-minus-neurons")) el.remove();
    for (const el of this.svg.querySelectorAll("g")) el.remove();
    this.svg.setAttribute("width", String(width + RECT_SIZE));
    this.svg.setAttribute("height", String(layout.height));
    this.root.style.height = `${layout.height}px`;
    const biasLayer = svgEl("g", { class: "biases" });
    const net = { inputs: enabled.map((key) => FEATURE_LABELS[key]), hidden: hidden.length, outputs };
    const linkHovers = this.targets.links(layout.links, net);
    this.links = layout.links;
    this.svg.append(biasLayer);
    this.inputCanvases = new Map();
    for (const node of layout.inputs) this.#inputNode(node, enabled.includes(node.key));
    this.hiddenCanvases = layout.layers.map((nodes, l) =>
      nodes.map((node, u) => this.#hiddenNode(node, l, u)));
    this.#neuronStops();
    this.outputCanvases = outputs > 1 ? layout.outputs.map((node, k) => this.#outputNode(node, hidden.length + 1, k)) : [];
    const single = outputs === 1;
    const biases = [...layout.layers, layout.outputs].map((nodes, l) =>
      nodes.map((node, u) => this.#bias(biasLayer, node, l, u, single && l === layout.layers.length)));
    this.biases = biases.map((row) => row.map((b) => b.rect));
    this.biasFills = this.biases.map((rects) => rects.map(() => ""));
    const pitch = layout.layers.length > 1 ? layout.layers[1][0].cx - layout.layers[0][0].cx : Infinity;
    const compact = compactControls(pitch);
    this.root.classList.toggle("compact-layers", compact);
    layout.layers.forEach((nodes, l) =>
      layerControls(this.root, nodes[0].cx, l, nodes.length, maxNeurons, this.handlers.neurons, compact));
    placeCallouts(this.root, showCallouts && layout.thumbCallout, showCallouts && layout.weightCallout);
    // Tab follows the DOM: the SVG goes after the nodes and buttons just added, so its one stop
    // comes after them (the CSS keeps it painted under them).
    this.root.append(this.svg);
    this.targets.setOrder(layout.links, linkHovers, biases.map((row) => row.map((b) => b.hit)));
    refocus(focused, this.root, document.getElementById("add-layers"));
    // Grey until a frame of this structure arrives.
    this.linksCanvas.setLinks(layout.links.map((link) => link.d), width + RECT_SIZE, layout.height);
    if (this.frame) this.update(this.frame, this.lut, this.inputThumbs, this.outputLuts);
  }

  #valueOf(t) {
    const f = this.frame;
    if (!f || f.layerSizes.join(",") !== this.shape) return 0;
    if (t.kind === "bias") return f.biases[t.layer][t.node];
    return f.weights[t.layer][t.src * f.layerSizes[t.layer + 1] + t.dst];
  }

  // The hover card's second line in the gradient view: the link's |∂L/∂w|.
  #noteOf(t) {
    const f = this.frame;
    if (!t || t.kind !== "weight" || !f || !f.gradients || f.layerSizes.join(",") !== this.shape) return null;
    const g = f.gradients[t.layer][t.src * f.layerSizes[t.layer + 1] + t.dst];
    return `|∂L/∂w| of the last update: ${g === 0 ? "0" : g.toExponential(1)}`;
  }

  // Hovering a node, or focusing it from the keyboard, shows its map in the output.
  #focusOnHover(div, layer, unit) {
    const enter = () => {
      div.classList.add("hovered");
      this.hovering = true;
      this.handlers.focus(layer, unit);
    };
    const leave = () => {
      div.classList.remove("hovered");
      this.hovering = false;
      this.handlers.focus(null, 0);
    };
    div.addEventListener("mouseenter", enter);
    div.addEventListener("mouseleave", leave);
    div.addEventListener("focus", enter);
    div.addEventListener("blur", leave);
  }

  #inputNode(node, active) {
    const [div, canvas] = inputNodeDiv(this.root, node, active, () => this.handlers.toggleFeature(node.key));
    this.#focusOnHover(div, 0, FEATURES.indexOf(node.key));
    this.inputCanvases.set(node.key, canvas);
  }

  #hiddenNode(node, l, u) {
    const [div, canvas] = nodeDiv(this.root, node, "hidden-node");
    div.id = `node-${l + 1}-${u}`;
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", `Neuron ${u + 1} of hidden layer ${l + 1}: focus to see its map in the output`);
    this.#focusOnHover(div, l + 1, u);
    return canvas;
  }

  // Each hidden layer's neurons are one Tab stop, the arrow keys moving inside it (a roving
  // tabindex): on 6×8, 48 neurons as stops of their own kept the links 62 presses away.
  #neuronStops() {
    this.hiddenCanvases.forEach((canvases, l) => {
      this.neuronGroups[l] ||= new RovingFocus(this.root);
      this.neuronGroups[l].setItems(canvases.map((canvas) => canvas.parentElement));
    });
  }

  #outputNode(node, layer, k) {
    const [div, canvas] = outputNodeDiv(this.root, node, k);
    this.#focusOnHover(div, layer, k);
    return canvas;
  }

  #bias(group, node, l, u, isOutput) {
    const [rect, hit] = biasRects(node, l, u, isOutput);
    this.targets.bias(hit, l, u);
    group.append(rect, hit);
    return { rect, hit };
  }

  /**
   * Draw a frame: thumbnails, link colours/widths/dash offset, bias colours, the card's value.
   * A frame of another structure (sent before a change arrived) is ignored.
   * @param {object} frame decoded by protocol.decodeFrame
   * @param {Uint8ClampedArray} lut @param {Uint8Array[]|null} inputThumbs cached 7 input maps
   * @param {Uint8ClampedArray[]|null} [outputLuts] one LUT per softmax output unit
   */
  update(frame, lut, inputThumbs, outputLuts = null) {
    this.frame = frame;
    this.lut = lut;
    this.inputThumbs = inputThumbs;
    this.outputLuts = outputLuts;
    if (frame.layerSizes.join(",") !== this.shape) return;
    if (inputThumbs) {
      for (const [key, canvas] of this.inputCanvases) drawThumb(canvas, inputThumbs[FEATURES.indexOf(key)], lut);
    }
    this.hiddenCanvases.forEach((canvases, l) => {
      canvases.forEach((canvas, u) => drawThumb(canvas, frame.thumbnails[l][u], lut));
    });
    const hidden = this.hiddenCanvases.length;
    this.outputCanvases.forEach((canvas, k) => {
      drawThumb(canvas, frame.thumbnails[hidden][k], (outputLuts && outputLuts[k]) || lut);
    });
    const grads = frame.gradients;
    let max = 0;
    if (grads) for (const g of grads) for (let i = 0; i < g.length; i++) if (g[i] > max) max = g[i];
    this.root.classList.toggle("gradient-view", Boolean(grads));
    const maxText = grads ? String(max) : "";
    if (this.root.dataset.maxGradient !== maxText) this.root.dataset.maxGradient = maxText;
    // One value per link, in layout order: the weight, or in the gradient view its level.
    const values = new Float32Array(this.links.length);
    this.links.forEach((link, k) => {
      const i = link.src * frame.layerSizes[link.layer + 1] + link.dst;
      values[k] = grads ? gradientLevel(grads[link.layer][i], max) : frame.weights[link.layer][i];
    });
    this.linksCanvas.draw({ values, gradient: Boolean(grads), epoch: frame.epoch });
    // A style write restyles its square: write a bias colour only when it changes.
    this.biases.forEach((rects, l) => rects.forEach((rect, u) => {
      const fill = colorOf(frame.biases[l][u]);
      if (this.biasFills[l][u] !== fill) rect.style.fill = this.biasFills[l][u] = fill;
    }));
    this.hiddenCanvases.forEach((canvases, l) => canvases.forEach((canvas, u) => {
      const dead = Boolean(frame.deadNodes && frame.deadNodes[l] && frame.deadNodes[l][u]);
      const div = canvas.parentElement;
      if (div.classList.contains("dead") === dead) return;
      div.classList.toggle("dead", dead);
      if (dead) div.title = DEAD_TITLE;
      else div.removeAttribute("title");
    }));
    if (this.card.target) {
      this.card.refresh(this.#valueOf(this.card.target));
      this.card.note(this.#noteOf(this.card.target));
    }
  }
}

