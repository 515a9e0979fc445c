// The note under the OUTPUT checkboxes while the gradient view is on: what the links mean now
// (the largest |∂L/∂w| of the last update) and how many ReLU neurons are dead. Until an update
// has run with the view on (it was ticked after training, or a reload resumed the run), the
// server sends the training set's gradient at the current weights instead, and the note says so.
// Trade-off: the text is written only when it changes, so a running view costs no layout.

import { $ } from "./dom.js";

/**
 * The note's text for a frame ("" when the gradient view is off).
 * @param {object} frame @param {number|null} [since] the epoch of the first frame with the view on:
 *   gradients are recorded from the next update, so all-zero gradients after it mean nothing learns
 */
export function gradientNote(frame, since = frame.epoch) {
  if (!frame.gradients) return "";
  let max = 0;
  for (const g of frame.gradients) for (let i = 0; i < g.length; i++) max = Math.max(max, g[i]);
  const dead = (frame.deadNodes || []).reduce((n, layer) => n + layer.reduce((a, b) => a + b, 0), 0);
  const largest = `the darkest and thickest is the largest, ${max.toExponential(1)}`;
  let text = max > 0 && frame.epoch > since
    ? `Links show |∂L/∂w| of the last update: ${largest}.`
    : max > 0
      ? `Links show |∂L/∂w| over all training points at the current weights (each update's own from the next one on): ${largest}.`
      : frame.epoch > since
      ? "Every |∂L/∂w| of the last update is 0: no weight is learning any more."
      : "Links will show |∂L/∂w| of the last update once training has taken a step.";
  if (dead > 0) text += ` ${dead} dead ReLU neuron${dead === 1 ? "" : "s"} (red cross): zero for every training point, so nothing flows back through ${dead === 1 ? "it" : "them"}.`;
  return text;
}

/** Show the note for a frame. */
let viewSince = null; // the epoch the gradient view's frames began at

export function showGradientNote(frame) {
  const el = $("gradient-note");
  if (!frame.gradients) viewSince = null;
  else if (viewSince === null || frame.epoch < viewSince) viewSince = frame.epoch;
  const text = gradientNote(frame, viewSince);
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle("hidden", !text);
}
