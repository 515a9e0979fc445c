// The lesson panel: "The article's MNIST model" in four steps. A step sets up its model (a fresh
// session with the step's settings, on the data in use), tells what to watch, and checks its goal
// live: test accuracy above the threshold for this data by the step's epoch. The thresholds differ
// per data source because 4,000 digits do not reach what 60,000 do (docs/digits.md).
// Trade-off: the lesson's text and numbers come from the server (app/digits/lessons/article.toml)
// as HTML, so the page renders no Markdown and runs no script from it.

import { $ } from "../dom.js";

export class Lesson {
  /**
   * @param {object} spec the lesson (JSON island): {id, title, steps: [{title, html, settings, goal}]}
   * @param {{lesson: string|null, step: number}} where what the URL hash asked for
   * @param {(settings: object) => void} setUp start the step's model
   */
  constructor(spec, where, setUp) {
    this.spec = spec;
    this.setUp = setUp;
    this.open = where.lesson === spec.id;
    this.index = Math.min(spec.steps.length, where.step || 1) - 1;
    this.met = false;
    this.data = "sample";
    $("digits-lesson-title").textContent = spec.title;
    $("digits-lesson-prev").addEventListener("click", () => this.go(this.index - 1));
    $("digits-lesson-next").addEventListener("click", () => this.go(this.index + 1));
    $("digits-lesson-apply").addEventListener("click", () => this.apply());
    $("digits-lesson-toggle").addEventListener("click", () => this.toggle());
    this.render();
  }

  /** {lesson, step} for the URL hash while the lesson is open. */
  where() {
    return this.open ? { lesson: this.spec.id, step: this.index + 1 } : {};
  }

  /** The step's settings, when the page opens on a lesson step. */
  settings() {
    return this.open ? this.spec.steps[this.index].settings : {};
  }

  toggle() {
    this.open = !this.open;
    this.render();
  }

  go(index) {
    if (index < 0 || index >= this.spec.steps.length) return;
    this.index = index;
    this.open = true;
    this.met = false;
    this.render();
  }

  apply() {
    this.met = false;
    this.setUp(this.spec.steps[this.index].settings);
    this.render();
  }

  /** The settings in use (a `state`): the goal counts only for the step's own model. */
  follow(settings) {
    this.settings = settings;
    this.data = settings.data;
    this.render();
  }

  /** A new run (reset, a new model): the goal is to be met again. */
  restart() {
    this.met = false;
    this.render();
  }

  /** Whether the model in use is the step's: every setting the step names has its value. */
  matches() {
    const step = this.spec.steps[this.index];
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    return this.settings !== undefined && Object.entries(step.settings).every(([k, v]) => same(this.settings[k], v));
  }

  /** An `epoch` message: is the goal met? @param {object} row */
  epoch(row) {
    const goal = this.spec.steps[this.index].goal;
    const threshold = goal && goal.above[this.data];
    if (!this.open || threshold === undefined || row.epoch > goal.within || !this.matches()) return;
    if (row.test_accuracy > threshold && !this.met) {
      this.met = true;
      this.metAt = row.epoch;
      this.render();
    }
  }

  render() {
    const panel = $("digits-lesson");
    panel.classList.toggle("closed", !this.open);
    $("digits-lesson-toggle").textContent = this.open ? "Close the lesson" : `Lesson: ${this.spec.title}`;
    const step = this.spec.steps[this.index];
    $("digits-lesson-step").textContent = `Step ${this.index + 1} of ${this.spec.steps.length}: ${step.title}`;
    $("digits-lesson-text").innerHTML = step.html; // the server's rendering: raw HTML escaped
    $("digits-lesson-prev").disabled = this.index === 0;
    $("digits-lesson-next").disabled = this.index === this.spec.steps.length - 1;
    const goal = $("digits-lesson-goal");
    const threshold = step.goal && step.goal.above[this.data];
    goal.classList.toggle("hidden", !step.goal);
    goal.dataset.met = String(this.met);
    if (step.goal) {
      const percent = `${Math.round((threshold ?? 0) * 100)}%`;
      goal.textContent = threshold === undefined
        ? "No goal for this data: the lesson's numbers were measured on other data."
        : this.met
          ? `Goal met at epoch ${this.metAt}: test accuracy above ${percent}.`
          : !this.matches()
            ? `Goal (for this step's model: press "Set up this step"): test accuracy above ${percent} by epoch ${step.goal.within}.`
            : `Goal: test accuracy above ${percent} by epoch ${step.goal.within}.`;
    }
  }
}
