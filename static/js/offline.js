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

import { $ } from "./dom.js";

/** Controls that do nothing without the server: disabled while offline. */
const NEEDS_SERVER = ["play-pause-button", "next-step-button", "reset-button", "data-regen-button"];

const BANNER = {
  reconnecting: "Not connected to the server: training is stopped. Edits you make now are kept "
    + "and applied when the connection is back.",
  idle: "Paused while idle: click anywhere or press a key to reconnect.",
};

const BACK = "Connected again, thanks for waiting.";
const BACK_WITH_EDITS = "Connected again, thanks for waiting: the edits you made meanwhile are applied.";
const BACK_MS = 5000; // long enough to read the sentence twice; it says nothing that needs acting on

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
   * @param {string} state "connecting", "connected", "reconnecting", "idle" or "refused"
   * @param {string} detail the reason, if any
   */
  show(state, detail) {
    this.online = state === "connected";
    const text = state === "refused" ? `Not connected: ${detail}` : BANNER[state] || "";
    if (!this.online) this.#backNotice(false);
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
  #backNotice(show, edits = false) {
    clearTimeout(this.noticeTimer);
    this.notice.textContent = show ? (edits ? BACK_WITH_EDITS : BACK) : "";
    if (show) this.noticeTimer = setTimeout(() => this.#backNotice(false), BACK_MS);
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
   * page's first connection is no news) and returns the kept patch, once, for the caller to send.
   */
  back() {
    const patch = this.patch;
    this.patch = null;
    if (this.wasOffline) this.#backNotice(true, patch !== null);
    this.wasOffline = false;
    return patch;
  }
}
