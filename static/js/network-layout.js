// Where the playground draws the network (docs/playground-rules.md §7.4): node centres, link curves and
// callout spots, in pixels of the network overlay (origin at the FEATURES column's top left).
// Pure: no DOM, so node --test covers the geometry. network-view.js turns it into SVG and divs.
// Trade-off: the Bézier point "70 % along the curve" is found by sampling 64 chords rather than
// exactly; it only places a callout.

/** Node box size, bias square size, vertical spacing per node, and the overlay's padding (px). */
export const RECT_SIZE = 30;
export const BIAS_SIZE = 5;
export const NODE_SPACING = RECT_SIZE + 25;
export const PADDING = 3;
/** Box size of an output unit when there are K > 1 outputs (softmax): drawn left of the map. */
export const OUTPUT_SIZE = 20;
/** Horizontal room kept for the input column (labels + nodes), as the playground's featureWidth. */
const FEATURE_WIDTH = 118;
const INPUT_CX = RECT_SIZE / 2 + 50;

/**
 * d3 v3 `ordinal.rangePoints([start, stop], padding)` for n points.
 * Example: rangePoints(2, 118, 630, 0.7) -> [223.4…, 524.5…].
 */
export function rangePoints(n, start, stop, padding) {
  if (n < 1) return [];
  if (n === 1) return [(start + stop) / 2];
  const step = (stop - start) / (n - 1 + padding);
  return Array.from({ length: n }, (_, i) => start + (step * padding) / 2 + i * step);
}

/** Cubic Bézier of d3 v3 `svg.diagonal` with projection (d) => [d.y, d.x]: horizontal tangents. */
function diagonal(x0, y0, x1, y1) {
  const m = (x0 + x1) / 2;
  return { p: [[x0, y0], [m, y0], [m, y1], [x1, y1]], d: `M${x0},${y0}C${m},${y0} ${m},${y1} ${x1},${y1}` };
}

function bezierPoint(p, t) {
  const u = 1 - t;
  const a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, e = t * t * t;
  const at = (k) => a * p[0][k] + b * p[1][k] + c * p[2][k] + e * p[3][k];
  return [at(0), at(1)];
}

/**
 * The point at `fraction` of a cubic Bézier's arc length (like SVG getPointAtLength).
 * @param {number[][]} p four control points [[x, y], …]
 * @param {number} fraction 0…1
 */
export function pointAlong(p, fraction, samples = 64) {
  const pts = Array.from({ length: samples + 1 }, (_, i) => bezierPoint(p, i / samples));
  const lengths = [0];
  for (let i = 1; i <= samples; i++) {
    lengths.push(lengths[i - 1] + Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]));
  }
  const target = lengths[samples] * fraction;
  let i = 1;
  while (i < samples && lengths[i] < target) i++;
  const seg = lengths[i] - lengths[i - 1] || 1;
  const f = (target - lengths[i - 1]) / seg;
  return [pts[i - 1][0] + f * (pts[i][0] - pts[i - 1][0]), pts[i - 1][1] + f * (pts[i][1] - pts[i - 1][1])];
}

/**
 * Lay out the network.
 * @param {object} args
 * @param {number} args.width overlay width in px: OUTPUT column left − FEATURES column left
 * @param {string[]} args.inputs input nodes shown (all features not hidden), canonical order
 * @param {string[]} args.enabled the enabled features (the network's inputs), canonical order
 * @param {number[]} args.hidden hidden layer sizes
 * @param {number} [args.outputs] output units: 1 (the playground: links end at the map), or K
 *   softmax units drawn as small boxes in a column just left of the map, one row per unit
 * @returns {{inputs: {key:string, cx:number, cy:number}[], layers: {cx:number, cy:number}[][],
 *   output: {cx:number, cy:number}, outputs: {cx:number, cy:number, size:number}[],
 *   links: {layer:number, src:number, dst:number, d:string}[],
 *   height:number, thumbCallout: ({x:number, y:number}|null),
 *   weightCallout: ({x:number, y:number}|null)}}
 *   Coordinates include PADDING. links[k].layer is the weight-matrix index (0 = inputs → first
 *   layer), src/dst index W[layer][src, dst]; the output's links end at x = width.
 */
export function layoutNetwork({ width, inputs, enabled, hidden, outputs = 1 }) {
  const y = (i) => PADDING + i * NODE_SPACING + RECT_SIZE / 2;
  const inputNodes = inputs.map((key, i) => ({ key, cx: PADDING + INPUT_CX, cy: y(i) }));
  const xs = rangePoints(hidden.length, FEATURE_WIDTH, width - RECT_SIZE, 0.7);
  const column = (n, l) => Array.from({ length: n }, (_, i) => ({ cx: PADDING + xs[l] + RECT_SIZE / 2, cy: y(i) }));
  const layers = hidden.map(column);
  const outputNodes = outputs > 1
    ? Array.from({ length: outputs }, (_, k) => ({ cx: PADDING + width - OUTPUT_SIZE / 2 - 6, cy: y(k), size: OUTPUT_SIZE }))
    : [{ cx: PADDING + width + RECT_SIZE / 2, cy: y(0), size: RECT_SIZE }];
  const output = outputNodes[0];
  // Sources of each weight layer: the enabled inputs (as drawn), then each hidden layer.
  const byKey = new Map(inputNodes.map((n) => [n.key, n]));
  const sources = [enabled.map((k) => byKey.get(k)).filter(Boolean), ...layers];
  const dests = [...layers, outputNodes];
  const links = [];
  let thumbCallout = null;
  let weightCallout = null;
  let thumb = null; // [layer, unit] of the node with the thumbnail callout
  dests.forEach((destLayer, l) => {
    const src = sources[l];
    const isHidden = l < layers.length;
    const next = l + 1 < layers.length ? layers[l + 1].length : outputs;
    destLayer.forEach((dest, dst) => {
      const last = dst === destLayer.length - 1;
      // Thumbnail callout: the last node of the first layer that is not narrower than the next.
      if (isHidden && thumbCallout === null && last && next <= destLayer.length) {
        thumbCallout = { x: dest.cx - PADDING, y: 20 + dest.cy };
        thumb = [l, dst];
      }
      src.forEach((source, s) => {
        const ty = dest.cy + ((s - (src.length - 1) / 2) / src.length) * 12;
        const curve = diagonal(source.cx + RECT_SIZE / 2 + 2, source.cy, dest.cx - (dest.size || RECT_SIZE) / 2, ty);
        links.push({ layer: l, src: s, dst, d: curve.d });
        // The playground's weight-callout rule (drawNetwork): into the last node of a hidden
        // layer, from the previous layer's last node, clear of the thumbnail callout's node.
        const fromThumb = thumb !== null && thumb[0] === l - 1 && thumb[1] === s;
        const intoThumb = thumb !== null && thumb[0] === l && thumb[1] === dst;
        if (weightCallout === null && isHidden && last && s === src.length - 1
            && (!fromThumb || hidden.length + 2 <= 5) && !intoThumb && src.length >= destLayer.length) {
          const [px, py] = pointAlong(curve.p, 0.7);
          weightCallout = { x: px + 3, y: py + 5 };
        }
      });
    });
  });
  const rows = Math.max(inputs.length, ...hidden, outputs);
  return {
    inputs: inputNodes, layers, output, outputs: outputNodes, links, height: rows * NODE_SPACING,
    thumbCallout, weightCallout,
  };
}
