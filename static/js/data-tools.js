// DataTools: "your data" and the round trips to files (docs/protocol.md §8): CSV upload with its
// report, "Clear my points", the five downloads (an `export` answer becomes a Blob download) and
// the JSON import; and ConfusionView, the confusion-matrix popover. DOM only; the text they show
// comes from the pure helpers in format.js.
// Trade-off: files are read whole into a string (`File.text()`) and sent as one message, so the
// server's message limit is also the file limit; the page checks it first and says so.

import { CLASS_COLORS, RAMP, toHex } from "./colors.js";
import { $ } from "./dom.js";
import { confusionSummary, uploadReportLines } from "./format.js";
import * as msg from "./protocol.js";


/** The server's default `max_message_bytes` (app/web/config.py) when the page does not say. */
const DEFAULT_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** How long a pending upload, import or download waits for its answer before saying so. */
const NO_ANSWER_MS = 15_000;
const CONFUSION_REFRESH_MS = 1000; // an open confusion matrix follows training at most this often

const utf8Length = (text) => new TextEncoder().encode(text).length;

/**
 * Save text as a file through a temporary Blob URL.
 * @param {string} content @param {string} filename @param {string} type a media type
 */
export function download(content, filename, type) {
  const url = URL.createObjectURL(new Blob([content], { type: type || "text/plain" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.classList.add("hidden");
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class DataTools {
  /**
   * @param {object} actions
   * @param {(message: object) => void} actions.send
   * @param {() => boolean} actions.connected
   */
  constructor(actions) {
    this.actions = actions;
    const limit = Number($("main-part").dataset.maxMessageBytes); // the server's configured limit
    this.maxBytes = Number.isFinite(limit) && limit > 0 ? limit : DEFAULT_MAX_MESSAGE_BYTES;
    this.uploading = false;
    this.importing = false;
    this.#fileInput($("upload-csv"), (text) => {
      this.uploading = true;
      this.#report(["Uploading…"], false);
      clearTimeout(this.uploadTimer);
      this.uploadTimer = setTimeout(() => {
        if (this.uploading) this.#report(["No answer from the server: try again."], true);
        this.uploading = false;
      }, NO_ANSWER_MS);
      return msg.uploadCsv(text);
    });
    this.#fileInput($("import-json"), (text) => {
      this.importing = true;
      this.#transfer("Importing…");
      return msg.importJson(text);
    });
    $("clear-points").addEventListener("click", () => {
      this.#report(null);
      actions.send(msg.clearPoints());
    });
    for (const button of document.querySelectorAll("[data-export]")) {
      button.addEventListener("click", () => {
        this.#transfer(`Preparing the ${button.textContent.trim()} download…`);
        actions.send(msg.exportAs(button.dataset.export));
      });
    }
  }

  #fileInput(input, build) {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      input.value = ""; // the same file again is a new choice
      if (!file) return;
      let text;
      try {
        text = await file.text();
      } catch (err) {
        this.#transfer(`Could not read ${file.name}: ${err.message}`);
        return;
      }
      const message = build(text);
      const size = utf8Length(JSON.stringify(message));
      if (size > this.maxBytes) {
        this.uploading = this.importing = false;
        const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
        const text = `${file.name} is too large (${mb(size)}); the server takes at most ${mb(this.maxBytes)}.`;
        if (message.type === "upload_csv") this.#report([text], true);
        else this.#transfer(text);
        return;
      }
      if (!this.actions.connected()) {
        this.uploading = this.importing = false;
        this.#transfer("Not connected: try again in a moment.");
        return;
      }
      this.actions.send(message);
    });
  }

  /** An `upload_report` message: accepted, rejected and the first problems. */
  onUploadReport(m) {
    this.uploading = false;
    clearTimeout(this.uploadTimer);
    this.#report(uploadReportLines(m), m.rejected > 0);
  }

  /** An `export` answer: save it under the server's filename. */
  onExport(m) {
    download(m.content, m.filename, m.media_type);
    this.#transfer(`Downloaded ${m.filename}.`);
  }

  /**
   * The server refused a file (invalid_upload / invalid_import): show it where the user looks.
   * @returns {boolean} true when the error was about a file
   */
  onError(m) {
    if (m.code === "invalid_upload" || (this.uploading && m.code === "too_large")) {
      this.uploading = false;
      this.#report([`Nothing uploaded: ${m.message}`], true);
      return true;
    }
    if (m.code === "invalid_import" || (this.importing && m.code === "too_large")) {
      this.importing = false;
      this.#transfer(`Nothing imported: ${m.message}`, true);
      return true;
    }
    if (m.code === "export_failed" || (m.code === "invalid_message" && /export|format/.test(`${m.field} ${m.message}`))) {
      this.#transfer(`No download: ${m.message}`, true);
      return true;
    }
    return false;
  }

  /**
   * Follow the server's state: the clear button says how many points are yours.
   * @param {object} state a `state` message (custom_points, uploaded)
   */
  showState(state) {
    if (this.importing) {
      this.importing = false;
      this.#transfer("Imported: settings and weights restored.");
    }
    const added = Number(state.custom_points) || 0;
    const button = $("clear-points");
    button.disabled = !(added > 0 || state.uploaded);
    button.classList.toggle("hidden", button.disabled); // nothing to clear: no button
    button.textContent = added > 0 ? `Clear my points (${added})` : state.uploaded ? "Clear uploaded data" : "Clear my points";
    button.dataset.points = String(added);
    // Uploaded data is no dataset of the list: no thumbnail stays selected.
    if (state.uploaded) {
      for (const b of document.querySelectorAll(".dataset.selected")) {
        b.classList.remove("selected");
        b.setAttribute("aria-checked", "false");
      }
    }
  }

  #report(lines, warn = false) {
    const el = $("upload-report");
    el.classList.toggle("hidden", !lines);
    el.classList.toggle("warn", warn);
    el.replaceChildren(...(lines || []).map((line, i) => {
      const div = document.createElement("div");
      div.className = i === 0 ? "summary" : "problem";
      div.textContent = line;
      return div;
    }));
    // The report sits under the upload button, below the fold on a laptop: bring it into view.
    if (lines) el.scrollIntoView({ block: "nearest" });
  }

  #transfer(text, warn = false) {
    const el = $("transfer-message");
    el.textContent = text || "";
    el.classList.toggle("hidden", !text);
    el.classList.toggle("warn", warn);
    clearTimeout(this.transferTimer);
    if (!text) return;
    // Under the buttons, which sit at the foot of a laptop's screen: bring it into view there.
    el.scrollIntoView({ block: "nearest" });
    this.transferTimer = text.endsWith("…")
      ? setTimeout(() => { // still pending: the answer is not coming
        this.importing = false;
        this.#transfer("No answer from the server: try again.", true);
      }, NO_ANSWER_MS)
      : setTimeout(() => el.classList.add("hidden"), 8000);
  }
}

/** The colour swatch of a confusion label: −1/1 orange/blue, class k its class colour. */
function swatchColor(label, labels) {
  if (labels.length === 2 && labels[0] === -1) return toHex(label < 0 ? RAMP[0] : RAMP[2]);
  return toHex(CLASS_COLORS[label] || RAMP[1]);
}

export class ConfusionView {
  /**
   * @param {object} actions
   * @param {(message: object) => void} actions.send
   * @param {() => number|null} actions.epoch the epoch of the newest frame drawn
   */
  constructor(actions) {
    this.el = $("confusion");
    this.actions = actions;
    this.open = false;
    this.asked = 0; // when the matrices were last asked for (performance.now)
    this.askedEpoch = null; // the epoch they were asked at
    $("confusion-button").addEventListener("click", () => {
      if (this.open) this.close();
      else {
        this.open = true;
        this.#ask();
      }
    });
    this.el.querySelector(".popover-close").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && this.open) this.close();
    });
  }

  /** A fresh frame was drawn: an open matrix follows training at most once a second. */
  follow(epoch) {
    const stale = this.askedEpoch !== epoch;
    if (this.open && stale && performance.now() - this.asked > CONFUSION_REFRESH_MS) this.#ask();
  }

  #ask() {
    this.asked = performance.now();
    this.askedEpoch = this.actions.epoch();
    this.actions.send(msg.confusion());
  }

  close() {
    this.open = false;
    this.el.classList.add("hidden");
  }

  /** A `confusion` message: both matrices as small tables (rows true, columns predicted). */
  show(m) {
    if (!this.open) return;
    const tables = [["Training", m.train], ["Test", m.test]].map(([name, matrix]) => this.#table(name, m.labels, matrix));
    this.el.querySelector(".confusion-tables").replaceChildren(...tables);
    this.el.classList.remove("hidden");
  }

  #table(name, labels, matrix) {
    const { total, correct, accuracy } = confusionSummary(matrix);
    const table = document.createElement("table");
    table.className = "confusion-table";
    table.dataset.set = name.toLowerCase();
    table.dataset.total = String(total);
    const caption = document.createElement("caption");
    caption.textContent = `${name}: ${correct} of ${total} right${Number.isFinite(accuracy) ? ` (${(100 * accuracy).toFixed(1)}%)` : ""}`;
    const cell = (tag, text, cls) => {
      const el = document.createElement(tag);
      if (text !== null) el.textContent = text;
      if (cls) el.className = cls;
      return el;
    };
    const labelCell = (tag, label) => {
      const el = cell(tag, null, "label");
      const swatch = cell("span", null, "swatch");
      swatch.style.background = swatchColor(label, labels);
      el.append(swatch, String(label).replace("-", "−"));
      return el;
    };
    const head = document.createElement("thead");
    const top = document.createElement("tr");
    const corner = cell("th", null, "corner");
    corner.append("predicted →", document.createElement("br"), "true ↓");
    top.append(corner, ...labels.map((l) => labelCell("th", l)));
    head.append(top);
    const body = document.createElement("tbody");
    matrix.forEach((row, i) => {
      const tr = document.createElement("tr");
      tr.append(labelCell("th", labels[i]), ...row.map((n, j) => cell("td", String(n), i === j ? "hit" : n > 0 ? "miss" : "")));
      body.append(tr);
    });
    table.append(caption, head, body);
    return table;
  }
}
