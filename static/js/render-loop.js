// RenderLoop: ONE requestAnimationFrame loop draws the newest binary frame (dropping stale ones)
// and then grants credit for the frames received, so a slow or hidden tab simply receives fewer
// frames (docs/protocol.md §7). Messages only store what arrived; drawing happens here.
// The loop runs only while there is something to draw: a frame, a message, a redraw asked for
// (`wake`). A loop that asked for every animation frame made the browser run its frame
// machinery 60 times a second for the ~30 frames the server sends, and forever on a paused page.
// Trade-off: a frame that fails to decode is dropped with a warning, and its credit still granted,
// so one bad frame cannot stall the stream.

import { credit, decodeFrame } from "./protocol.js";
import { REGISTRIES } from "./registries.js";

// A credit goes back for every frame drawn. Granting two at a time saved one small send per two
// frames but broke two things that read a grant as "the page read its frame": the checkpoint a
// command owes (docs/protocol.md §7) and the socket's stall watchdog, which waits for an answer
// only after the page has sent something.
const INITIAL_CREDIT = 2;
const MAX_CREDIT = REGISTRIES.max_credit; // the server's cap (app/playground/registry.py)

export class RenderLoop {
  /**
   * @param {object} opts
   * @param {(message: object) => void} opts.send
   * @param {() => void} opts.before each tick, before a frame is drawn (data points, structure)
   * @param {(frame: object, fresh: boolean) => void} opts.draw fresh: a new frame, not a redraw
   * @param {() => void} opts.after each tick, last (the loss chart)
   */
  constructor({ send, before, draw, after }) {
    this.send = send;
    this.before = before;
    this.draw = draw;
    this.after = after;
    this.pendingFrame = null; // newest undrawn binary frame
    this.received = 0; // frames received since credit was last granted
    this.frame = null; // newest decoded frame
    this.redraw = false; // draw `frame` again (new colours or structure) on the next tick
    this.scheduled = false; // an animation frame is asked for
  }

  /** Run one tick on the next animation frame (once, however often it is called). */
  wake() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.#tick());
  }

  start() {
    this.wake();
  }

  /** A binary frame arrived: keep only the newest. @param {ArrayBuffer} buffer */
  receive(buffer) {
    this.pendingFrame = buffer;
    this.received += 1;
    this.wake();
  }

  /** Draw the newest frame again on the next tick (new colours, say). */
  requestRedraw() {
    this.redraw = true;
    this.wake();
  }

  /** A new hello went out: forget frames of the old session and open the credit window. */
  restart() {
    this.pendingFrame = null;
    this.received = 0;
    this.send(credit(INITIAL_CREDIT));
    this.wake();
  }

  #tick() {
    this.scheduled = false;
    this.before();
    if (this.pendingFrame) {
      const buffer = this.pendingFrame;
      this.pendingFrame = null;
      try {
        this.frame = decodeFrame(buffer);
        this.draw(this.frame, true);
      } catch (err) {
        console.warn(`dropping a frame: ${err.message}`);
      }
      this.send(credit(Math.min(MAX_CREDIT, this.received)));
      this.received = 0;
    } else if (this.redraw && this.frame) {
      this.draw(this.frame, false);
    }
    this.redraw = false;
    this.after();
  }
}
