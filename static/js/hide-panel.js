// The hide-controls panel (as in the original playground): one checkbox per control a lesson
// author may hide, building a link to the current experiment with `<name>_hide=true` for each
// ticked one. The checkboxes come from the server's list (app/playground/lesson_hash.py).
// Trade-off: the link is rebuilt from `location.hash` whenever it is needed, because the page
// rewrites its hash with replaceState (no event) as settings change.

import { hashToMap } from "./state.js";

const $ = (id) => document.getElementById(id);

/**
 * A link to `hash` with exactly the `_hide` flags in `hidden` (older flags and lesson keys dropped).
 * Example: hideLink("http://h/", "seed=1&x_hide=true&lesson=a", ["noise"]) -> "http://h/#seed=1&noise_hide=true"
 */
export function hideLink(base, hash, hidden) {
  const keep = [];
  for (const part of (hash.startsWith("#") ? hash.slice(1) : hash).split("&")) {
    const key = part.split("=")[0];
    if (!key || key.endsWith("_hide") || key === "lesson" || key === "step") continue;
    keep.push(part);
  }
  return `${base}#${[...keep, ...hidden.map((name) => `${name}_hide=true`)].join("&")}`;
}

export class HidePanel {
  constructor() {
    this.root = $("hide-controls");
    this.boxes = [...this.root.querySelectorAll("input[data-flag]")];
    const current = hashToMap(location.hash);
    for (const box of this.boxes) {
      box.checked = current.get(`${box.dataset.flag}_hide`) === "true";
      box.addEventListener("change", () => this.update());
    }
    this.root.addEventListener("toggle", () => this.update());
    $("hide-copy").addEventListener("click", () => this.copy());
    this.update();
  }

  update() {
    const ticked = this.boxes.filter((b) => b.checked).map((b) => b.dataset.flag);
    const base = `${location.origin}${location.pathname}`;
    const link = hideLink(base, location.hash, ticked);
    $("hide-link").value = link;
    return link;
  }

  async copy() {
    const link = this.update();
    const status = $("hide-copy-status");
    try {
      await navigator.clipboard.writeText(link);
      status.textContent = "Link copied.";
    } catch {
      $("hide-link").select(); // no clipboard permission: select it for Ctrl+C
      status.textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
    }
  }
}
