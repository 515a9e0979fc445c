// WeightTargets: what the mouse and the keyboard reach of the network's links and biases
// (spec/playground.md §7.4). Over each link the canvas paints, an invisible 8 px SVG path; over
// each bias square, a larger invisible square. Hovering or focusing one shows the hover card
// with its value; a click (or Enter) edits it.
// Keyboard: the whole set is ONE Tab stop, a toolbar with a roving tabindex (roving-focus.js),
// because ~400 links as Tab stops of their own kept a keyboard user from everything after them.
// Inside, the arrow keys walk it neuron by neuron, layer by layer: each neuron's incoming
// weights from the top source down, then its bias; Home and End go to the first and the last.
// Screen readers still get each target's own label: the SVG is the named group, not hidden.

import { svgEl } from "./dom.js";
import { RovingFocus } from "./roving-focus.js";

export const GROUP_LABEL = "Weights and biases: arrow keys move between them";

/** What a screen reader says for a target: {kind: "weight", layer, src, dst} or {kind: "bias", layer, node}. */
export function targetLabel(t) {
  return t.kind === "bias"
    ? `Bias of neuron ${t.node + 1} in layer ${t.layer + 1}`
    : `Weight from node ${t.src + 1} of layer ${t.layer} to node ${t.dst + 1} of layer ${t.layer + 1}`;
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
    svg.setAttribute("role", "toolbar");
    svg.setAttribute("aria-label", GROUP_LABEL);
    this.roving = new RovingFocus(svg);
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
   */
  links(links) {
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
    el.setAttribute("aria-label", targetLabel(target));
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
