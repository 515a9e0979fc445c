// RenderLoop: ONE requestAnimationFrame loop draws the newest binary frame (dropping stale ones)
// and then grants credit for every frame received, so a slow or hidden tab simply receives fewer
// frames (docs/protocol.md §7). Messages only store what arrived; drawing happens here.
// Trade-off: a frame that fails to decode is dropped with a warning, and its credit still granted,
// so one bad frame cannot stall the stream.

import { credit, decodeFrame } from "./protocol.js";

const INITIAL_CREDIT = 2;
const MAX_CREDIT = 8;

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
  }

  start() {
    requestAnimationFrame(() => this.#tick());
  }

  /** A binary frame arrived: keep only the newest. @param {ArrayBuffer} buffer */
  receive(buffer) {
    this.pendingFrame = buffer;
    this.received += 1;
  }

  /** A new hello went out: forget frames of the old session and open the credit window. */
  restart() {
    this.pendingFrame = null;
    this.received = 0;
    this.send(credit(INITIAL_CREDIT));
  }

  #tick() {
    requestAnimationFrame(() => this.#tick());
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
