// OfflineState: while the server cannot be reached the page must not look usable. A banner says
// what is happening, the buttons that need the server (play, step, reset, regenerate, downloads)
// are disabled, and settings edits made meanwhile (learning rate, features, layers, the Training
// panel) are kept and sent once the session is back, so nothing the person did is silently lost.
// Trade-off: only `set` edits are kept, merged into one patch (the newest value of each setting
// wins), because they are what a person changes while waiting; one-off actions (a step, a point,
// a weight) depend on a run the page cannot see, so their buttons are disabled instead.
// When the session is back after the banner was up, a short notice says so and goes away by
// itself: the banner simply vanishing left the person to spot a status word in the corner. It
// waits for the server's answer to `hello`, not the socket's opening: a full server accepts the
// socket and then closes it, and "connected again" should not blink on each of those tries.
// When the run came back at an earlier epoch than the page last showed (a checkpoint is taken
// about once a second, so a restarted server loses what came after it), the notice says how
// many epochs that was and that they are trained again, rather than letting the counter jump
// back unexplained.

import { $ } from "./dom.js";
import { clickWord } from "./pointer-words.js";

/** Controls that do nothing without the server: disabled while offline. */
const NEEDS_SERVER = ["play-pause-button", "next-step-button", "reset-button", "data-regen-button"];

const BANNER = {
  reconnecting: "Not connected to the server: training is stopped. Edits you make now are kept "
    + "and applied when the connection is back.",
  idle: () => `Paused while idle: ${clickWord()} anywhere or press a key to reconnect.`,
  reclaimed: () => "Paused: this tab was idle while the server was full, so its place went to "
    + `another student: ${clickWord()} anywhere or press a key to resume where you left off.`,
};

const BACK = "Connected again, thanks for waiting.";
const EDITS = "The edits you made meanwhile are applied.";
const BACK_MS = 5000; // long enough to read the sentence twice; it says nothing that needs acting on
const LOST_MS = 12000; // a longer notice, with numbers in it

/**
 * What the notice says when the session is back.
 * @param {object} back
 * @param {number|null} back.before the epoch the page showed before the connection dropped
 * @param {number} back.after the epoch the session came back at
 * @param {boolean} back.resumed it resumed the page's checkpoint (else a new run began)
 * @param {boolean} back.training training goes on by itself (it was running at the drop)
 * @param {boolean} back.edits edits made offline were applied
 * Example: backText({before: 239, after: 233, resumed: true, training: true, edits: false}) ->
 *   "Connected again, thanks for waiting. The run came back from its last saved point, epoch
 *   233: the 6 epochs after it were lost and are being trained again."
 */
export function backText({ before, after, resumed, training, edits }) {
  const parts = [BACK];
  if (before !== null && after < before) {
    const lost = before - after;
    const [epochs, were, are, them] = lost === 1 ? ["1 epoch", "was", "is", "it"] : [`${lost} epochs`, "were", "are", "them"];
    const saved = `The run came back from its last saved point, epoch ${after}: the ${epochs} after it ${were} lost`;
    if (!resumed) parts.push(`The run could not be resumed, so it starts again at epoch ${after}.`);
    else if (training) parts.push(`${saved} and ${are} being trained again.`);
    else parts.push(`${saved}; press play to train ${them} again.`);
  }
  if (edits) parts.push(EDITS);
  return parts.join(" ");
}

export class OfflineState {
  constructor() {
    this.online = false;
    this.patch = null; // settings edited while offline, not yet sent
    this.banner = $("offline-banner");
    this.notice = $("online-notice"); // a polite live region, empty unless it has news
    this.wasOffline = false; // the banner has been up since the last connection
    this.noticeTimer = null;
  }

  /**
   * Follow the connection's status (socket.js onStatus).
   * @param {string} state "connecting", "connected", "reconnecting", "idle", "reclaimed" or "refused"
   * @param {string} detail the reason, if any
   */
  show(state, detail) {
    this.online = state === "connected";
    const banner = BANNER[state];
    const text = state === "refused" ? `Not connected: ${detail}` : (typeof banner === "function" ? banner() : banner) || "";
    if (!this.online) this.#backNotice(null);
    this.wasOffline ||= Boolean(text) && !this.online;
    this.banner.textContent = this.online ? "" : text;
    this.banner.classList.toggle("hidden", this.online || !text);
    document.body.classList.toggle("offline", Boolean(text) && !this.online);
    for (const id of NEEDS_SERVER) {
      const el = $(id);
      if (el) el.disabled = !this.online;
    }
    for (const el of document.querySelectorAll("[data-export]")) el.disabled = !this.online;
  }

  // Say the session is back, or take that back: a connection that drops again at once must not
  // leave "connected again" beside the banner.
  #backNotice(text) {
    clearTimeout(this.noticeTimer);
    this.notice.textContent = text || "";
    const ms = text && text.length > BACK.length + EDITS.length + 1 ? LOST_MS : BACK_MS;
    if (text) this.noticeTimer = setTimeout(() => this.#backNotice(null), ms);
  }

  /**
   * Keep a settings patch for later; returns the patch so far (to show it at once).
   * @param {object} patch protocol settings
   */
  keep(patch) {
    this.patch = { ...(this.patch || {}), ...patch };
    return this.patch;
  }

  /**
   * The server answered `hello`: the session is back. Says so if the banner had been up (the
   * page's first connection is no news), with the epochs lost if it came back earlier than the
   * page last showed, and returns the kept patch, once, for the caller to send.
   * @param {{before: number|null, after: number, resumed: boolean, training: boolean}} run
   */
  back(run = { before: null, after: 0, resumed: true, training: false }) {
    const patch = this.patch;
    this.patch = null;
    if (this.wasOffline) this.#backNotice(backText({ ...run, edits: patch !== null }));
    this.wasOffline = false;
    return patch;
  }
}
