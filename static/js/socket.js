// Connection: the one websocket of this tab (docs/protocol.md). Opens it, reconnects with
// exponential backoff after a drop, and dispatches JSON messages by `type` and binary frames to
// `onFrame`. It knows nothing about the page: the caller says what to send when a connection opens.
// Two failures TCP does not report are detected here: a handshake the server refuses (an Origin or
// Host refusal is an HTTP 403, which browsers report only as close code 1006) is told apart from a
// server that is down by asking /healthz, and a path that silently stalls is noticed by a ping
// watchdog: when an answer is awaited (the page sent something) and nothing has arrived for a while,
// the page pings, and with no answer it reconnects. An idle page sends nothing, so the server's idle
// timeout still frees its session.
// Trade-off: commands sent while disconnected are dropped here; the page keeps the edits that
// matter (offline.js) and the next `hello` carries the rest (settings + checkpoint).

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const CLOSE_GOING_AWAY = 1001; // the server closed an idle session
const CLOSE_ORIGIN_REFUSED = 1008;
const CLOSE_ABNORMAL = 1006; // what a browser reports for a refused handshake, and for a dead line
const WATCH_MS = 1000; // how often the watchdog looks
const PING_AFTER_MS = 4000; // silence after which the page asks the server for a pong
const DEAD_AFTER_MS = 9000; // silence after which the line is taken for dead
const REFUSED_AFTER = 2; // handshakes refused while the server answers HTTP: it refuses this page
const REFUSED_TEXT = "the server answers but refuses this page's connection: its address (Origin or Host) "
  + "is not allowed. Open the page at the server's own address, or ask whoever runs it to allow this one.";

export class Connection {
  /**
   * @param {object} opts
   * @param {string} opts.url ws(s)://host/ws
   * @param {() => void} opts.onOpen called on every (re)connection; should send `hello`
   * @param {Object<string, (msg: object) => void>} opts.handlers JSON messages by `type`
   * @param {(buffer: ArrayBuffer) => void} opts.onFrame binary frames
   * @param {(status: string, detail: string) => void} opts.onStatus "connecting", "connected",
   *   "reconnecting", "idle" (closed for inactivity; reopens on the next click or key) or "refused"
   */
  constructor({ url, onOpen, handlers, onFrame, onStatus }) {
    Object.assign(this, { url, onOpen, handlers, onFrame, onStatus });
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.refusals = 0; // handshakes in a row that failed while the server's HTTP side answered
    this.awaitingSince = null; // when the page first sent something not yet answered
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

  #heard() {
    this.awaitingSince = null;
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
      this.ws.send(JSON.stringify({ type: "ping", id: Math.floor(performance.now()) }));
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
    if (ev.code === CLOSE_ORIGIN_REFUSED) {
      this.onStatus("refused", ev.reason || "the server refused this page's origin");
      return;
    }
    if (ev.code === CLOSE_GOING_AWAY) {
      // Idle: the server freed the session for others. Come back when the person does; the
      // checkpoint makes that seamless.
      this.onStatus("idle", ev.reason || "closed after a long idle time");
      const wake = () => {
        for (const type of ["pointerdown", "keydown"]) document.removeEventListener(type, wake, true);
        this.open();
      };
      for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, wake, true);
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    const jitter = delay * 0.2 * Math.random();
    this.attempt += 1;
    if (this.refusals < REFUSED_AFTER) this.onStatus("reconnecting", ev.reason || "");
    this.timer = setTimeout(() => this.open(), delay + jitter);
    if (!ws.opened && ev.code === CLOSE_ABNORMAL) this.#probe();
  }

  // The handshake failed before opening. If the server's HTTP side answers, the websocket was
  // refused rather than unreachable: say so (and keep retrying, in case it is allowed later).
  async #probe() {
    let up = false;
    try {
      up = (await fetch("/healthz", { cache: "no-store" })).ok;
    } catch {
      up = false;
    }
    if (this.isOpen) return;
    this.refusals = up ? this.refusals + 1 : 0;
    if (this.refusals >= REFUSED_AFTER) this.onStatus("refused", REFUSED_TEXT);
  }
}
