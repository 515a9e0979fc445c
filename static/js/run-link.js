// RunLink: the "Link to this run" button (issue 11). It shows a link whose `run=` key replays the
// last reset: the same data, the same initial weights and, step for step, the same losses
// (app/playground/run_link.py). The link always lands in a selectable text field; the clipboard
// gets it too where the browser allows. Also keeps the page's own URL honest: once the session
// no longer runs what the hash's `run=` names (a reset, a regenerate), the key leaves the URL,
// so a plain link keeps the playground's continuing-stream behaviour.
// Trade-off: the button offers nothing while the server says no URL reaches the run (uploaded
// data, data regenerated after the reset), rather than a link that would not replay it.

import { $ } from "./dom.js";
import { serializeState } from "./state.js";

const CHANGE_NAMES = {
  learning_rate: "a learning-rate change",
  weight: "edited weights",
  bias: "edited biases",
  add_point: "clicked points",
  clear_points: "cleared points",
  points: "clicked points",
};

export class RunLink {
  /** @param {import("./url-hash.js").UrlHash} url the page's hash state */
  constructor(url) {
    this.url = url;
    this.run = null; // the server's `state.run`: { marker, exact, changes } or null
    this.button = $("run-link-button");
    this.field = $("run-link-field");
    this.note = $("run-link-note");
    this.button.addEventListener("click", () => this.copy());
    this.field.addEventListener("focus", () => this.field.select());
  }

  /** A `state` arrived: enable the button, and drop a `run=` the session no longer runs. */
  show(run) {
    const marker = run ? run.marker : null;
    if (this.run && this.run.marker !== marker) this.field.classList.add("hidden"); // stale link
    this.run = run || null;
    this.button.disabled = !run;
    this.button.title = run
      ? "Copy a link that replays this run: same data, same initial weights, same losses"
      : "No link replays this run: its weights were imported from a file, or its data was " +
        "regenerated or uploaded after they were drawn. Share the Weights JSON instead, or " +
        "press Reset for a run a link can replay.";
    const hash = this.url.state;
    if (hash.run != null && hash.run !== marker) {
      hash.run = null;
      this.url.write();
    }
  }

  /** The link: the page's hash as it is now, plus the run marker. */
  link() {
    const body = serializeState({ ...this.url.state, run: this.run.marker });
    return `${location.origin}${location.pathname}${location.search}#${body}`;
  }

  copy() {
    if (!this.run) return;
    const link = this.link();
    this.field.value = link;
    this.field.classList.remove("hidden");
    this.field.focus();
    this.field.select();
    const caveat = this.run.exact ? "" : ` It gives the same initial weights, not ${this.#changes()}.`;
    this.#say(`Select the link above and copy it.${caveat}`);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(() => this.#say(`Link copied.${caveat}`), () => {});
    }
  }

  /** The server could not replay the link's run: the page shows the seed's own run instead. */
  refused(message) {
    this.url.state.run = null;
    this.url.write();
    this.#say(`This link's run could not be replayed (${message}). Showing the seed's first run instead.`, true);
  }

  #changes() {
    const names = [...new Set(this.run.changes.map((c) => CHANGE_NAMES[c] || c))];
    return names.join(", ");
  }

  #say(text, warn = false) {
    this.note.textContent = text;
    this.note.classList.toggle("warn", warn);
    this.note.classList.remove("hidden");
  }
}
