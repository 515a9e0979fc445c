// OfflineState: while the server cannot be reached the page must not look usable. A banner says
// what is happening, the buttons that need the server (play, step, reset, regenerate, downloads)
// are disabled, and settings edits made meanwhile (learning rate, features, layers, the Training
// panel) are kept and sent once the session is back, so nothing the person did is silently lost.
// Trade-off: only `set` edits are kept, merged into one patch (the newest value of each setting
// wins), because they are what a person changes while waiting; one-off actions (a step, a point,
// a weight) depend on a run the page cannot see, so their buttons are disabled instead.

import { $ } from "./dom.js";

/** Controls that do nothing without the server: disabled while offline. */
const NEEDS_SERVER = ["play-pause-button", "next-step-button", "reset-button", "data-regen-button"];

const BANNER = {
  reconnecting: "Not connected to the server: training is stopped. Edits you make now are kept "
    + "and applied when the connection is back.",
  idle: "Paused while idle: click anywhere or press a key to reconnect.",
};

export class OfflineState {
  constructor() {
    this.online = false;
    this.patch = null; // settings edited while offline, not yet sent
    this.banner = $("offline-banner");
  }

  /**
   * Follow the connection's status (socket.js onStatus).
   * @param {string} state "connecting", "connected", "reconnecting", "idle" or "refused"
   * @param {string} detail the reason, if any
   */
  show(state, detail) {
    this.online = state === "connected";
    const text = state === "refused" ? `Not connected: ${detail}` : BANNER[state] || "";
    this.banner.textContent = this.online ? "" : text;
    this.banner.classList.toggle("hidden", this.online || !text);
    document.body.classList.toggle("offline", Boolean(text) && !this.online);
    for (const id of NEEDS_SERVER) {
      const el = $(id);
      if (el) el.disabled = !this.online;
    }
    for (const el of document.querySelectorAll("[data-export]")) el.disabled = !this.online;
  }

  /**
   * Keep a settings patch for later; returns the patch so far (to show it at once).
   * @param {object} patch protocol settings
   */
  keep(patch) {
    this.patch = { ...(this.patch || {}), ...patch };
    return this.patch;
  }

  /** The kept patch, once: the caller sends it after the session is back. */
  take() {
    const patch = this.patch;
    this.patch = null;
    return patch;
  }
}
