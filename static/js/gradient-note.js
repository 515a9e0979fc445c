// The note under the OUTPUT checkboxes while the gradient view is on: what the links mean now
// (the largest |∂L/∂w| of the last update) and how many ReLU neurons are dead.
// Trade-off: the text is written only when it changes, so a running view costs no layout.

import { $ } from "./dom.js";

/** The note's text for a frame ("" when the gradient view is off). */
export function gradientNote(frame) {
  if (!frame.gradients) return "";
  let max = 0;
  for (const g of frame.gradients) for (let i = 0; i < g.length; i++) max = Math.max(max, g[i]);
  const dead = (frame.deadNodes || []).reduce((n, layer) => n + layer.reduce((a, b) => a + b, 0), 0);
  let text = max > 0
    ? `Links show |∂L/∂w| of the last update: the darkest and thickest is the largest, ${max.toExponential(1)}.`
    : "Links will show |∂L/∂w| of the last update once training has taken a step.";
  if (dead > 0) text += ` ${dead} dead ReLU neuron${dead === 1 ? "" : "s"} (red cross): zero for every training point, so nothing flows back through ${dead === 1 ? "it" : "them"}.`;
  return text;
}

/** Show the note for a frame. */
export function showGradientNote(frame) {
  const el = $("gradient-note");
  const text = gradientNote(frame);
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle("hidden", !text);
}
