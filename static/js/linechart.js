// LineChart: the loss chart of the OUTPUT column (docs/playground-rules.md §7.5): train (#777) and test
// (black) series, 1.5 px, no axes; x spans the epochs shown, y the min…max of every value since the
// last reset. Drawn on a canvas, min/max per pixel column (the uPlot idea), so a run of thousands
// of points costs one linear pass per redraw instead of a path of thousands of segments.
// Trade-off: x is the epoch, not the point index as in the playground, because one frame here may
// cover many epochs; the curve's shape over time is what a learner reads.

// Every frame retraces the whole chart, so its cost grows with the points kept: 8,192 (a
// 5-minute run at 30 frames/s; then every other point goes) is ~60 per pixel column of the
// 138 px chart, far more than its min/max trace can show, at a bounded cost per frame. At
// 200,000 a class's hour-long run cost a cheap laptop several ms a frame.
const MAX_POINTS = 8_192;

const SERIES = [
  { key: 1, color: "#777" },
  { key: 2, color: "#000" },
];

export class LineChart {
  /**
   * @param {HTMLElement} container receives the canvas; its CSS box sets the chart size
   * @param {() => void} [changed] called when the chart needs a redraw of its own (a resize)
   */
  constructor(container, changed = () => {}) {
    this.container = container;
    this.canvas = document.createElement("canvas");
    this.canvas.dataset.frames = "0";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "Loss over epochs: training in grey, test in black");
    container.append(this.canvas);
    // The container's size, kept by an observer: reading clientWidth in draw() would force a
    // synchronous style and layout pass of the whole page on every frame.
    this.size = [container.clientWidth, container.clientHeight];
    new ResizeObserver(() => {
      this.size = [container.clientWidth, container.clientHeight];
      this.dirty = true;
      changed();
    }).observe(container);
    this.capacity = 1024;
    this.data = new Float64Array(this.capacity * 3); // [epoch, train, test] per point
    this.reset();
  }

  /** Forget every point (Reset, a structural change, a new session). */
  reset() {
    this.n = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.dirty = true;
  }

  /**
   * Record the losses at an epoch. Points at this epoch or later are dropped first, so the same
   * epoch replaces the last point (a weight edit, a regeneration) and an earlier one rewinds the
   * chart (epoch 0 after a Reset; a checkpoint older than the chart after a reconnect).
   * @param {number} epoch @param {number} train @param {number} test
   */
  add(epoch, train, test) {
    let n = this.n;
    while (n > 0 && this.data[(n - 1) * 3] >= epoch) n--;
    if (n !== this.n) this.#truncate(n);
    if (this.n === MAX_POINTS) this.#halve();
    if (this.n === this.capacity) {
      const grown = new Float64Array(this.capacity * 6);
      grown.set(this.data);
      this.data = grown;
      this.capacity *= 2;
    }
    this.data.set([epoch, train, test], this.n * 3);
    this.n += 1;
    this.#extend(train, test);
    this.dirty = true;
  }

  /**
   * Replace the chart with a saved history (a checkpoint's [[epoch, train, test], …]; a missing
   * loss is null). @param {Array<Array<number|null>>} history
   */
  load(history) {
    this.reset();
    for (const [epoch, train, test] of history) this.add(epoch, train ?? NaN, test ?? NaN);
  }

  // A very long run keeps its whole shape at half the resolution, so memory stays bounded.
  #halve() {
    const d = this.data;
    let j = 0;
    for (let i = 0; i < this.n; i += 2, j++) d.copyWithin(j * 3, i * 3, i * 3 + 3);
    this.n = j;
  }

  #truncate(n) {
    this.n = n;
    this.min = Infinity;
    this.max = -Infinity;
    for (let i = 0; i < n; i++) this.#extend(this.data[i * 3 + 1], this.data[i * 3 + 2]);
  }

  #extend(train, test) {
    for (const v of [train, test]) {
      if (Number.isFinite(v)) {
        if (v < this.min) this.min = v;
        if (v > this.max) this.max = v;
      }
    }
  }

  /** The recorded points as [[epoch, train, test], …] (for saving across a reload). */
  points() {
    return Array.from({ length: this.n }, (_, i) => Array.from(this.data.subarray(i * 3, i * 3 + 3)));
  }

  /** Redraw if anything changed since the last draw. */
  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(this.size[0] * dpr);
    const h = Math.round(this.size[1] * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    this.canvas.dataset.frames = String(Number(this.canvas.dataset.frames) + 1);
    if (this.n < 1 || !(this.max >= this.min)) return;
    const lw = 1.5 * dpr;
    const x0 = this.data[0];
    const span = this.data[(this.n - 1) * 3] - x0 || 1;
    const range = this.max - this.min || 1;
    const toX = (epoch) => lw / 2 + ((epoch - x0) / span) * (w - lw);
    const toY = (v) => lw / 2 + (1 - (v - this.min) / range) * (h - lw);
    ctx.lineWidth = lw;
    ctx.lineJoin = "round";
    for (const { key, color } of SERIES) {
      ctx.strokeStyle = color;
      ctx.beginPath();
      this.#trace(ctx, key, toX, toY, w);
      ctx.stroke();
    }
  }

  // One pass: consecutive points in the same pixel column collapse to first/min/max/last.
  #trace(ctx, key, toX, toY, w) {
    const d = this.data;
    let col = -1;
    let first = 0, last = 0, lo = 0, hi = 0;
    let started = false;
    const flush = () => {
      if (col < 0) return;
      const x = col + 0.5;
      if (!started) ctx.moveTo(x, toY(first));
      else ctx.lineTo(x, toY(first));
      started = true;
      if (lo !== hi) {
        ctx.lineTo(x, toY(lo));
        ctx.lineTo(x, toY(hi));
      }
      ctx.lineTo(x, toY(last));
    };
    for (let i = 0; i < this.n; i++) {
      const v = d[i * 3 + key];
      if (!Number.isFinite(v)) continue;
      const c = Math.min(w - 1, Math.floor(toX(d[i * 3])));
      if (c !== col) {
        flush();
        col = c;
        first = lo = hi = v;
      }
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      last = v;
    }
    flush();
  }
}
