// The lesson panel: `#lesson=<id>&step=<k>` in the URL opens a guided lesson above the tool.
// A step shows its text, applies its playground hash as if that link had been opened (the seed
// is kept unless the step sets one; the page starts a new run at epoch 0, app.js), hides the
// controls it names, and checks its goal live on every frame the page draws (the `nnp:frame`
// event of app.js, which names the step its session was opened for). Only training done in the
// step meets its goal: a frame of another step's session, or at epoch 0, never does. The last
// step leads on to the next lesson of the index, the last lesson back to the index.
// Trade-off: the panel talks to the page only through the URL hash and that one event, so the
// playground runs exactly as without a lesson; hiding uses body classes (style.css), which
// survive the network view rebuilding its buttons.

import { HIDE_FLAGS, hashToMap } from "./state.js";

const $ = (id) => document.getElementById(id);
const LESSON_KEYS = new Set(["lesson", "step"]);

/**
 * The hash a step opens: lesson keys first, the step's hash without control `_hide` flags (the
 * panel hides those itself), then the current seed unless the step sets one.
 * Example: stepHash("circle", 2, "dataset=circle&networkShape=3", "0.5") ->
 *   "lesson=circle&step=2&dataset=circle&networkShape=3&seed=0.5"
 */
export function stepHash(id, k, hash, seed) {
  const parts = [`lesson=${id}`, `step=${k}`];
  const map = hashToMap(hash);
  for (const part of hash.split("&")) {
    const key = part.split("=")[0];
    if (!key || LESSON_KEYS.has(key)) continue;
    if (key.endsWith("_hide") && HIDE_FLAGS.includes(key.slice(0, -5))) continue;
    parts.push(part);
  }
  if (!map.has("seed") && seed != null) parts.push(`seed=${seed}`);
  return parts.join("&");
}

/**
 * Whether a frame meets a goal: {metric, below|above, within}. `values` maps metric names
 * (test_loss, train_loss, test_accuracy, …) to numbers for the frame at `epoch`. A step's run
 * starts at epoch 0, so a frame at epoch 0 shows weights nobody has trained: it never counts.
 */
export function goalMet(goal, epoch, values) {
  const v = values[goal.metric];
  if (!(epoch >= 1) || typeof v !== "number" || !Number.isFinite(v)) return false;
  if (goal.within != null && epoch > goal.within) return false;
  return goal.below != null ? v < goal.below : v > goal.above;
}

/**
 * Whether a hash is "open this step" (only the lesson keys, maybe a seed) rather than a
 * reload's or a shared page's hash, which holds every setting and is kept as it is.
 */
export function opensStep(map) {
  return [...map.keys()].every((key) => LESSON_KEYS.has(key) || key === "seed");
}

/** Frame detail -> metric values by name. */
export function frameValues(detail) {
  const values = { test_loss: detail.lossTest, train_loss: detail.lossTrain };
  (detail.names || []).forEach((name, i) => { values[name] = detail.metrics ? detail.metrics[i] : NaN; });
  return values;
}

export class LessonPanel {
  /** @param {string} openedHash the URL hash the page was opened with (before app.js rewrote it) */
  constructor(openedHash) {
    this.root = $("lesson");
    this.lesson = null;
    this.k = 1;
    this.met = false;
    $("lesson-prev").addEventListener("click", () => this.go(this.k - 1));
    $("lesson-next").addEventListener("click", () => this.go(this.k + 1));
    // A link to a lesson step (the onward link, a link in a step's text) opens it here at
    // once, rather than through a bare hash the page would first open with default settings.
    this.root.addEventListener("click", (ev) => this.#followLink(ev));
    window.addEventListener("nnp:frame", (ev) => this.#onFrame(ev.detail));
    window.addEventListener("hashchange", () => this.#hashChanged());
    const map = hashToMap(openedHash);
    if (map.get("lesson")) this.open(map.get("lesson"), Number(map.get("step")) || 1, opensStep(map));
  }

  async open(id, k, apply = true) {
    let response = null;
    try {
      response = await fetch(`/lessons/${encodeURIComponent(id)}.json`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.lesson = await response.json();
    } catch (err) {
      console.warn(`lesson ${id}: ${err.message}`);
      this.#fail(response && response.status === 404
        ? `There is no lesson called “${id}”. The list of lessons has every lesson this server offers.`
        : `The lesson “${id}” could not be loaded (${err.message}). Check the connection and reload the page.`);
      return;
    }
    this.root.hidden = false;
    $("lesson-title").textContent = this.lesson.title;
    this.go(k, apply);
  }

  /** Show step k (clamped) and, unless `apply` is false, open its hash. */
  go(k, apply = true) {
    if (!this.lesson) return;
    const steps = this.lesson.steps;
    this.k = Math.min(Math.max(1, k), steps.length);
    const step = steps[this.k - 1];
    $("lesson-count").textContent = `Step ${this.k} of ${steps.length}`;
    $("lesson-step-title").textContent = step.title || "";
    $("lesson-text").innerHTML = step.html; // rendered server-side with raw HTML escaped
    $("lesson-question").innerHTML = step.question || "";
    $("lesson-question-box").hidden = !step.question;
    this.#showNav(this.k === steps.length);
    this.#hide(step.hide);
    this.#showGoal(step.goal, false, null);
    if (apply) {
      const seed = hashToMap(location.hash).get("seed");
      location.hash = stepHash(this.lesson.id, this.k, step.hash, seed);
    }
    if (apply && document.activeElement && this.root.contains(document.activeElement)) {
      $("lesson-step-title").focus({ preventScroll: true });
    }
  }

  /** Previous/Next between steps; on the last step, a link on to the next lesson instead. */
  #showNav(last) {
    const prev = $("lesson-prev"), next = $("lesson-next"), onward = $("lesson-onward");
    prev.hidden = next.hidden = false;
    prev.disabled = this.k === 1;
    next.hidden = last;
    onward.hidden = !last;
    if (!last) return;
    const after = this.lesson.next;
    onward.href = after ? `#lesson=${encodeURIComponent(after.id)}&step=1` : "/lessons";
    onward.textContent = after ? `Next lesson: ${after.title} →` : "That was the last lesson: see all lessons";
  }

  #followLink(ev) {
    const link = ev.target.closest && ev.target.closest("a[href^='#lesson=']");
    if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    const map = hashToMap(link.getAttribute("href"));
    if (!map.get("lesson")) return;
    ev.preventDefault();
    this.open(map.get("lesson"), Number(map.get("step")) || 1, true);
  }

  #hide(names) {
    for (const name of HIDE_FLAGS) document.body.classList.toggle(`lesson-hide-${name}`, names.includes(name));
  }

  #showGoal(goal, met, epoch) {
    const box = $("lesson-goal");
    this.met = met;
    if (!met) this.seenUnmet = false; // a new step: no frame has shown it unmet yet
    box.hidden = !goal;
    box.dataset.met = String(Boolean(goal && met));
    if (!goal) return;
    $("lesson-goal-text").textContent = `Goal: ${goal.text}.`;
    // "at" only when a frame showed it unmet before: after a reload the first frame may
    // already meet it, and then all that is known is that it was met by this epoch.
    $("lesson-goal-state").textContent = met
      ? `Met ${this.seenUnmet ? "at" : "by"} epoch ${epoch}. Well done!`
      : "Not met yet: press play and watch.";
  }

  #onFrame(detail) {
    // A frame of a session opened for another step (the last step's run, still drawing while
    // this step's hello is on its way) says nothing about this step's goal.
    if (!this.lesson || detail.lesson !== this.lesson.id || detail.step !== this.k) return;
    const goal = this.lesson.steps[this.k - 1].goal;
    if (!goal || this.met) return;
    const values = frameValues(detail);
    if (goalMet(goal, detail.epoch, values)) {
      this.#showGoal(goal, true, detail.epoch);
      return;
    }
    this.seenUnmet = true;
    const v = values[goal.metric];
    const now = Number.isFinite(v) ? v.toFixed(3) : "–";
    const late = goal.within != null && detail.epoch > goal.within ? " Past the epoch limit: reset and try again." : "";
    $("lesson-goal-state").textContent = `Now: ${goal.metric.replace("_", " ")} ${now} at epoch ${detail.epoch}.${late}`;
  }

  #hashChanged() {
    const map = hashToMap(location.hash);
    const id = map.get("lesson");
    if (!id) return this.close();
    const k = Number(map.get("step")) || 1;
    // A typed or pasted "open this step" link applies the step; back/forward keeps the hash.
    const apply = opensStep(map);
    if (!this.lesson || this.lesson.id !== id) return this.open(id, k, apply);
    if (k !== this.k || apply) this.go(k, apply);
  }

  close() {
    this.lesson = null;
    this.root.hidden = true;
    this.#hide([]);
  }

  /** No lesson to show: say why, and offer only the way to the list (no steps to move through). */
  #fail(text) {
    this.lesson = null;
    this.root.hidden = false;
    this.#hide([]);
    $("lesson-title").textContent = "Lesson not found";
    $("lesson-count").textContent = "";
    $("lesson-step-title").textContent = "";
    $("lesson-text").textContent = text;
    $("lesson-prev").hidden = $("lesson-next").hidden = true;
    const onward = $("lesson-onward");
    onward.hidden = false;
    onward.href = "/lessons";
    onward.textContent = "See the list of lessons";
    $("lesson-goal").hidden = true;
    $("lesson-question-box").hidden = true;
  }
}
