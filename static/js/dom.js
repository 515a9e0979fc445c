// The two DOM helpers every view uses: look an element up by id, make an SVG element. Kept in one
// module so no view carries its own copy (and a CSP-safe `svgEl` is written once).

const SVG_NS = "http://www.w3.org/2000/svg";

/** The element with this id (null when the page has none). @param {string} id */
export const $ = (id) => document.getElementById(id);

/**
 * Create an SVG element with attributes (presentation attributes only; CSP forbids `style`).
 * @param {string} tag @param {Object<string, string|number>} [attrs]
 */
export function svgEl(tag, attrs = {}) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
