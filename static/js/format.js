// Number formats the playground shows (spec/playground.md §4.4, §5, §7.4). Pure: no DOM.

/**
 * The Epoch counter: zero-pad to 6 digits, keep the last 6, insert a thousands comma.
 * Example: 42 -> "000,042"; 1234567 -> "234,567" (the playground's visual wrap).
 * @param {number} epoch
 */
export function formatEpoch(epoch) {
  const digits = String(Math.max(0, Math.floor(epoch))).padStart(6, "0").slice(-6);
  return `${digits.slice(0, 3)},${digits.slice(3)}`;
}

/** A loss as the playground shows it: 3 decimals. Example: 0.5182 -> "0.518". @param {number} v */
export function formatLoss(v) {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

/** A weight or bias in the hover card: 2 significant digits. Example: -0.4812 -> "-0.48". */
export function formatWeight(v) {
  return Number.isFinite(v) ? v.toPrecision(2) : String(v);
}

/** "1 neuron" / "4 neurons". @param {number} n */
export const neuronsLabel = (n) => `${n} neuron${n === 1 ? "" : "s"}`;

/** "Hidden layer" only for exactly 1; 0 and more are "Hidden layers" (spec §7.4). @param {number} n */
export const layersLabel = (n) => (n === 1 ? "Hidden layer" : "Hidden layers");

/** Speed option text. Example: 60 -> "60 /s", null -> "max". @param {number|null} v */
export const speedLabel = (v) => (v === null ? "max" : `${v} /s`);
