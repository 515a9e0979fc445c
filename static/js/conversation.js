// Conversation: the page's side of a session (docs/protocol.md §2). Says hello with the hash's
// settings, or with the stored checkpoint when it belongs to them (a reload or reconnect resumes
// where it was); retries when the server refuses a setting from the URL; keeps the newest
// checkpoint in sessionStorage; and presses play again after a drop that interrupted training.
// Trade-off: a refused URL value is dropped (the server's default applies) rather than shown as
// an error, so a hand-edited or outdated link still opens a working page.

import { hello } from "./protocol.js";
import { checkpointMatches } from "./state.js";

const CHECKPOINT_STORE = "nn-playground.checkpoint";
const HELLO_RETRIES = 6;
const HELLO_ERRORS = new Set(["invalid_message", "invalid_checkpoint", "invalid_run"]);

export class Conversation {
  /**
   * @param {object} opts
   * @param {(message: object) => void} opts.send
   * @param {() => object} opts.settings protocol settings the hash describes now
   * @param {(epoch: number|null) => void} opts.saved shows which epoch a reload resumes from
   * @param {() => string|null} [opts.run] the link's run marker, if it names one
   * @param {() => string|null} [opts.runEvents] the events of that run, if the link has them
   * @param {(message: string) => void} [opts.runRefused] the server refused that marker
   */
  constructor({ send, settings, saved, run = () => null, runEvents = () => null, runRefused = () => {} }) {
    this.send = send;
    this.hashSettings = settings;
    this.saved = saved;
    this.run = run;
    this.runEvents = runEvents;
    this.runRefused = runRefused;
    this.excluded = new Set(); // settings the server refused in hello: its default applies
    this.pending = null; // the unanswered hello: { attempts, resume, fresh }
    this.resumePlaying = false; // training was running when the line dropped
    this.checkpoint = loadCheckpoint();
  }

  /**
   * Say hello; returns the checkpoint it resumes from, or null.
   * @param {boolean} [fresh] a new run even if the stored checkpoint matches the settings (kept
   *   by the retries of a refused hello)
   */
  hello(fresh = false) {
    fresh ||= Boolean(this.pending && this.pending.fresh);
    const settings = this.#settings();
    const run = this.run();
    // A link naming a run resumes only a checkpoint of that run; otherwise it replays it.
    const ours = !fresh && (run == null || (this.checkpoint && this.checkpoint.run === run));
    const resume = ours && checkpointMatches(this.checkpoint, settings) ? this.checkpoint : null;
    this.pending = { attempts: (this.pending ? this.pending.attempts : 0) + 1, resume, fresh };
    // A resumed run that a link began goes on replaying that link's events (the server
    // checks the checkpoint's log against them).
    const linked = run != null && (!resume || resume.run === run);
    const events = linked ? this.runEvents() : null;
    this.send(resume ? hello(resume.settings, resume, linked ? run : null, events) : hello(settings, null, run, events));
    return resume;
  }

  /** The hash was edited by hand: the server may accept what it refused before. */
  forgetRefusals() {
    this.excluded = new Set();
  }

  /** The line dropped (or is back): remember whether training was running. */
  lineChanged(status, playing) {
    if (status !== "connected") this.resumePlaying ||= playing;
  }

  /**
   * A `state` answered; returns true when play must be pressed again (the session came back
   * paused after a drop that interrupted training).
   */
  answered(state) {
    const wasPending = this.pending !== null;
    this.pending = null;
    const replay = wasPending && this.resumePlaying && !state.playing;
    if (wasPending) this.resumePlaying = false;
    return replay;
  }

  /** An error arrived: true when it refused our hello and a new hello went out. */
  refused(m) {
    const pending = this.pending;
    if (!pending || pending.attempts > HELLO_RETRIES || !HELLO_ERRORS.has(m.code)) return false;
    // A URL value the server refuses must not cost the page its session: drop the named
    // setting (the server's default applies) and ask again; an unnamed problem drops them all.
    const field = (m.field || "").replace(/^settings\.?/, "").split(".")[0];
    if (m.code === "invalid_run") this.runRefused(m.message); // the plain link still opens
    else if (m.code === "invalid_checkpoint" || field === "checkpoint") this.store(null);
    else if (field) this.excluded.add(field);
    else this.excluded = new Set(Object.keys(this.#settings()).filter((k) => k !== "seed"));
    console.warn(`server refused the page's settings (${m.message}); retrying`);
    return true;
  }

  /** Keep (or forget, with null) the newest checkpoint for a reload or reconnect. */
  store(checkpoint) {
    this.checkpoint = checkpoint;
    this.saved(checkpoint ? checkpoint.epoch : null);
    try {
      if (checkpoint) sessionStorage.setItem(CHECKPOINT_STORE, JSON.stringify(checkpoint));
      else sessionStorage.removeItem(CHECKPOINT_STORE);
    } catch (err) {
      console.warn(`could not keep the checkpoint: ${err}`);
    }
  }

  #settings() {
    const settings = this.hashSettings();
    for (const key of this.excluded) delete settings[key];
    return settings;
  }
}

function loadCheckpoint() {
  try {
    return JSON.parse(sessionStorage.getItem(CHECKPOINT_STORE) || "null");
  } catch {
    return null;
  }
}
