// Connection: the one websocket of this tab (docs/protocol.md). Opens it, reconnects with
// exponential backoff after a drop, and dispatches JSON messages by `type` and binary frames to
// `onFrame`. It knows nothing about the page: the caller says what to send when a connection opens.
// Trade-off: commands sent while disconnected are dropped, not queued; the next `hello` carries the
// whole state (settings + checkpoint), which is what makes a queue unnecessary.

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const CLOSE_GOING_AWAY = 1001; // the server closed an idle session
const CLOSE_ORIGIN_REFUSED = 1008;

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
  }

  /** Open the socket (status "connecting", then "connected"). */
  open() {
    clearTimeout(this.timer);
    this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting", "");
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.onStatus("connected", "");
      this.onOpen();
    });
    ws.addEventListener("message", (ev) => this.#dispatch(ev.data));
    ws.addEventListener("close", (ev) => this.#closed(ws, ev));
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
    if (this.isOpen) this.ws.send(JSON.stringify(msg));
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
    this.onStatus("reconnecting", ev.reason || "");
    this.timer = setTimeout(() => this.open(), delay + jitter);
  }
}
