// Connection: the one websocket of this tab (docs/protocol.md). Opens it, reconnects after a drop
// (at once when a stopping server asks for it with 1012, else with backoff and jitter: the rules
// are in reconnect.js), and dispatches JSON messages by `type` and binary frames to `onFrame`. It
// knows nothing about the page: the caller says what to send when a connection opens.
// Two failures TCP does not report are detected here: a handshake the server refuses (an Origin or
// Host refusal is an HTTP 403, which browsers report only as close code 1006, exactly like a
// balancer's 502 for a dead replica) is told apart by asking the server over plain HTTP whether it
// would admit this page (POST /socket-check), and a path that silently stalls is noticed by a ping
// watchdog: when an answer is awaited (the page sent something) and nothing has arrived for a while,
// the page pings, and with no answer it reconnects. An idle page sends nothing, so the server's idle
// timeout still frees its session.
// Trade-off: commands sent while disconnected are dropped here; the page keeps the edits that
// matter (offline.js) and the next `hello` carries the rest (settings + checkpoint).

import { ping } from "./protocol.js";
import { CLOSE_ABNORMAL, afterClose, afterProbe, retryDelayMs } from "./reconnect.js";

const WATCH_MS = 1000; // how often the watchdog looks
const PING_AFTER_MS = 4000; // silence after which the page asks the server for a pong
const DEAD_AFTER_MS = 9000; // silence after which the line is taken for dead
const REFUSED_AFTER = 2; // handshakes in a row the server itself says it refuses
const REFUSED_TEXT = "the server answers but refuses this page's connection: its address (Origin or Host) "
  + "is not allowed. Open the page at the server's own address, or ask whoever runs it to allow this one.";
const UPSTREAM_TEXT = "the server answers, but its balancer could not reach a replica; retrying";

export class Connection {
  /**
   * @param {object} opts
   * @param {string} opts.url ws(s)://host/ws
   * @param {() => void} opts.onOpen called on every (re)connection; should send `hello`
   * @param {Object<string, (msg: object) => void>} opts.handlers JSON messages by `type`
   * @param {(buffer: ArrayBuffer) => void} opts.onFrame binary frames
   * @param {(status: string, detail: string) => void} opts.onStatus "connecting", "connected",
   *   "reconnecting", "idle" (closed for inactivity; reopens on the next click or key), "reclaimed"
   *   (idle while the server was full: its place went to another student; reopens the same way)
   *   or "refused"
   * @param {() => boolean} [opts.expecting] whether the server should go on talking by itself
   *   (a playing session sends frames and checkpoints): then silence is suspect even when
   *   everything the page sent has had an answer
   */
  constructor({ url, onOpen, handlers, onFrame, onStatus, expecting = () => false }) {
    Object.assign(this, { url, onOpen, handlers, onFrame, onStatus, expecting });
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.refusals = 0; // handshakes in a row that failed while the server's HTTP side answered
    this.awaitingSince = null; // since when an answer is due (a send, or a playing session)
    this.pinged = false;
    this.watchdog = setInterval(() => this.#watch(), WATCH_MS);
  }

  /** Open the socket (status "connecting", then "connected"). */
  open() {
    clearTimeout(this.timer);
    if (this.refusals < REFUSED_AFTER) this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting", "");
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.addEventListener("open", () => {
      ws.opened = true;
      this.refusals = 0;
      this.#heard();
      this.awaitingSince = performance.now(); // the server's first answer is due
      this.onStatus("connected", "");
      this.onOpen();
    });
    ws.addEventListener("message", (ev) => {
      if (ws !== this.ws) return;
      this.#heard();
      this.#dispatch(ev.data);
    });
    ws.addEventListener("close", (ev) => this.#closed(ws, ev));
  }

  // Something came: the line works now. While the session plays, the next word is due at once
  // (a checkpoint answering the page's last credit must not leave a stall after it unseen).
  #heard() {
    this.awaitingSince = this.expecting() ? performance.now() : null;
    this.pinged = false;
  }

  // A line that stalls without breaking (a sleeping laptop's NAT, a proxy that hangs) never
  // closes by itself: ask for a pong after a silence, and give the socket up after a longer one.
  #watch() {
    if (!this.isOpen || this.awaitingSince === null) return;
    const silent = performance.now() - this.awaitingSince;
    if (silent > DEAD_AFTER_MS) {
      const ws = this.ws;
      this.#closed(ws, { code: CLOSE_ABNORMAL, reason: "no answer from the server" });
      ws.close();
    } else if (silent > PING_AFTER_MS && !this.pinged) {
      this.pinged = true;
      this.ws.send(JSON.stringify(ping(Math.floor(performance.now()))));
    }
  }

  /** True while the socket is open. */
  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Send a JSON message; dropped while disconnected (the next hello restores everything).
   * @param {object} msg a protocol.js builder's result
   */
  send(msg) {
    if (!this.isOpen) return;
    this.ws.send(JSON.stringify(msg));
    if (this.awaitingSince === null) this.awaitingSince = performance.now();
  }

  /** The server answered, so the connection works: the next drop retries quickly again. */
  confirm() {
    this.attempt = 0;
  }

  #dispatch(data) {
    if (typeof data !== "string") {
      this.onFrame(data);
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn("ignoring a message that is not JSON");
      return;
    }
    const handler = this.handlers[msg.type];
    if (handler) handler(msg);
  }

  #closed(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    const how = afterClose(ev.code);
    if (how === "refused") {
      this.onStatus("refused", ev.reason || "the server refused this page's origin");
      return;
    }
    if (how === "idle" || how === "reclaimed") {
      // Idle: the server freed the session for others. Come back when the person does; the
      // checkpoint makes that seamless.
      this.onStatus(how, ev.reason || "closed after a long idle time");
      const wake = () => {
        for (const type of ["pointerdown", "keydown"]) document.removeEventListener(type, wake, true);
        this.open();
      };
      for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, wake, true);
      return;
    }
    // A stopping server sent its final checkpoint and asks for a new connection now: another
    // replica (or this one, restarted) resumes it. Anything else waits longer at each try.
    if (how === "now") this.attempt = 0;
    const delay = retryDelayMs(this.attempt, how);
    if (how !== "now") this.attempt += 1;
    if (this.refusals < REFUSED_AFTER) this.onStatus("reconnecting", ev.reason || "");
    this.timer = setTimeout(() => this.open(), delay);
    if (!ws.opened && ev.code === CLOSE_ABNORMAL) this.#probe();
  }

  // The handshake failed before opening. Ask the server whether it would admit this page: only
  // its own "no" is a refusal (said after REFUSED_AFTER of them, and retried quietly in case it is
  // allowed later); a balancer's 502/503, or nothing at all, is a failing upstream.
  async #probe() {
    let verdict = "unreachable";
    try {
      const res = await fetch("/socket-check", { method: "POST", cache: "no-store" });
      const body = res.ok ? await res.json().catch(() => null) : null;
      verdict = afterProbe(res.status, body);
    } catch {
      verdict = "unreachable";
    }
    if (this.isOpen) return;
    this.refusals = verdict === "refused" ? this.refusals + 1 : 0;
    if (this.refusals >= REFUSED_AFTER) this.onStatus("refused", REFUSED_TEXT);
    else if (verdict === "upstream") this.onStatus("reconnecting", UPSTREAM_TEXT);
  }
}
