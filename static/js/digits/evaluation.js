// The test set after each epoch: the confusion matrix (rows: the true class; columns: the
// network's answer; a cell's shade is its share of the row) and the gallery of mistakes, the most
// confident first, each with the network's top three answers. Clicking a cell shows its mistakes.
// Trade-off: a table of buttons rather than a canvas: every cell is reachable by keyboard and
// readable by a screen reader, at 100 elements it costs nothing.

import { $ } from "../dom.js";

export class Evaluation {
  /**
   * @param {(label: number|null, answer: number|null) => void} ask the gallery of one cell
   */
  constructor(ask) {
    this.ask = ask;
    this.table = $("digits-confusion");
    this.gallery = $("digits-gallery");
    this.caption = $("digits-gallery-caption");
    this.classes = [...Array(10).keys()].map(String);
    this.filter = null;
    this.table.dataset.updates = "0";
  }

  /** @param {string[]} names the data's class names */
  setClasses(names) {
    this.classes = names;
  }

  /** An `evaluation` message. @param {object} msg */
  show(msg) {
    this.#matrix(msg.confusion);
    if (this.filter === null) this.#items(msg.gallery, "the most confident mistakes");
    else this.ask(...this.filter);
    this.table.dataset.epoch = String(msg.epoch);
    this.table.dataset.updates = String(Number(this.table.dataset.updates) + 1);
  }

  /** A `gallery` message (one cell's mistakes). @param {object} msg */
  showGallery(msg) {
    const what = msg.label === null ? "the most confident mistakes"
      : `${this.classes[msg.label]} taken for ${this.classes[msg.answer]}`;
    this.#items(msg.items, what);
  }

  #matrix(counts) {
    const short = (name) => name.split(/[ /]/)[0];
    const head = `<tr><th scope="col">true ↓ said →</th>${this.classes.map((c) => `<th scope="col">${short(c)}</th>`).join("")}</tr>`;
    this.table.innerHTML = head;
    counts.forEach((row, t) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const tr = document.createElement("tr");
      tr.innerHTML = `<th scope="row">${short(this.classes[t])}</th>`;
      row.forEach((count, a) => {
        const td = document.createElement("td");
        const share = count / total;
        td.textContent = String(count);
        td.className = t === a ? "right" : count ? "wrong" : "";
        td.style.setProperty("--share", share.toFixed(3));
        if (t !== a && count) {
          td.tabIndex = 0;
          td.title = `${count} ${this.classes[t]} taken for ${this.classes[a]}: show them`;
          const pick = () => this.#pick(t, a);
          td.addEventListener("click", pick);
          td.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && pick());
        }
        tr.append(td);
      });
      this.table.append(tr);
    });
  }

  #pick(label, answer) {
    this.filter = [label, answer];
    this.ask(label, answer);
  }

  #items(items, what) {
    this.caption.textContent = items.length ? `${what} (${items.length})` : `no ${what.replace("the ", "")}`;
    this.gallery.replaceChildren(...items.map((item) => this.#item(item)));
    this.gallery.dataset.count = String(items.length);
  }

  #item(item) {
    const figure = document.createElement("figure");
    figure.className = "mistake";
    figure.dataset.label = String(item.label);
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 28;
    const bytes = Uint8Array.from(atob(item.image), (c) => c.charCodeAt(0));
    const g = canvas.getContext("2d");
    const image = g.createImageData(28, 28);
    bytes.forEach((v, i) => image.data.set([255 - v, 255 - v, 255 - v, 255], 4 * i));
    g.putImageData(image, 0, 0);
    const caption = document.createElement("figcaption");
    const top = item.top.map(([c, p]) => `${this.classes[c]} ${Math.round(p * 100)}%`);
    caption.innerHTML = `<b>${this.classes[item.label]}</b><span>${top.join("<br>")}</span>`;
    figure.append(canvas, caption);
    return figure;
  }

  /** Show the most confident mistakes again (the "all mistakes" link). */
  clearFilter() {
    this.filter = null;
    this.ask(null, null);
  }
}
