// Curves: one chart of the digits page (loss, or accuracy), x in epochs. Every batch's value is a
// thin grey trace (what Keras's progress bar averages); each epoch adds a point to the training
// (dark), validation (orange) and test (blue) lines; a dashed line marks fit()'s `epochs`.
// Long runs are drawn as min/max per pixel column, so thousands of batches cost one pass.
// Trade-off: y spans 0 to the largest value seen (loss) or 0 to 1 (accuracy), never zooming in:
// the shape of learning reads the same from the first epoch to the last.

const COLORS = { batch: "#bbb", loss: "#333", val_loss: "#f59322", test_loss: "#0877bd" };
const PAD = { left: 34, right: 8, top: 8, bottom: 18 };

export class Curves {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {"loss"|"accuracy"} metric
   */
  constructor(canvas, metric) {
    this.canvas = canvas;
    this.metric = metric;
    this.size = [canvas.clientWidth || 300, canvas.clientHeight || 160];
    new ResizeObserver(() => {
      this.size = [canvas.clientWidth, canvas.clientHeight];
      this.dirty = true;
    }).observe(canvas);
    this.fitEpochs = 0;
    this.reset();
  }

  reset() {
    this.batchX = [];
    this.batchY = [];
    this.epochs = []; // {epoch, train, val, test}
    this.top = this.metric === "accuracy" ? 1 : 0;
    this.dirty = true;
    this.canvas.dataset.points = "0";
  }

  /** Batch points from a frame: [x, loss, accuracy] triples. @param {Float32Array} points */
  addBatches(points) {
    const column = this.metric === "loss" ? 1 : 2;
    for (let i = 0; i < points.length; i += 3) {
      this.batchX.push(points[i]);
      this.batchY.push(points[i + column]);
      if (points[i + column] > this.top) this.top = points[i + column];
    }
    if (points.length) this.dirty = true;
  }

  /** An `epoch` message. @param {object} row */
  addEpoch(row) {
    const key = this.metric;
    const point = { epoch: row.epoch, train: row[key], val: row[`val_${key}`], test: row[`test_${key}`] };
    this.epochs = this.epochs.filter((p) => p.epoch < row.epoch).concat(point);
    for (const v of [point.train, point.val, point.test]) if (v != null && v > this.top) this.top = v;
    this.dirty = true;
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const [w, h] = this.size;
    const ratio = globalThis.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * ratio);
    this.canvas.height = Math.round(h * ratio);
    const g = this.canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const last = this.batchX.length ? this.batchX[this.batchX.length - 1] : 0;
    const span = Math.max(1, this.fitEpochs, last, this.epochs.length ? this.epochs.at(-1).epoch : 0);
    const top = this.top > 0 ? this.top : 1;
    const X = (x) => PAD.left + ((w - PAD.left - PAD.right) * x) / span;
    const Y = (y) => h - PAD.bottom - ((h - PAD.top - PAD.bottom) * y) / top;
    this.#axes(g, w, h, span, top, X, Y);
    this.#batches(g, X, Y);
    for (const [key, color] of [["train", COLORS.loss], ["val", COLORS.val_loss], ["test", COLORS.test_loss]]) {
      const pts = this.epochs.filter((p) => p[key] != null);
      g.strokeStyle = g.fillStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo(X(p.epoch), Y(p[key])) : g.moveTo(X(p.epoch), Y(p[key]))));
      g.stroke();
      for (const p of pts) g.fillRect(X(p.epoch) - 2, Y(p[key]) - 2, 4, 4);
    }
    this.canvas.dataset.points = String(this.batchX.length);
    this.canvas.dataset.epochs = String(this.epochs.length);
  }

  #axes(g, w, h, span, top, X, Y) {
    g.font = "10px sans-serif";
    g.fillStyle = "#777";
    g.strokeStyle = "#ddd";
    g.lineWidth = 1;
    for (const y of [0, top / 2, top]) {
      g.beginPath();
      g.moveTo(PAD.left, Y(y));
      g.lineTo(w - PAD.right, Y(y));
      g.stroke();
      const label = this.metric === "accuracy" ? `${Math.round(y * 100)}%` : y.toPrecision(2);
      g.fillText(label, 2, Y(y) + 3);
    }
    const step = Math.max(1, Math.ceil(span / 10));
    for (let e = 0; e <= span; e += step) g.fillText(String(e), X(e) - 3, h - 4);
    if (this.fitEpochs) {
      g.setLineDash([4, 3]);
      g.strokeStyle = "#999";
      g.beginPath();
      g.moveTo(X(this.fitEpochs), PAD.top);
      g.lineTo(X(this.fitEpochs), h - PAD.bottom);
      g.stroke();
      g.setLineDash([]);
    }
  }

  // Min/max per pixel column: each column of the plot gets one vertical stroke.
  #batches(g, X, Y) {
    const xs = this.batchX, ys = this.batchY;
    g.strokeStyle = COLORS.batch;
    g.lineWidth = 1;
    g.beginPath();
    let column = null, lo = 0, hi = 0;
    const flush = () => {
      if (column === null) return;
      g.lineTo(column, Y(lo));
      g.lineTo(column, Y(hi));
    };
    for (let i = 0; i < xs.length; i++) {
      const c = Math.round(X(xs[i]));
      if (c !== column) {
        flush();
        if (column === null) g.moveTo(c, Y(ys[i]));
        column = c;
        lo = hi = ys[i];
      } else {
        lo = Math.min(lo, ys[i]);
        hi = Math.max(hi, ys[i]);
      }
    }
    flush();
    g.stroke();
  }
}
