// The two notes under the network: "This is the output from one neuron" (under the first layer's
// last node) and "The outputs are mixed with varying weights" (on a link), placed at the spots
// network-layout.js computes with the playground's rules. Those rules assume a desktop-wide
// network; on a phone the columns sit ~110 px apart and the weights note can land on the neuron
// note (a newcomer's pass: 4,4 at 390 px). Then the weights note is left out: it builds on the
// neuron note, and text drawn over text helps no one.
// Trade-off: the check measures the drawn boxes (arrow and text) after placing the notes, so it
// follows the fonts the browser really used; that costs one layout per network rebuild, never per
// frame. Where both fit (every desktop width), nothing changes.

/** Room kept between the two notes, in px. */
const GAP = 4;

/**
 * Whether two boxes ({left, top, right, bottom}) come within `gap` px of each other.
 * Empty boxes (an element not rendered) never meet anything.
 */
export function boxesMeet(a, b, gap = 0) {
  const empty = (r) => r.right <= r.left || r.bottom <= r.top;
  if (empty(a) || empty(b)) return false;
  return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
}

/**
 * Show the two notes at their spots (null: not shown), the weights note only if it stays clear
 * of the neuron note.
 * @param {HTMLElement} root #network
 * @param {{x:number, y:number}|null} thumbSpot layout.thumbCallout, or null to hide it
 * @param {{x:number, y:number}|null} weightSpot layout.weightCallout, or null to hide it
 */
export function placeCallouts(root, thumbSpot, weightSpot) {
  const thumb = place(root.querySelector(".callout.thumbnail"), thumbSpot);
  const weights = place(root.querySelector(".callout.weights"), weightSpot);
  if (!thumb || !weights) return;
  const clash = drawn(thumb).some((a) => drawn(weights).some((b) => boxesMeet(a, b, GAP)));
  weights.classList.toggle("hidden", clash);
}

function place(el, spot) {
  el.classList.toggle("hidden", !spot);
  if (!spot) return null;
  el.style.left = `${spot.x}px`;
  el.style.top = `${spot.y}px`;
  return el;
}

// What a note draws: its arrow and its text. The note's own box is not it: the text is shifted
// below it (.callout .label { top }) and the arrow sticks out to its left.
function drawn(el) {
  return [...el.querySelectorAll("svg, .label")].map((part) => part.getBoundingClientRect());
}
