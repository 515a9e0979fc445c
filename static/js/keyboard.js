// Keyboard use of the network drawing, and the "?" help that lists every shortcut.
// - `focusKey`/`refocus`: a feature toggle or a neuron +/− makes the server rebuild the network,
//   which replaces the focused element; the focus is carried to its replacement instead of
//   falling to the page body, or to the other button of its + / − pair when the replacement
//   is disabled (`setDisabled` does the same for buttons disabled in place).
// - `ShortcutHelp`: a dialog opened by the "?" button or the "?" key. It also explains the
//   extras (optimizers, gradient view, Keras mode), whose tooltips a touch screen never shows.
// Trade-off: elements are matched by id or aria-label, which the drawing keeps stable across
// rebuilds; an element that no longer exists (a removed neuron's button) leaves the focus on
// the nearest stable control, the network's heading.

import { $ } from "./dom.js";

/** What identifies `el` across a rebuild of `root` (null when it is not inside). */
export function focusKey(el, root) {
  if (!el || !root.contains(el)) return null;
  if (el.id) return `#${CSS.escape(el.id)}`;
  const label = el.getAttribute("aria-label");
  return label ? `[aria-label="${CSS.escape(label)}"]` : null;
}

/** Focus the element `key` names inside `root` again, or the fallback when it is gone. A
 * button rebuilt disabled (a + at its limit) cannot take the focus: its pair takes it. */
export function refocus(key, root, fallback) {
  if (!key) return;
  const el = root.querySelector(key);
  const target = el && el.disabled ? enabledPartner(el) : el;
  (target || fallback)?.focus({ preventScroll: true });
}

/** Set `button.disabled`; a focused button being disabled hands the focus to its pair (the
 * other of a + / − pair), since a disabled button drops it to the page body and a keyboard
 * user loses their place. */
export function setDisabled(button, disabled) {
  const had = document.activeElement === button;
  button.disabled = disabled;
  if (disabled && had) enabledPartner(button)?.focus({ preventScroll: true });
}

/** The first enabled button beside `el` in its parent, or null. */
function enabledPartner(el) {
  return [...el.parentElement.querySelectorAll("button")].find((b) => b !== el && !b.disabled) ?? null;
}

export class ShortcutHelp {
  constructor() {
    this.dialog = $("shortcut-help");
    $("help-button").addEventListener("click", () => this.toggle());
    this.dialog.querySelector(".popover-close").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (ev) => {
      const typing = ev.target.closest && ev.target.closest("input, select, textarea");
      if (ev.key === "?" && !typing) {
        ev.preventDefault();
        this.toggle();
      } else if (ev.key === "Escape" && this.open) {
        this.close();
      }
    });
  }

  get open() {
    return !this.dialog.classList.contains("hidden");
  }

  toggle() {
    if (this.open) this.close();
    else {
      this.dialog.classList.remove("hidden");
      $("help-button").setAttribute("aria-expanded", "true");
      this.dialog.querySelector(".popover-close").focus();
    }
  }

  close() {
    this.dialog.classList.add("hidden");
    $("help-button").setAttribute("aria-expanded", "false");
    $("help-button").focus();
  }
}
