// Node has no page to carry the registries' JSON island: import this module FIRST in a test that
// reaches static/js/registries.js. registries.json is written from Python
// (`python -m app.playground.registry > tests/js/registries.json`); a pytest keeps it equal.
import { readFileSync } from "node:fs";

globalThis.NN_PLAYGROUND_REGISTRIES = JSON.parse(readFileSync(new URL("./registries.json", import.meta.url), "utf8"));
