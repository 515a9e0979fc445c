// RunLink: the "Link to this run" button (issues 11 and 24). It shows a link whose `run=` key
// replays the last reset (the same data and initial weights, app/playground/run_link.py) and
// whose `runEvents=` key carries what the user did since (learning-rate changes, typed weights
// and biases, clicked points) at the epochs it happened, with the learning rate the run began
// at: step for step, the same losses (app/playground/run_script.py). The link always lands in a
// selectable text field; the clipboard gets it too where the browser allows. Also keeps the
// page's own URL honest: once the session no longer runs what the hash's `run=` names (a reset,
// a regenerate), the keys leave the URL, so a plain link keeps the playground's continuing-
// stream behaviour; while they stay, the URL keeps the rate the run began at.
// Trade-off: the button offers nothing while the server says no URL reaches the run (uploaded
// data, data regenerated after the reset), and a run with more changes than a link carries
// gets a link to its start that says what it leaves out, rather than a longer URL.

import { $ } from "./dom.js";
import { serializeState } from "./state.js";

const CHANGE_NAMES = {
  learning_rate: "its learning-rate changes",
  weight: "the weights typed in",
  bias: "the biases typed in",
  add_point: "the clicked points",
  clear_points: "the points cleared",
  points: "the points clicked before it began",
};

/** "a, b and c". @param {string[]} items */
const listed = (items) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

/**
 * What the button promises for a `state.run`, as its tooltip.
 * @param {{exact: boolean, changes: string[]}|null} run
 */
export function runLinkTitle(run) {
  if (!run) {
    return "No link replays this run: its weights were imported from a file, or its data was "
      + "regenerated or uploaded after they were drawn. Share the Weights JSON instead, or "
      + "press Reset for a run a link can replay.";
  }
  if (run.exact) {
    return "Copy a link that replays this run: the same data, the same initial weights and your "
      + "changes along the way at the same epochs, so the same losses";
  }
  return `Copy a link to the start of this run: the same data and initial weights at its first `
    + `learning rate, without ${missing(run)} (more changes than a link can carry)`;
}

function missing(run) {
  return listed([...new Set(run.changes.map((c) => CHANGE_NAMES[c] || c))]);
}

export class RunLink {
  /** @param {import("./url-hash.js").UrlHash} url the page's hash state */
  constructor(url) {
    this.url = url;
    this.run = null; // the server's `state.run`: { marker, exact, changes, events, learning_rate, replaying? }
    this.copied = null; // the link last put in the field
    this.button = $("run-link-button");
    this.field = $("run-link-field");
    this.note = $("run-link-note");
    this.button.addEventListener("click", () => this.copy());
    this.field.addEventListener("focus", () => this.field.select());
  }

  /** A `state` arrived: enable the button, and drop a `run=` the session no longer runs. */
  show(run) {
    this.run = run || null;
    this.button.disabled = !run;
    this.button.title = runLinkTitle(this.run);
    const hash = this.url.state;
    const marker = run ? run.marker : null;
    if (hash.run != null && hash.run !== marker) {
      hash.run = hash.runEvents = null;
      this.url.write();
    } else if (hash.run != null && hash.runEvents && run && hash.learningRate !== run.learning_rate) {
      hash.learningRate = run.learning_rate; // the link's events change it from there
      this.url.write();
    }
    // A copied link that no longer names this run (a reset, a change since) is taken away.
    if (this.copied && (!run || this.link() !== this.copied)) {
      this.copied = null;
      this.field.classList.add("hidden");
      this.#say(null);
    }
    if (!this.copied && !this.note.classList.contains("warn")) this.#say(replayText(run));
  }

  /** The link: the page's hash as it is now, with the run's marker, events and first rate. */
  link() {
    const { marker, events, learning_rate: rate } = this.run;
    const state = { ...this.url.state, run: marker, runEvents: events || null };
    if (events && rate != null) state.learningRate = rate;
    return `${location.origin}${location.pathname}${location.search}#${serializeState(state)}`;
  }

  copy() {
    if (!this.run) return;
    const link = this.link();
    this.copied = link;
    this.field.value = link;
    this.field.classList.remove("hidden");
    this.field.focus();
    this.field.select();
    const caveat = this.run.exact ? "" : ` It replays the start of the run, not ${missing(this.run)}: more changes than a link can carry.`;
    this.#say(`Select the link above and copy it.${caveat}`);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(() => this.copied === link && this.#say(`Link copied.${caveat}`), () => {});
    }
  }

  /** The server could not replay the link's run: the page shows the seed's own run instead. */
  refused(message) {
    this.url.state.run = this.url.state.runEvents = null;
    this.url.write();
    this.#say(`This link's run could not be replayed (${message}). Showing the seed's first run instead.`, true);
  }

  #say(text, warn = false) {
    this.note.textContent = text || "";
    this.note.classList.toggle("warn", Boolean(text) && warn);
    this.note.classList.toggle("hidden", !text);
  }
}

/** The note while the session replays a linked run's events. */
export function replayText(run) {
  const r = run && run.replaying;
  if (!r) return null;
  const changes = r.left === 1 ? "1 change" : `${r.left} changes`;
  return `This run follows the link it was opened from: ${changes} still to come, the next at epoch ${r.next_epoch}.`;
}
