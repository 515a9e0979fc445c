// The playground page's composition root: builds the views, the connection, the conversation and
// the render loop, and wires user actions to protocol messages and server messages to the views.
// Trade-off: the page keeps no model of its own. Settings come back from the server in `state`
// and are shown as echoed; a reload or reconnect resumes from the newest checkpoint. What it
// holds is the server's newest word, never edited here: the last `state` (`this.server`), and
// whether the run trains, from the newest frame or `state` (`this.playing`). Edits made while
// offline are the OfflineState's, shown over the server's settings until they are sent.

import { ClassLegend, classesOf } from "./class-legend.js";
import { ClassMember } from "./class-member.js";
import { ClassTeacher } from "./class-teacher.js";
import { ColourTables } from "./colour-tables.js";
import { Controls } from "./controls.js";
import { Conversation } from "./conversation.js";
import { ConfusionView, DataTools } from "./data-tools.js";
import { $ } from "./dom.js";
import { showGradientNote } from "./gradient-note.js";
import { HeatMap } from "./heatmap.js";
import { HYPERPARAMETERS } from "./keras.js";
import { ShortcutHelp } from "./keyboard.js";
import { LineChart } from "./linechart.js";
import { MiniMap } from "./mini-map.js";
import { NetworkStructure, StructureBasis, layersChanged, neuronsChanged, toggledFeatures } from "./network-structure.js";
import { NetworkView } from "./network-view.js";
import { Notices } from "./notices.js";
import { OfflineState } from "./offline.js";
import * as msg from "./protocol.js";
import { RenderLoop } from "./render-loop.js";
import { RunLink } from "./run-link.js";
import { Connection } from "./socket.js";
import { isHidden, settingsToState, stateToSettings } from "./state.js";
import { TrainingPanel } from "./training-panel.js";
import { UrlHash } from "./url-hash.js";

const TRAINING_KEYS = ["optimizer", "loss", "initializer", "shuffle", "epochsLimit", ...HYPERPARAMETERS.map((p) => p.hash)];

/** Start the page. Call once, after the DOM is parsed. */
export function start() {
  return new Playground();
}

/** The handlers, each followed by `wake()`. */
function wakingAfter(wake, handlers) {
  return Object.fromEntries(Object.entries(handlers).map(([type, handle]) => [type, (m) => {
    handle(m);
    wake();
  }]));
}

class Playground {
  constructor() {
    const main = $("main-part");
    this.limits = { max_layers: Number(main.dataset.maxLayers) || 6, max_neurons: Number(main.dataset.maxNeurons) || 8 };
    this.server = null; // the newest `state` message, as the server sent it
    this.playing = false; // whether the run trains: the newest frame's or state's word
    this.basis = new StructureBasis(); // what the next network edit builds on
    this.classes = 2;
    this.inputThumbs = null; // the 7 input maps, sent once per structure
    this.pendingData = null; // newest undrawn `data` message
    this.lastData = null;
    this.resumeWhenVisible = false; // the server paused an unwatched run (a hidden tab)
    this.url = new UrlHash();
    this.helloFor = this.runFor = { lesson: null, step: null }; // the lesson step a session is for
    this.offline = new OfflineState();
    const send = (m) => this.send(m);
    this.runLink = new RunLink(this.url);
    this.classMember = new ClassMember({ send }); // the classroom: badge, locks, board
    this.classTeacher = new ClassTeacher(() => (this.runLink.run ? this.runLink.link() : location.href));
    this.conversation = new Conversation({
      send, settings: () => stateToSettings(this.url.state, this.limits), saved: (epoch) => this.controls.showSaved(epoch),
      run: () => this.url.state.run ?? null, runEvents: () => this.url.state.runEvents ?? null,
      runRefused: (message) => this.runLink.refused(message),
    });
    this.loop = new RenderLoop({ send, before: () => this.#beforeDraw(), draw: (f, fresh) => this.#draw(f, fresh), after: () => this.chart.draw() });
    this.legend = new ClassLegend();
    this.colours = new ColourTables();
    this.controls = new Controls({
      playPause: () => this.send(this.server && this.playing ? msg.pause() : msg.play()),
      step: () => this.send(msg.step(1)),
      reset: () => this.send(msg.reset()),
      regenerate: () => this.send(msg.regenerate()),
      set: (settings) => this.send(msg.set(settings)),
      layers: (delta) => this.server && this.#setShape(layersChanged(this.#basis().network_shape, delta, this.limits.max_layers)),
      display: (key, value) => this.#display(key, value),
      smallerRate: (lr) => {
        this.send(msg.set({ learning_rate: lr }));
        this.send(msg.reset());
        this.controls.showMessage(null);
      },
    });
    this.training = new TrainingPanel({ set: (settings) => this.send(msg.set(settings)) });
    this.help = new ShortcutHelp();
    this.notices = new Notices({ set: (settings) => this.send(msg.set(settings)) });
    this.dataTools = new DataTools({ send, connected: () => this.connection.isOpen });
    this.confusion = new ConfusionView({ send, epoch: () => (this.loop.frame ? this.loop.frame.epoch : null) });
    this.heatmap = new HeatMap($("heatmap"), { onClick: (x, y, ev) => this.#addPoint(x, y, ev) });
    this.miniMap = new MiniMap($("mini-map"), this.heatmap.canvas, $("heatmap"));
    this.chart = new LineChart($("linechart"), () => this.loop.wake());
    this.network = new NetworkView({ root: $("network"), svg: $("svg"), handlers: {
      toggleFeature: (key) => this.server && this.send(msg.set(this.basis.ask({ features: toggledFeatures(this.#basis().features, key) }))),
      neurons: (layer, delta) => this.server && this.#setShape(neuronsChanged(this.#basis().network_shape, layer, delta, this.limits.max_neurons)),
      focus: (layer, unit) => this.send(msg.focus(layer, unit)),
      edit: (t, value) => this.send(t.kind === "bias" ? msg.setBias(t.layer, t.node, value) : msg.setWeight(t.layer, t.src, t.dst, value)),
    } });
    this.structure = new NetworkStructure(this.network);
    this.connection = this.#connection();
    this.colours.build(this.classes, this.url.state.discretize);
    this.#showDisplayFlags();
    Controls.applyHideFlags(this.url.state);
    if (TRAINING_KEYS.some((key) => this.url.state[key] != null)) this.training.details.open = true;
    $("mode-badge").addEventListener("click", () => this.training.open());
    window.addEventListener("hashchange", () => this.#hashEdited());
    // Page Visibility: a hidden tab draws nothing, so it grants no credit and the server stops
    // training after 5 s (event "unwatched"); coming back to the tab resumes the run.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible" || !this.resumeWhenVisible) return;
      this.resumeWhenVisible = false;
      this.send(msg.play());
    });
    window.addEventListener("resize", () => {
      this.structure.resized(); // the network's width follows the columns: measure and redraw
      this.chart.dirty = true;
      this.loop.wake();
    });
    this.connection.open();
    this.loop.start();
    window.__playground = this; // console debugging; browser tests reach .connection and .chart
  }

  #connection() {
    return new Connection({
      url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`,
      onOpen: () => this.#hello(),
      onFrame: (buffer) => this.loop.receive(buffer),
      expecting: () => Boolean(this.server && this.playing), // frames come while it plays
      onStatus: (state, detail) => {
        if (this.server) this.conversation.lineChanged(state, this.playing);
        if (state !== "connected") this.controls.showPlaying(false); // nothing trains now
        this.controls.showStatus(state, detail);
        this.offline.show(state, detail);
      },
      // Every message may change what the next tick draws (points, structure, the chart).
      handlers: wakingAfter(() => this.loop.wake(), {
        state: (m) => this.#onState(m),
        data: (m) => {
          this.pendingData = m;
          this.notices.data(m);
        },
        checkpoint: (m) => {
          // After an import, the first checkpoint carries the imported run's loss history.
          if (this.chartFromCheckpoint && Array.isArray(m.checkpoint.history)) this.chart.load(m.checkpoint.history);
          this.chartFromCheckpoint = false;
          this.conversation.store(m.checkpoint);
        },
        event: (m) => {
          this.resumeWhenVisible = m.event === "unwatched";
          if (m.event === "epochs_limit" && this.server) this.notices.limitReached(this.server.settings.epochs_limit);
          else this.controls.showMessage(m.message, { diverged: m.event === "diverged" });
        },
        error: (m) => this.#onError(m),
        confusion: (m) => this.confusion.show(m),
        upload_report: (m) => this.dataTools.onUploadReport(m),
        export: (m) => this.dataTools.onExport(m),
        class: (m) => this.classMember.onClass(m),
        class_board: (m) => this.classMember.onBoard(m),
      }),
    });
  }

  send(message) {
    if (!this.offline.online && message.type === "set" && this.server) {
      // Kept for the reconnect, and shown at once (later edits build on it).
      this.offline.keep(message.settings);
      this.controls.showSettings(this.#settings(), this.limits);
      this.training.show(this.#settings(), this.classes);
      this.loop.wake(); // a network edit is drawn at once too
      return;
    }
    this.connection.send(message);
  }

  /** @param {boolean} [fresh] start a new run even when a stored checkpoint matches */
  #hello(fresh = false) {
    this.helloFor = { lesson: this.url.state.lesson ?? null, step: this.url.state.step ?? null };
    const resume = this.conversation.hello(fresh);
    this.classMember.rejoin(); // a class member says so after every hello
    this.loop.restart();
    if (resume && Array.isArray(resume.history)) this.chart.load(resume.history);
  }

  #hashEdited() {
    if (!this.url.editedByHand()) return;
    this.conversation.forgetRefusals();
    this.#showDisplayFlags();
    this.#display("discretize", this.url.state.discretize);
    this.structure.invalidate();
    // A lesson step starts its own run at epoch 0, as its link opened in a new tab would, so
    // its goal is met only by training done in the step (lessons.js), never by the last one's.
    this.#hello(Boolean(this.url.state.lesson));
  }

  #showDisplayFlags() {
    const hash = this.url.state;
    this.controls.showDisplay(hash.showTestData, hash.discretize);
    this.heatmap.showTest(hash.showTestData);
  }

  #display(key, value) {
    this.url.state[key] = value;
    this.url.write();
    if (key === "showTestData") this.heatmap.showTest(value);
    if (key === "discretize") {
      this.colours.build(this.classes, value);
      this.loop.requestRedraw();
    }
  }

  /** The settings the page shows: the server's, with any edits kept while offline over them. */
  #settings() {
    return { ...this.server.settings, ...(this.offline.patch || {}) };
  }

  #basis() {
    return this.basis.of(this.#settings());
  }

  #setShape(shape) {
    if (shape) this.send(msg.set(this.basis.ask({ network_shape: shape })));
  }

  #addPoint(x, y, ev) {
    if (!this.server || isHidden(this.url.state, "yourData")) return;
    const round = (v) => Math.max(-6, Math.min(6, Math.round(v * 1000) / 1000));
    const label = this.classes > 2 ? this.legend.picked : ev.shiftKey ? -1 : this.legend.tapLabel;
    this.send(msg.addPoint(round(x), round(y), label));
  }

  #onState(m) {
    this.connection.confirm();
    const helloAnswered = this.conversation.pending !== null;
    const resumed = Boolean(helloAnswered && this.conversation.pending.resume);
    const replay = this.conversation.answered(m);
    if (helloAnswered) {
      this.runFor = this.helloFor; // the lesson step this session was opened for (frame events)
      this.loop.pendingFrame = null; // it came before this answer: the old session's
    }
    this.server = m;
    this.playing = m.playing;
    this.basis.echoed(m.settings);
    this.limits = m.limits || this.limits;
    if (this.url.changedElsewhere()) this.#hashEdited(); // a newer link wins over this answer
    else {
      this.url.state = settingsToState(this.url.state, m.settings);
      this.url.write();
    }
    this.controls.showSettings(m.settings, this.limits);
    this.controls.showPlaying(m.playing);
    this.controls.showMode(m.mode, m.mode_reasons, classesOf(m)); // the server says why
    const classes = classesOf(m);
    if (classes !== this.classes) {
      this.classes = classes;
      this.colours.build(classes, this.url.state.discretize);
      this.legend.show(classes);
      this.loop.requestRedraw();
      if (this.lastData) this.pendingData ||= this.lastData; // recolour the points
    }
    this.training.show(m.settings, classes);
    this.notices.state(m);
    if (this.dataTools.importing) { // a new session: nothing drawn so far belongs to it
      this.chart.reset();
      this.chartFromCheckpoint = true;
      this.structure.invalidate();
    }
    this.dataTools.showState(m);
    this.runLink.show(m.run);
    $("confusion-button").classList.toggle("hidden", classes === 0);
    if (classes === 0) this.confusion.close();
    if (!m.diverged && m.playing) this.controls.showMessage(null);
    // Before the frames of the session that is back replace it: the epoch the page last showed.
    const before = this.loop.frame ? this.loop.frame.epoch : null;
    const kept = helloAnswered ? this.offline.back({ before, after: m.epoch, resumed, training: replay }) : null;
    if (kept) this.send(msg.set(kept)); // edits made while offline, applied to the resumed run
    if (replay) this.send(msg.play());
  }

  #onError(m) {
    if (this.conversation.refused(m)) {
      this.#hello();
      return;
    }
    console.warn(`server: ${m.code}: ${m.message}`);
    this.basis.refused();
    if (this.dataTools.onError(m)) return;
    if (m.code !== "rate_limited") this.controls.showMessage(m.message);
    if (this.server) { // snap back
      this.controls.showSettings(this.#settings(), this.limits);
      this.training.show(this.#settings(), this.classes);
    }
  }

  #beforeDraw() {
    if (!this.server) return;
    if (this.pendingData) {
      const own = this.server.uploaded ? Infinity : this.server.custom_points || 0;
      this.heatmap.setPoints(this.pendingData.train, this.pendingData.test, this.classes, own);
      this.lastData = this.pendingData;
      this.pendingData = null;
    }
    this.structure.update(this.#settings(), this.url.state, this.classes, this.limits.max_neurons);
  }

  #draw(frame, fresh) {
    if (frame.inputThumbnails) this.inputThumbs = frame.inputThumbnails;
    const painted = this.heatmap.draw(frame.focusMap, this.colours.forFrame(frame, this.server && this.server.settings.loss));
    this.miniMap.update(painted);
    const focus = frame.focusLayer === null ? "output" : `${frame.focusLayer}-${frame.focusUnit}`;
    if ($("heatmap").dataset.focus !== focus) $("heatmap").dataset.focus = focus; // a test hook
    this.network.update(frame, this.colours.ramp, this.inputThumbs, this.colours.outputs);
    if (!fresh) return;
    showGradientNote(frame);
    this.notices.frame(frame);
    this.confusion.follow(frame.epoch);
    this.controls.showEpoch(frame.epoch);
    this.controls.showPlaying(frame.playing);
    this.playing = frame.playing;
    const names = (this.server && this.server.metrics) || [];
    this.controls.showLosses(frame.lossTrain, frame.lossTest, frame.metrics, names);
    this.chart.add(frame.epoch, frame.lossTrain, frame.lossTest);
    // The lesson panel's goals count only frames of a session opened for the step on show.
    const detail = { epoch: frame.epoch, lossTrain: frame.lossTrain, lossTest: frame.lossTest, metrics: frame.metrics, names, ...this.runFor };
    window.dispatchEvent(new CustomEvent("nnp:frame", { detail }));
  }
}
