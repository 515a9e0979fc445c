// NetworkView: the network between the FEATURES and OUTPUT columns (spec/playground.md §7.4):
// input nodes (click to toggle), hidden nodes with 10×10 thumbnails, links as SVG paths coloured
// and sized by weight with the flowing dash, bias squares (the output's too, which the playground
// hides), per-layer neuron buttons, the two callouts and the weight/bias hover card.
// Geometry comes from network-layout.js; values come from decoded frames.
// Trade-off: the DOM is rebuilt only when the structure changes; a frame only restyles what
// exists (about 400 links at most), which is cheap enough at 30 frames per second.

import { CLASS_COLORS, className, mix, rampColor, toHex } from "./colors.js";
import { neuronsLabel } from "./format.js";
import { drawGrid, svgEl } from "./heatmap.js";
import { HoverCard } from "./hovercard.js";
import { BIAS_SIZE, RECT_SIZE, layoutNetwork } from "./network-layout.js";
import { FEATURES, FEATURE_LABELS } from "./state.js";

// Input labels with real sub/superscripts: X₁² is X, sub 1, sup 2 (spec §3).
const LABEL_PARTS = {
  x: ["X", ["sub", "1"]],
  y: ["X", ["sub", "2"]],
  xSquared: ["X", ["sub", "1"], ["sup", "2"]],
  ySquared: ["X", ["sub", "2"], ["sup", "2"]],
  xTimesY: ["X", ["sub", "1"], "X", ["sub", "2"]],
  sinX: ["sin(X", ["sub", "1"], ")"],
  sinY: ["sin(X", ["sub", "2"], ")"],
};

const ICON = { add: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z", remove: "M19 13H5v-2h14v2z" };

// Link colours cached at a 1/100 resolution of the clamped weight: a frame allocates no strings.
const COLOR_CACHE = Array.from({ length: 201 }, (_, i) => toHex(rampColor(i / 100 - 1)));
const colorOf = (w) => COLOR_CACHE[Math.round((Math.max(-1, Math.min(1, w)) + 1) * 100)];

/** Stroke width of a link: 1 + 9·min(|w|, 5)/5 px (spec §7.4). @param {number} w */
export const linkWidth = (w) => 1 + (9 * Math.min(Math.abs(w), 5)) / 5;

// Gradient view: light grey (no gradient) to the page's dark accent (the largest gradient).
const GRADIENT_INK = [0x18, 0x3d, 0x4e];
const GRADIENT_CACHE = Array.from({ length: 101 }, (_, i) => toHex(mix([0xe0, 0xe2, 0xe3], GRADIENT_INK, i / 100)));

/**
 * How a gradient reads in the gradient view: its size relative to the largest gradient of the
 * frame, square-rooted so that small but live gradients still show.
 * Example: gradientLevel(0.25, 1) -> 0.5; gradientLevel(x, 0) -> 0
 * @param {number} g |∂L/∂w| @param {number} max the largest |∂L/∂w| of the frame
 */
export const gradientLevel = (g, max) => (max > 0 && g > 0 ? Math.sqrt(Math.min(1, g / max)) : 0);

const DEAD_TITLE = "dead ReLU: zero for every training point, so no gradient flows through it";

function iconButton(kind, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "round-button";
  button.title = label;
  button.setAttribute("aria-label", label);
  const svg = svgEl("svg", { class: "icon", viewBox: "0 0 24 24", "aria-hidden": "true" });
  svg.append(svgEl("path", { d: ICON[kind] }));
  button.append(svg);
  return button;
}

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
    this.outputCanvases = [];
    this.hiddenCanvases = [];
    this.inputCanvases = new Map();
    this.biases = [];
    this.frame = null;
    this.svg.addEventListener("click", () => {
      const t = this.card.target;
      if (t) this.card.edit(this.#valueOf(t));
    });
    document.addEventListener("pointerdown", (ev) => {
      const inside = this.card.el.contains(ev.target) || this.svg.contains(ev.target);
      if (this.card.visible && !inside) this.card.hide(true);
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
    for (const el of this.root.querySelectorAll(".node, .plus-minus-neurons")) el.remove();
    for (const el of this.svg.querySelectorAll("g")) el.remove();
    this.svg.setAttribute("width", String(width + RECT_SIZE));
    this.svg.setAttribute("height", String(layout.height));
    this.root.style.height = `${layout.height}px`;
    const biasLayer = svgEl("g", { class: "biases" });
    this.links = this.#links(layout.links);
    this.svg.append(biasLayer);
    this.inputCanvases = new Map();
    for (const node of layout.inputs) this.#inputNode(node, enabled.includes(node.key));
    this.hiddenCanvases = layout.layers.map((nodes, l) =>
      nodes.map((node, u) => this.#hiddenNode(node, l, u)));
    this.outputCanvases = outputs > 1 ? layout.outputs.map((node, k) => this.#outputNode(node, hidden.length + 1, k)) : [];
    const single = outputs === 1;
    this.biases = [...layout.layers, layout.outputs].map((nodes, l) =>
      nodes.map((node, u) => this.#bias(biasLayer, node, l, u, single && l === layout.layers.length)));
    layout.layers.forEach((nodes, l) => this.#layerControls(nodes[0].cx, l, nodes.length, maxNeurons));
    this.#callout(".callout.thumbnail", showCallouts && layout.thumbCallout);
    this.#callout(".callout.weights", showCallouts && layout.weightCallout);
    if (this.frame) this.update(this.frame, this.lut, this.inputThumbs, this.outputLuts);
  }

  // Visible paths below, the invisible 8 px hover paths above them (spec §7.4).
  #links(links) {
    const linkLayer = svgEl("g", { class: "links" });
    const hoverLayer = svgEl("g", { class: "link-hovers" });
    this.svg.append(linkLayer, hoverLayer);
    return links.map((link) => {
      const id = `${link.layer}-${link.src}-${link.dst}`;
      const marker = "url(#markerArrow)";
      const path = svgEl("path", { class: "link", id: `link-${id}`, d: link.d, "marker-start": marker });
      const hover = svgEl("path", { class: "link-hover", "data-link": id, d: link.d });
      this.#hoverable(hover, { kind: "weight", layer: link.layer, src: link.src, dst: link.dst });
      linkLayer.append(path);
      hoverLayer.append(hover);
      return { ...link, path };
    });
  }

  #callout(selector, spot) {
    const el = this.root.querySelector(selector);
    el.classList.toggle("hidden", !spot);
    if (spot) {
      el.style.left = `${spot.x}px`;
      el.style.top = `${spot.y}px`;
    }
  }

  #hoverable(el, target) {
    el.addEventListener("mouseenter", (ev) => {
      const box = this.root.getBoundingClientRect();
      this.card.show(target, this.#valueOf(target), ev.clientX - box.left, ev.clientY - box.top);
      this.card.note(this.#noteOf(target));
    });
    el.addEventListener("mouseleave", () => this.card.hide());
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

  #nodeDiv(node, classes) {
    const div = document.createElement("div");
    div.className = `node ${classes}`;
    div.style.left = `${node.cx - RECT_SIZE / 2}px`;
    div.style.top = `${node.cy - RECT_SIZE / 2}px`;
    const canvas = document.createElement("canvas");
    canvas.width = 10;
    canvas.height = 10;
    canvas.dataset.frames = "0";
    div.append(canvas);
    this.root.append(div);
    return [div, canvas];
  }

  #focusOnHover(div, layer, unit) {
    div.addEventListener("mouseenter", () => {
      div.classList.add("hovered");
      this.hovering = true;
      this.handlers.focus(layer, unit);
    });
    div.addEventListener("mouseleave", () => {
      div.classList.remove("hovered");
      this.hovering = false;
      this.handlers.focus(null, 0);
    });
  }

  #inputNode(node, active) {
    const [div, canvas] = this.#nodeDiv(node, `input${active ? "" : " inactive"}`);
    div.id = `node-${node.key}`;
    div.tabIndex = 0;
    div.setAttribute("role", "button");
    div.setAttribute("aria-pressed", String(active));
    div.setAttribute("aria-label", `Feature ${FEATURE_LABELS[node.key]}`);
    div.title = active ? "Click to remove this input" : "Click to feed this input in";
    const label = document.createElement("div");
    label.className = "node-label";
    for (const part of LABEL_PARTS[node.key]) {
      if (typeof part === "string") label.append(part);
      else label.append(Object.assign(document.createElement(part[0]), { textContent: part[1] }));
    }
    div.append(label);
    const toggle = () => this.handlers.toggleFeature(node.key);
    div.addEventListener("click", toggle);
    div.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        toggle();
      }
    });
    this.#focusOnHover(div, 0, FEATURES.indexOf(node.key));
    this.inputCanvases.set(node.key, canvas);
  }

  #hiddenNode(node, l, u) {
    const [div, canvas] = this.#nodeDiv(node, "hidden-node");
    div.id = `node-${l + 1}-${u}`;
    this.#focusOnHover(div, l + 1, u);
    return canvas;
  }

  // A softmax output unit: a small box in its class colour, showing its probability map.
  #outputNode(node, layer, k) {
    const [div, canvas] = this.#nodeDiv(node, "output-node");
    div.style.left = `${node.cx - node.size / 2}px`;
    div.style.top = `${node.cy - node.size / 2}px`;
    div.id = `node-output-${k}`;
    canvas.style.borderColor = toHex(CLASS_COLORS[k] || [0, 0, 0]);
    div.title = `Output ${k}: the softmax probability of ${className(k)}. Hover to see its map.`;
    this.#focusOnHover(div, layer, k);
    return canvas;
  }

  // A 5×5 square at the node's lower left (spec §7.4), with a larger invisible hover target.
  // The output has no box: its square sits just left of where its links end.
  #bias(group, node, l, u, isOutput) {
    const x = isOutput ? node.cx - RECT_SIZE / 2 - 12 : node.cx - RECT_SIZE / 2 - BIAS_SIZE - 2;
    const y = isOutput ? node.cy + 8 : node.cy - RECT_SIZE / 2 + RECT_SIZE - BIAS_SIZE + 3;
    const rect = svgEl("rect", { class: "bias", x, y, width: BIAS_SIZE, height: BIAS_SIZE, fill: "#e8eaeb" });
    const pad = 3;
    const size = BIAS_SIZE + 2 * pad;
    const hit = svgEl("rect", { class: "bias-hover", x: x - pad, y: y - pad, width: size, height: size });
    rect.id = `bias-${l}-${u}`;
    hit.dataset.bias = `${l}-${u}`;
    this.#hoverable(hit, { kind: "bias", layer: l, node: u });
    group.append(rect, hit);
    return rect;
  }

  #layerControls(cx, l, count, maxNeurons) {
    const div = document.createElement("div");
    div.className = "plus-minus-neurons ui-numHiddenLayers";
    div.style.left = `${cx - 40}px`;
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    const add = iconButton("add", `Add a neuron to hidden layer ${l + 1}`);
    const remove = iconButton("remove", `Remove a neuron from hidden layer ${l + 1}`);
    add.disabled = count >= maxNeurons;
    remove.disabled = count <= 1;
    add.addEventListener("click", () => this.handlers.neurons(l, +1));
    remove.addEventListener("click", () => this.handlers.neurons(l, -1));
    buttons.append(add, remove);
    const label = document.createElement("div");
    label.className = "neurons-label";
    label.textContent = neuronsLabel(count);
    div.append(buttons, label);
    this.root.append(div);
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
      for (const [key, canvas] of this.inputCanvases) drawGrid(canvas, inputThumbs[FEATURES.indexOf(key)], lut);
    }
    this.hiddenCanvases.forEach((canvases, l) => {
      canvases.forEach((canvas, u) => drawGrid(canvas, frame.thumbnails[l][u], lut));
    });
    const hidden = this.hiddenCanvases.length;
    this.outputCanvases.forEach((canvas, k) => {
      drawGrid(canvas, frame.thumbnails[hidden][k], (outputLuts && outputLuts[k]) || lut);
    });
    const offset = `${-frame.epoch / 3}`;
    const grads = frame.gradients;
    let max = 0;
    if (grads) for (const g of grads) for (let i = 0; i < g.length; i++) if (g[i] > max) max = g[i];
    this.root.classList.toggle("gradient-view", Boolean(grads));
    this.root.dataset.maxGradient = grads ? String(max) : "";
    for (const link of this.links) {
      const i = link.src * frame.layerSizes[link.layer + 1] + link.dst;
      const style = link.path.style;
      if (grads) {
        const level = gradientLevel(grads[link.layer][i], max);
        style.stroke = GRADIENT_CACHE[Math.round(level * 100)];
        style.strokeWidth = `${1 + 9 * level}px`;
      } else {
        const w = frame.weights[link.layer][i];
        style.stroke = colorOf(w);
        style.strokeWidth = `${linkWidth(w)}px`;
      }
      style.strokeDashoffset = offset;
    }
    this.biases.forEach((rects, l) => rects.forEach((rect, u) => {
      rect.style.fill = colorOf(frame.biases[l][u]);
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

