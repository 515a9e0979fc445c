// The registries (app/playground/registry.py): every name a user can pick and what the page shows
// for it, as the server rendered them into the page's JSON island `<script id="registries">`.
// Every module reads its lists from here; none keeps its own copy (tests/api checks that).
// Trade-off: node has no page, so a node test sets `globalThis.NN_PLAYGROUND_REGISTRIES` first
// (tests/js/registries.mjs, from a file pytest keeps equal to the Python registries).

function load() {
  const island = typeof document !== "undefined" ? document.getElementById("registries") : null;
  if (island) return JSON.parse(island.textContent);
  if (globalThis.NN_PLAYGROUND_REGISTRIES) return globalThis.NN_PLAYGROUND_REGISTRIES;
  throw new Error("no registries: the page must carry <script type=\"application/json\" id=\"registries\">");
}

/** The page's registries, read once. */
export const REGISTRIES = load();
