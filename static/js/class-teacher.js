// The playground page in a teacher's browser: "Make this the class's next start". The dashboard
// (classroom/teach.js) remembers in localStorage which class this browser teaches and the address
// of its routes (which carries the key); a playground page opened from it then offers to send
// what it shows, as a run link when the server can replay the run, to the dashboard's `choose`.
// Trade-off: only a browser that opened the dashboard knows the key, so the button appears for
// the teacher alone; the page never shows the key itself.

import { $ } from "./dom.js";

export const TEACHING_STORE = "nn-playground.teaching";

/** The class this browser teaches ({code, base}), or null. */
export function readTeaching() {
  try {
    const value = JSON.parse(localStorage.getItem(TEACHING_STORE) || "null");
    return value && typeof value.code === "string" && typeof value.base === "string" && value.base.startsWith("/teach/") ? value : null;
  } catch {
    return null;
  }
}

export class ClassTeacher {
  /** @param {() => string} link the link to what the page shows (a run link when there is one) */
  constructor(link) {
    this.link = link;
    this.teaching = readTeaching();
    const button = $("class-make-start");
    if (!this.teaching) return;
    button.textContent = `Make this class ${this.teaching.code}'s next start`;
    button.classList.remove("hidden");
    button.addEventListener("click", () => this.choose());
  }

  async choose() {
    const note = $("run-link-note");
    try {
      const response = await fetch(`${this.teaching.base}/choose`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ link: this.link() }),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.detail || `HTTP ${response.status}`);
      note.textContent = `This is now class ${this.teaching.code}'s next start: give it to everyone from the dashboard.`;
      note.classList.remove("warn");
    } catch (err) {
      note.textContent = `Could not make it the class's start: ${err.message}`;
      note.classList.add("warn");
    }
    note.classList.remove("hidden");
  }
}
