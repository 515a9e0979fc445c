// Number formats the playground shows (docs/playground-rules.md §4.4, §5, §7.4). Pure: no DOM.

/**
 * The Epoch counter: zero-pad to 6 digits, keep the last 6, insert a thousands comma.
 * Example: 42 -> "000,042"; 1234567 -> "234,567" (the playground's visual wrap).
 * @param {number} epoch
 */
export function formatEpoch(epoch) {
  const digits = String(Math.max(0, Math.floor(epoch))).padStart(6, "0").slice(-6);
  return `${digits.slice(0, 3)},${digits.slice(3)}`;
}

/**
 * A loss as the playground shows it: 3 decimals. Example: 0.5182 -> "0.518". A run on its way
 * to divergence can reach 1e227: from 1e6 up, 3 significant digits ("1.59e+227") so it fits.
 * @param {number} v
 */
export function formatLoss(v) {
  if (!Number.isFinite(v)) return String(v);
  // A loss this large means the run diverged; 1.59e+227 tells a student nothing more.
  return Math.abs(v) >= 1e6 ? `${v < 0 ? "below −" : "over "}1,000,000` : v.toFixed(3);
}

/** A weight or bias in the hover card: 2 significant digits. Example: -0.4812 -> "-0.48". */
export function formatWeight(v) {
  return Number.isFinite(v) ? v.toPrecision(2) : String(v);
}

/** "1 neuron" / "4 neurons". @param {number} n */
export const neuronsLabel = (n) => `${n} neuron${n === 1 ? "" : "s"}`;

/** "Hidden layer" only for exactly 1; 0 and more are "Hidden layers" (docs/playground-rules.md §7.4). @param {number} n */
export const layersLabel = (n) => (n === 1 ? "Hidden layer" : "Hidden layers");

/** Speed option text. Example: 60 -> "60 /s", null -> "max". @param {number|null} v */
export const speedLabel = (v) => (v === null ? "max" : `${v} /s`);

// ---- beyond the playground ----

const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : "–");
const num = (v, digits) => {
  if (!Number.isFinite(v)) return "–";
  return Math.abs(v) >= 1e4 ? v.toExponential(1) : v.toFixed(digits);
};

/**
 * The metric lines shown under the map, from a frame's metrics and `state.metrics` names.
 * Example: (["train_accuracy", "test_accuracy"], [0.516, 0.484]) -> ["Accuracy 48.4% test, 51.6% train"]
 * @param {string[]} names @param {number[]} values
 * @returns {string[]} one line per metric (accuracy; or RMSE and R²), test first like the losses
 */
export function metricLines(names, values) {
  const m = Object.fromEntries(names.map((n, i) => [n, values[i]]));
  const lines = [];
  if ("test_accuracy" in m || "train_accuracy" in m) {
    lines.push(`Accuracy ${pct(m.test_accuracy)} test, ${pct(m.train_accuracy)} train`);
  }
  if ("test_rmse" in m || "train_rmse" in m) {
    lines.push(`RMSE ${num(m.test_rmse, 3)} test, ${num(m.train_rmse, 3)} train`);
  }
  if ("test_r2" in m || "train_r2" in m) {
    lines.push(`R² ${num(m.test_r2, 2)} test, ${num(m.train_r2, 2)} train`);
  }
  return lines;
}

/**
 * What an `upload_report` says, as lines: a summary, then one line per problem shown.
 * Example: {accepted: 98, rejected: 2, problems: [{line: 3, reason: "label"}]} ->
 *   ["98 points uploaded, 2 rows skipped:", "line 3: label", "…and 1 more"]
 */
export function uploadReportLines({ accepted, rejected, problems = [] }) {
  const points = `${accepted} point${accepted === 1 ? "" : "s"} uploaded`;
  if (!rejected) return [`${points}.`];
  const lines = [`${points}, ${rejected} row${rejected === 1 ? "" : "s"} skipped:`];
  for (const p of problems) lines.push(`line ${p.line}: ${p.reason}`);
  if (rejected > problems.length) lines.push(`…and ${rejected - problems.length} more`);
  return lines;
}

/**
 * Totals of a confusion matrix (rows true, columns predicted).
 * Example: [[3, 1], [0, 4]] -> {total: 8, correct: 7, accuracy: 0.875}
 * @param {number[][]} matrix
 */
export function confusionSummary(matrix) {
  let total = 0;
  let correct = 0;
  matrix.forEach((row, i) => row.forEach((n, j) => {
    total += n;
    if (i === j) correct += n;
  }));
  return { total, correct, accuracy: total > 0 ? correct / total : NaN };
}
