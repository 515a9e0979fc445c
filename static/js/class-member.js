// The playground page as a class member: the badge (`#class-badge`: the class and your name),
// the teacher's notices, the locks the teacher set (hidden here, refused by the server), and the
// challenge board with your own rank. The membership (class code, student token, name) is kept in
// localStorage by the join page (classroom/join.js); on every (re)connection the page says
// `join_class` after its hello, so a reload, a lost connection or a server restart rejoins.
// Trade-off: the page only shows what the server says; a lock that is not hidden here is still
// refused by the server, so a page that misbehaves cannot step outside the class's rules.

import { CLASS_STORE, readMembership } from "./class-store.js";
import { $ } from "./dom.js";
import { HIDE_FLAGS } from "./state.js";

/** Hide the `ui-<flag>` controls of the locked flags (and show the others again). */
function showLocks(locked) {
  for (const name of HIDE_FLAGS) {
    for (const el of document.querySelectorAll(`.ui-${name}`)) el.classList.toggle("class-locked", locked.includes(name));
  }
}

export class ClassMember {
  /** @param {{send: (message: object) => void}} opts */
  constructor({ send }) {
    this.send = send;
    this.membership = readMembership();
    this.badge = $("class-badge");
    $("class-leave").addEventListener("click", () => this.leave());
    this.#showBadge(this.membership ? "joining…" : null);
  }

  /** After every hello: join the class again (the server answers with a `class` message). */
  rejoin() {
    const m = this.membership;
    if (m) this.send({ type: "join_class", code: m.code, token: m.token });
  }

  /** The server's `class` message. */
  onClass(m) {
    if (!m.joined) {
      if (!m.retry) this.leave(`You are no longer in class ${m.code}: ${m.reason}.`);
      else this.#showBadge(`${m.reason}; retrying`);
      return;
    }
    this.membership = { ...this.membership, name: m.name };
    this.#showBadge(null);
    showLocks(m.locked);
    document.body.classList.toggle("class-paused", m.paused);
    const note = m.notice || (m.paused ? "Your teacher paused the class." : "");
    $("class-notice").textContent = note;
    $("class-notice").classList.toggle("hidden", !note);
    $("class-challenge").textContent = m.challenge ? `Challenge: ${m.challenge}` : "";
    $("class-board-box").classList.toggle("hidden", !m.challenge);
  }

  /** The server's `class_board` message: ranked entries, yours marked. */
  onBoard(m) {
    const items = m.entries.map((e) => {
      const li = document.createElement("li");
      li.className = `entry${e.you ? " you" : ""}${e.eligible ? "" : " not-eligible"}`;
      Object.assign(li.dataset, { name: e.name, epoch: String(e.epoch), neurons: String(e.neurons) });
      li.textContent = `${e.eligible ? `${e.rank}.` : "–"} ${e.name}: epoch ${e.epoch}, ${e.neurons} neurons`
        + (e.eligible ? "" : ` (not eligible: ${e.reason})`);
      return li;
    });
    $("class-board").replaceChildren(...items);
    const mine = m.entries.find((e) => e.you);
    $("class-rank").textContent = mine ? (mine.eligible ? `You are number ${mine.rank}.` : `Not eligible: ${mine.reason}.`) : "";
    $("class-board-box").classList.remove("hidden");
  }

  leave(message = "") {
    localStorage.removeItem(CLASS_STORE);
    this.membership = null;
    showLocks([]);
    document.body.classList.remove("class-paused");
    this.#showBadge(null);
    $("class-notice").textContent = message;
    $("class-notice").classList.toggle("hidden", !message);
  }

  #showBadge(state) {
    const m = this.membership;
    this.badge.classList.toggle("hidden", !m);
    if (!m) return;
    const text = `${m.name} · class ${m.code}${state ? ` (${state})` : ""}`;
    $("class-badge-text").textContent = text;
    this.badge.title = text; // whole, where a phone's title bar cuts it short
  }
}
