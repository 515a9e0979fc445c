// The digits page's composition root: reads its lists, opens /digits/ws (../socket.js, the
// playground's reconnecting connection), says hello with the settings of the URL hash, and wires
// the views: the model panel, the curves, the weight pictures, the confusion matrix and gallery,
// the drawing pad and the lesson. One requestAnimationFrame loop draws the newest frame and
// grants one credit per frame received, so a hidden or slow tab is sent fewer frames.
// Trade-off: a reconnection starts the model again from its settings (the same seed gives the
// same first weights): a digits model is too large to keep in the browser as a checkpoint.

import { $ } from "../dom.js";
import { Connection } from "../socket.js";
import { Curves } from "./charts.js";
import { DrawingPad } from "./draw.js";
import { Evaluation } from "./evaluation.js";
import { Lesson } from "./lesson.js";
import { ModelPanel } from "./model-panel.js";
import { NeuronGrid } from "./neurons.js";
import * as protocol from "./protocol.js";
import { fromHash, toHash } from "./state.js";

const INITIAL_CREDIT = 2;

export function start() {
  const lists = JSON.parse($("digits-lists").textContent);
  const page = { settings: null, state: null, playing: false, wantPlay: false, pending: null, received: 0 };
  const parsed = fromHash(location.hash, lists.hyperparameters);
  let connection = null;
  const send = (msg) => connection && connection.send(msg);
  const setSettings = (patch) => {
    $("digits-error").textContent = "";
    send(protocol.set(patch));
  };

  const panel = new ModelPanel(lists, setSettings);
  const loss = new Curves($("digits-loss-chart"), "loss");
  const accuracy = new Curves($("digits-accuracy-chart"), "accuracy");
  const neurons = new NeuronGrid($("digits-neurons"), $("digits-neurons-caption"), (first) => send(protocol.neurons(first)));
  const evaluation = new Evaluation((label, answer) => send(protocol.examples(label, answer)));
  const pad = new DrawingPad((pixels) => send(protocol.draw(pixels)));
  const lesson = new Lesson(lists.lesson, parsed, (settings) => {
    send(protocol.hello({ ...settings, data: page.settings?.data ?? settings.data }));
  });

  const handlers = {
    state: (msg) => onState(msg),
    epoch: (msg) => {
      loss.addEpoch(msg);
      accuracy.addEpoch(msg);
      lesson.epoch(msg);
      showEpoch(msg);
    },
    evaluation: (msg) => {
      evaluation.show(msg);
      const acc = $("digits-accuracy");
      acc.textContent = `${(100 * msg.test_accuracy).toFixed(1)}%`;
      acc.dataset.value = String(msg.test_accuracy);
      acc.title = `test accuracy after epoch ${msg.epoch}, on ${page.state?.data.test ?? ""} test images`;
    },
    gallery: (msg) => evaluation.showGallery(msg),
    event: (msg) => {
      $("digits-error").textContent = msg.message;
      if (msg.event === "unwatched") page.wantPlay = page.playing;
    },
    error: (msg) => {
      $("digits-error").textContent = msg.message;
      if (page.state) panel.render(page.state);
      else if (!page.fellBack) {
        // The link asked for something this server refuses (data it does not have, a model
        // over its caps): start from the defaults rather than stay without a model.
        page.fellBack = true;
        send(protocol.hello({}));
      }
    },
    export: (msg) => download(msg),
    pong: () => {},
  };

  function onState(msg) {
    connection.confirm();
    const fresh = page.state === null || msg.run !== page.state.run;
    page.state = msg;
    page.settings = msg.settings;
    page.playing = msg.playing;
    if (fresh) {
      for (const chart of [loss, accuracy]) chart.reset();
      for (const row of msg.history) {
        loss.addEpoch(row);
        accuracy.addEpoch(row);
      }
      lesson.restart();
    }
    lesson.follow(msg.settings);
    for (const chart of [loss, accuracy]) {
      chart.fitEpochs = msg.settings.epochs;
      chart.dirty = true;
    }
    panel.render(msg);
    evaluation.setClasses(msg.data.classes);
    pad.setClasses(msg.data.classes);
    $("digits-play").classList.toggle("playing", msg.playing);
    $("digits-play").setAttribute("aria-label", msg.playing ? "Pause" : "Train");
    $("digits-epoch").textContent = String(msg.epoch);
    showEstimate(msg.estimate);
    history.replaceState(null, "", `#${toHash(msg.settings, lists.defaults, lists.hyperparameters, lesson.where())}`);
  }

  function showEpoch(msg) {
    $("digits-epoch").textContent = String(msg.epoch);
    const val = msg.val_accuracy == null ? "" : `, val_accuracy ${msg.val_accuracy.toFixed(4)}`;
    $("digits-last-epoch").textContent =
      `epoch ${msg.epoch}: loss ${msg.loss.toFixed(4)}, accuracy ${msg.accuracy.toFixed(4)}${val}, ` +
      `test accuracy ${msg.test_accuracy.toFixed(4)} (${msg.seconds.toFixed(1)} s)`;
  }

  function showEstimate(e) {
    const out = $("digits-estimate");
    if (!e || !e.compute_seconds) {
      out.textContent = "press train to measure";
      out.title = "How long an epoch takes is measured on this server as it trains.";
      return;
    }
    const wall = e.seconds ?? e.compute_seconds;
    out.textContent = `${e.seconds ? "" : "≥ "}${seconds(wall)} per epoch`;
    out.title = `${seconds(e.compute_seconds)} of computing per epoch for this model on this server` +
      (e.seconds ? `; ${seconds(wall)} of clock time, as the server is shared with other sessions and draws frames` : "; clock time is known after the first epoch");
  }

  function drawFrame(frame) {
    $("digits-epoch").textContent = String(frame.epoch);
    const bar = $("digits-progress");
    bar.value = frame.progress;
    bar.title = frame.evaluating ? "evaluating the validation and test sets" : `${Math.round(100 * frame.progress)}% of this epoch`;
    if (frame.running) {
      $("digits-running").textContent = `this epoch: loss ${frame.running[0].toFixed(4)}, accuracy ${frame.running[1].toFixed(4)}`;
    }
    if (frame.estimate) showEstimate({ seconds: frame.estimate[0] || null, compute_seconds: frame.estimate[1] });
    loss.addBatches(frame.points);
    accuracy.addBatches(frame.points);
    if (frame.neurons) neurons.show(frame.neurons);
    if (frame.drawing) pad.show(frame.drawing);
  }

  function tick() {
    if (page.pending) {
      for (const buffer of page.pending) {
        try {
          drawFrame(protocol.decodeFrame(buffer));
        } catch (err) {
          console.warn("dropping a frame that does not decode", err);
        }
      }
      page.pending = null;
    }
    loss.draw();
    accuracy.draw();
    if (page.received) {
      send(protocol.credit(Math.min(8, page.received)));
      page.received = 0;
    }
    requestAnimationFrame(tick);
  }

  connection = new Connection({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/digits/ws`,
    onOpen: () => {
      const settings = page.settings ?? { ...lesson.settings(), ...parsed.settings };
      send(protocol.hello(settings));
      send(protocol.credit(INITIAL_CREDIT));
    },
    handlers,
    onFrame: (buffer) => {
      (page.pending ??= []).push(buffer);
      page.received += 1;
    },
    onStatus: (status, detail) => {
      const el = $("connection-status");
      el.dataset.state = status;
      el.textContent = detail ? `${status}: ${detail}` : status;
    },
  });
  connection.open();
  requestAnimationFrame(tick);

  $("digits-play").addEventListener("click", () => {
    page.wantPlay = !page.playing;
    send(protocol.command(page.playing ? "pause" : "play"));
  });
  $("digits-step").addEventListener("click", () => send(protocol.command("step")));
  $("digits-reset").addEventListener("click", () => send(protocol.command("reset")));
  $("digits-export").addEventListener("click", () => send(protocol.exportScript()));
  $("digits-neurons-prev").addEventListener("click", () => neurons.page(-1));
  $("digits-neurons-next").addEventListener("click", () => neurons.page(1));
  $("digits-all-mistakes").addEventListener("click", () => evaluation.clearFilter());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && page.wantPlay && !page.playing) send(protocol.command("play"));
  });
}

function seconds(s) {
  return s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`;
}

function download(msg) {
  const url = URL.createObjectURL(new Blob([msg.content], { type: msg.media_type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = msg.filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  $("digits-export-note").classList.toggle("hidden", !msg.data_file);
}
