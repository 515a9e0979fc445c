// The DOM pieces NetworkView places over its links: node boxes with a 10×10 thumbnail canvas, the
// input nodes' labels, the softmax output boxes, bias squares and the per-layer neuron buttons.
// Each factory builds and returns elements; NetworkView wires hover and focus to them.
// Trade-off: thumbnails keep their 2D context, ImageData and last bytes between frames (see
// drawThumb), which costs a WeakMap entry per canvas and saves ~0.7 ms a frame.

import { CLASS_COLORS, className, toHex } from "./colors.js";
import { svgEl } from "./dom.js";
import { neuronsLabel } from "./format.js";
import { GridPainter } from "./heatmap.js";
import { BIAS_SIZE, RECT_SIZE } from "./network-layout.js";
import { FEATURE_LABELS } from "./state.js";

// Input labels with real sub/superscripts, read from the registry's label: X₁² is X, sub 1, sup 2
// (docs/playground-rules.md §3).
const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
const SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/**
 * A label split into text and [tag, digit] parts.
 * Example: labelParts("X₁²") -> ["X", ["sub", "1"], ["sup", "2"]]
 */
export function labelParts(label) {
  const parts = [];
  for (const ch of label) {
    const sub = SUBSCRIPTS.indexOf(ch);
    const sup = SUPERSCRIPTS.indexOf(ch);
    if (sub >= 0) parts.push(["sub", String(sub)]);
    else if (sup >= 0) parts.push(["sup", String(sup)]);
    else if (typeof parts[parts.length - 1] === "string") parts[parts.length - 1] += ch;
    else parts.push(ch);
  }
  return parts;
}

const ICON = { add: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z", remove: "M19 13H5v-2h14v2z" };

// One GridPainter per thumbnail canvas (heatmap.js): it keeps the canvas's context and ImageData
// (~55 thumbnails a frame otherwise cost a getContext and a new ImageData each, ~0.7 ms a frame)
// and skips a thumbnail whose bytes did not change since its last frame.
const painters = new WeakMap();

/** Colour a thumbnail canvas from uint8 values through a LUT (unless it shows them already). */
export function drawThumb(canvas, values, lut) {
  let painter = painters.get(canvas);
  if (!painter) painters.set(canvas, (painter = new GridPainter(canvas)));
  painter.paint(values, lut);
}

/** A node box centred on the layout node, holding a 10×10 canvas; returns [div, canvas]. */
export function nodeDiv(root, node, classes) {
  const div = document.createElement("div");
  div.className = `node ${classes}`;
  div.style.left = `${node.cx - RECT_SIZE / 2}px`;
  div.style.top = `${node.cy - RECT_SIZE / 2}px`;
  const canvas = document.createElement("canvas");
  canvas.width = 10;
  canvas.height = 10;
  div.append(canvas);
  root.append(div);
  return [div, canvas];
}

/** An input node: a toggle button (click, Enter or Space) with its feature label. */
export function inputNodeDiv(root, node, active, toggle) {
  const [div, canvas] = nodeDiv(root, node, `input${active ? "" : " inactive"}`);
  div.id = `node-${node.key}`;
  div.tabIndex = 0;
  div.setAttribute("role", "button");
  div.setAttribute("aria-pressed", String(active));
  div.setAttribute("aria-label", `Feature ${FEATURE_LABELS[node.key]}`);
  div.title = active ? "Click to remove this input" : "Click to feed this input in";
  const label = document.createElement("div");
  label.className = "node-label";
  for (const part of labelParts(FEATURE_LABELS[node.key])) {
    if (typeof part === "string") label.append(part);
    else label.append(Object.assign(document.createElement(part[0]), { textContent: part[1] }));
  }
  div.append(label);
  div.addEventListener("click", toggle);
  div.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      toggle();
    }
  });
  return [div, canvas];
}

/** A softmax output unit: a small box in its class colour, showing its probability map. */
export function outputNodeDiv(root, node, k) {
  const [div, canvas] = nodeDiv(root, node, "output-node");
  div.style.left = `${node.cx - node.size / 2}px`;
  div.style.top = `${node.cy - node.size / 2}px`;
  div.id = `node-output-${k}`;
  canvas.style.borderColor = toHex(CLASS_COLORS[k] || [0, 0, 0]);
  div.title = `Output ${k}: the softmax probability of ${className(k)}. Hover to see its map.`;
  return [div, canvas];
}

/**
 * A 5×5 bias square at the node's lower left (§7.4) and a larger invisible hover target;
 * returns [rect, hit]. The output has no box: its square sits just left of where its links end.
 */
export function biasRects(node, l, u, isOutput) {
  const x = isOutput ? node.cx - RECT_SIZE / 2 - 12 : node.cx - RECT_SIZE / 2 - BIAS_SIZE - 2;
  const y = isOutput ? node.cy + 8 : node.cy - RECT_SIZE / 2 + RECT_SIZE - BIAS_SIZE + 3;
  // The visible square says nothing a screen reader needs: the hit target carries the label.
  const rect = svgEl("rect", { class: "bias", x, y, width: BIAS_SIZE, height: BIAS_SIZE, fill: "#e8eaeb", "aria-hidden": "true" });
  const pad = 3;
  const size = BIAS_SIZE + 2 * pad;
  const hit = svgEl("rect", { class: "bias-hover", x: x - pad, y: y - pad, width: size, height: size });
  rect.id = `bias-${l}-${u}`;
  hit.dataset.bias = `${l}-${u}`;
  return [rect, hit];
}

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

export const COMPACT_WIDTH = 40; // a stacked + / − pair: one button wide
const PAIR_WIDTH = 80; // the + / − pair side by side

/** Whether layers `pitch` px apart need the stacked pair (see layerControls). */
export const compactControls = (pitch) => pitch < PAIR_WIDTH;

/** The + / − neuron buttons and the "n neurons" label above hidden layer `l`. `compact`:
 * layers closer than the 80 px the pair needs (a phone with 4+ layers), so the buttons stack
 * and the label is the number alone, and no layer's buttons cover its neighbour's. */
export function layerControls(root, cx, l, count, maxNeurons, neurons, compact = false) {
  const div = document.createElement("div");
  div.className = "plus-minus-neurons ui-numHiddenLayers";
  div.style.left = `${cx - (compact ? COMPACT_WIDTH / 2 : 40)}px`;
  const buttons = document.createElement("div");
  buttons.className = "buttons";
  const add = iconButton("add", `Add a neuron to hidden layer ${l + 1}`);
  const remove = iconButton("remove", `Remove a neuron from hidden layer ${l + 1}`);
  add.disabled = count >= maxNeurons;
  remove.disabled = count <= 1;
  add.addEventListener("click", () => neurons(l, +1));
  remove.addEventListener("click", () => neurons(l, -1));
  buttons.append(add, remove);
  const label = document.createElement("div");
  label.className = "neurons-label";
  label.textContent = compact ? String(count) : neuronsLabel(count);
  if (compact) label.title = neuronsLabel(count);
  div.append(buttons, label);
  root.append(div);
}
