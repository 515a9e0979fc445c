// Notices: what the page says when training runs but nothing can change, with the way out as a
// button. Three cases, each read from what the server already sends (no protocol of its own):
// - the "stop at epoch N" limit was reached: Play and Step stay stopped there;
// - fewer training points than the batch size: the playground never updates (docs/playground-rules.md §4.5);
// - the loss stopped moving under ReLU: dead neurons, with the gradient view offered.
// Trade-off: the stall is inferred from the losses the frames carry (no 1 % improvement for
// STALL_EPOCHS epochs, under ReLU with a learning rate of at least 1) rather than reported by the
// server, so it costs nothing when training is healthy; it can be late, and it stays quiet about
// slow runs at ordinary learning rates, where a plateau is not a sign of dead neurons.

import { $ } from "./dom.js";

const STALL_EPOCHS = 50; // epochs without improvement before calling it a stall
const IMPROVED = 0.01; // a relative fall of the best loss that counts as progress
const LARGE_RATE = 1; // learning rates from here make ReLUs die
const MOST_TRAINING = 90; // the ratio slider's top: the most points training can take

/**
 * The notice for fewer training points than the batch size, saying where the other points went
 * (an upload of 5 points leaves 2 for training at the default 50 %).
 * Example: smallDataText(2, 3, 50, 10) -> "Only 2 of the 5 points are for training: the ratio of
 *   training to test data (50%) keeps the other 3 for testing. That is fewer than …"
 */
export function smallDataText(train, test, percent, batch) {
  const split = test > 0
    ? `Only ${train} of the ${train + test} points ${train === 1 ? "is" : "are"} for training: the ratio of `
      + `training to test data (${percent}%) keeps the other ${test} for testing. That is fewer`
    : `Only ${train} training point${train === 1 ? "" : "s"}, fewer`;
  return `${split} than the batch size ${batch}: the playground updates the weights once every `
    + `${batch} points, so this network never trains.`;
}

/** The notice for a flat loss: what happened and, with the gradient view, how many died. */
export function stallText(epochs, dead, relu) {
  const how = "With ReLU and a large learning rate, neurons die: they output 0 for every point, "
    + "so no gradient flows back through them.";
  const count = dead === null ? "" : ` ${dead} of ${relu} ReLU neurons are dead (red crosses).`;
  return `Training has stalled: the loss has not improved for ${epochs} epochs. ${how}${count}`;
}

export class Notices {
  /** @param {{set: (settings: object) => void}} actions */
  constructor(actions) {
    this.actions = actions;
    this.el = $("notice");
    this.limitAt = null; // the epoch limit the server stopped at, while it holds
    this.trainPoints = null;
    this.testPoints = 0;
    this.resetStall();
  }

  /** The server stopped at its `epochs_limit` (an `epochs_limit` event). @param {number} limit */
  limitReached(limit) {
    this.limitAt = limit;
    this.render();
  }

  /** A new run or new data: the loss is watched from scratch. */
  resetStall() {
    this.best = null; // {since: epoch, loss}: the best loss and when it last fell by IMPROVED
    this.stalled = false;
  }

  /** Follow a `state` message (settings, mode, epoch). */
  state(m) {
    this.settings = m.settings;
    this.mode = m.mode;
    if (this.limitAt !== null && (m.settings.epochs_limit !== this.limitAt || m.epoch < this.limitAt)) {
      this.limitAt = null;
    }
    if (m.epoch === 0) this.resetStall();
    this.render();
  }

  /** Follow a `data` message: the number of training points. */
  data(m) {
    this.trainPoints = m.train.length;
    this.testPoints = m.test.length;
    this.resetStall();
    this.render();
  }

  /** Follow a decoded frame: the training loss over epochs, and dead ReLUs when sent. */
  frame(frame) {
    this.dead = frame.deadNodes ? frame.deadNodes.reduce((n, l) => n + l.reduce((a, b) => a + b, 0), 0) : null;
    this.relu = frame.layerSizes.slice(1, -1).reduce((a, b) => a + b, 0);
    const loss = frame.lossTrain;
    const b = this.best;
    if (!b || frame.epoch < b.since || loss < b.loss * (1 - IMPROVED)) this.best = { since: frame.epoch, loss };
    const s = this.settings;
    const risky = s && s.activation === "relu" && s.learning_rate >= LARGE_RATE;
    this.stalled = Boolean(risky && frame.epoch - this.best.since >= STALL_EPOCHS);
    this.render();
  }

  render() {
    const s = this.settings;
    if (!s) return;
    const n = this.trainPoints;
    if (this.limitAt !== null) {
      const limit = this.limitAt;
      this.#show(`Stopped at epoch ${limit}, the limit set under Training ("stop at epoch"): `
        + "Play and Step stay here until it is raised or cleared.", [
        [`Raise the limit to ${limit * 2}`, { epochs_limit: limit * 2 }],
        ["Clear the limit", { epochs_limit: null }],
      ], "limit");
    } else if (n !== null && n < s.batch_size && this.mode === "playground") {
      const buttons = n > 0 ? [[`Set the batch size to ${n}`, { batch_size: n }]] : [];
      if (this.testPoints > 0 && s.percent_train < MOST_TRAINING) {
        buttons.push([`Train on ${MOST_TRAINING}% of the points`, { percent_train: MOST_TRAINING }]);
      }
      this.#show(smallDataText(n, this.testPoints, s.percent_train, s.batch_size), buttons, "small-data");
    } else if (this.stalled) {
      const lr = Number((s.learning_rate / 10).toPrecision(6));
      const buttons = [[`Learning rate ${lr}`, { learning_rate: lr }]];
      if (!s.gradient_view) buttons.unshift(["Show the gradient view", { gradient_view: true }]);
      this.#show(stallText(STALL_EPOCHS, this.dead, this.relu), buttons, "stalled");
    } else {
      this.#show(null, [], "");
    }
  }

  #show(text, buttons, kind) {
    const key = JSON.stringify([text, buttons]);
    if (this.el.dataset.key === key) return;
    this.el.dataset.key = key;
    this.el.dataset.kind = kind;
    this.el.classList.toggle("hidden", !text);
    this.el.querySelector(".text").textContent = text || "";
    this.el.querySelector(".actions").replaceChildren(...buttons.map(([label, settings]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = label;
      button.addEventListener("click", () => this.actions.set(settings));
      return button;
    }));
  }
}
