// WeightTargets: what the mouse and the keyboard reach of the network's links and biases
// (docs/playground-rules.md §7.4). Over each link the canvas paints, an invisible 8 px SVG path; over
// each bias square, a larger invisible square. Hovering or focusing one shows the hover card
// with its value; a click (or Enter) edits it.
// Keyboard: the whole set is ONE Tab stop, a toolbar with a roving tabindex (roving-focus.js),
// because ~400 links as Tab stops of their own kept a keyboard user from everything after them.
// Inside, the arrow keys walk it neuron by neuron, layer by layer: each neuron's incoming
// weights from the top source down, then its bias; Home and End go to the first and the last.
// Screen readers still get each target's own label, which names the nodes as a person reads
// them ("Weight from X₁ to neuron 2 of hidden layer 1"): the SVG is the named group, not hidden.

import { className } from "./colors.js";
import { svgEl } from "./dom.js";
import { RovingFocus } from "./roving-focus.js";

export const GROUP_LABEL = "Weights and biases: arrow keys move between them";

/**
 * What a person calls node `i` of `layer` (0: the inputs): a feature by its name, as the
 * FEATURES column writes it, a neuron by its place, the output by its class.
 * Example: nodeName({inputs: ["X₁", "X₂"], hidden: 2, outputs: 1}, 0, 1) -> "X₂"
 * @param {{inputs: string[], hidden: number, outputs: number}} net the features used, in
 *   order, the number of hidden layers and of output units
 */
export function nodeName(net, layer, i) {
  if (layer === 0) return net.inputs[i] ?? `input ${i + 1}`;
  if (layer <= net.hidden) return `neuron ${i + 1} of hidden layer ${layer}`;
  return net.outputs > 1 ? `the output of ${className(i)}` : "the output";
}

/**
 * What a screen reader says for a target: {kind: "weight", layer, src, dst} or
 * {kind: "bias", layer, node}, where `layer` is the weight matrix's (0: from the inputs).
 * Example: "Weight from sin(X₂) to neuron 3 of hidden layer 1", "Bias of the output"
 */
export function targetLabel(t, net) {
  return t.kind === "bias"
    ? `Bias of ${nodeName(net, t.layer + 1, t.node)}`
    : `Weight from ${nodeName(net, t.layer, t.src)} to ${nodeName(net, t.layer + 1, t.dst)}`;
}

/**
 * The arrow-key order: neuron by neuron, layer by layer; its incoming links, then its bias.
 * Example: links into (layer 0, neuron 0) from sources 0 and 1, then bias 0-0, then neuron 1's.
 * @param {{layer:number, dst:number}[]} links in layout order (sources ascending per neuron)
 * @param {T[]} linkItems one per link @param {T[][]} biasItems [layer][neuron]
 * @template T
 */
export function keyOrder(links, linkItems, biasItems) {
  const into = new Map(); // "layer-dst" -> the items of the links into that neuron
  links.forEach((link, k) => {
    const key = `${link.layer}-${link.dst}`;
    if (!into.has(key)) into.set(key, []);
    into.get(key).push(linkItems[k]);
  });
  return biasItems.flatMap((row, l) => row.flatMap((bias, u) => [...(into.get(`${l}-${u}`) || []), bias]));
}

export class WeightTargets {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.root #network, which the card is positioned in
   * @param {SVGSVGElement} opts.svg #svg, the group holding the targets
   * @param {import("./hovercard.js").HoverCard} opts.card
   * @param {(t: object) => number} opts.valueOf a target's current value
   * @param {(t: object) => (string|null)} opts.noteOf the card's second line for a target
   */
  constructor({ root, svg, card, valueOf, noteOf }) {
    Object.assign(this, { root, svg, card, valueOf, noteOf });
    this.net = { inputs: [], hidden: 0, outputs: 1 }; // what the labels name (links())
    svg.setAttribute("role", "toolbar");
    svg.setAttribute("aria-label", GROUP_LABEL);
    // Remembered across a rebuild by place (matrix, source, target), not by label: a label
    // names the next layer, which adding or removing a layer renames.
    this.roving = new RovingFocus(svg, (el) => (el.dataset.link ? `w${el.dataset.link}` : `b${el.dataset.bias}`));
    svg.addEventListener("click", () => {
      const t = card.target;
      if (t) card.edit(valueOf(t));
    });
    document.addEventListener("pointerdown", (ev) => {
      const inside = card.el.contains(ev.target) || svg.contains(ev.target);
      if (card.visible && !inside) card.hide(true);
    });
  }

  /**
   * The invisible hover paths over the links, in a new group of the SVG; returns them in order.
   * @param {{layer:number, src:number, dst:number, d:string}[]} links layout.links
   * @param {{inputs: string[], hidden: number, outputs: number}} net names the targets (nodeName)
   */
  links(links, net) {
    this.net = net;
    const layer = svgEl("g", { class: "link-hovers" });
    this.svg.append(layer);
    return links.map((link) => {
      const id = `${link.layer}-${link.src}-${link.dst}`;
      const hover = svgEl("path", { class: "link-hover", "data-link": id, d: link.d });
      this.#wire(hover, { kind: "weight", layer: link.layer, src: link.src, dst: link.dst });
      layer.append(hover);
      return hover;
    });
  }

  /** Make a bias square's hit target hoverable and focusable. @param {SVGElement} hit */
  bias(hit, layer, node) {
    this.#wire(hit, { kind: "bias", layer, node });
  }

  /**
   * After a rebuild: the keyboard order over the new targets (see keyOrder).
   * @param {object[]} links layout.links @param {SVGElement[]} hovers from links()
   * @param {SVGElement[][]} hits the bias hit targets, [layer][neuron]
   */
  setOrder(links, hovers, hits) {
    this.roving.setItems(keyOrder(links, hovers, hits));
  }

  #wire(el, target) {
    const show = (x, y) => {
      const box = this.root.getBoundingClientRect();
      this.card.show(target, this.valueOf(target), x - box.left, y - box.top);
      this.card.note(this.noteOf(target));
    };
    el.addEventListener("mouseenter", (ev) => show(ev.clientX, ev.clientY));
    el.addEventListener("mouseleave", () => this.card.hide());
    // The tabindex is RovingFocus's; focusing shows the card at the target's centre.
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", targetLabel(target, this.net));
    el.addEventListener("focus", () => {
      const r = el.getBoundingClientRect();
      show(r.left + r.width / 2, r.top + r.height / 2);
    });
    el.addEventListener("blur", () => this.card.hide());
    el.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      ev.preventDefault();
      this.card.edit(this.valueOf(target), el); // Enter or Escape in the editor comes back here
    });
  }
}
