// The join page (/c/<code>): a nickname, then the playground as this class's student. The token
// the server answers is kept in localStorage (static/js/class-member.js reads it), so a reload, a
// lost connection or a server restart rejoins under the same name.
// Trade-off: a student who already joined this class from this browser sends their token again
// and keeps their name, whatever they type, so a reload of this page cannot fork a student.

import { CLASS_STORE, readMembership } from "../class-store.js";

const form = document.getElementById("join-form");
const error = document.getElementById("join-error");

async function join(ev) {
  ev.preventDefault();
  const code = form.dataset.code;
  const mine = readMembership();
  const token = mine && mine.code === code ? mine.token : null;
  const name = document.getElementById("nickname").value;
  error.textContent = "";
  try {
    const response = await fetch(`/c/${code}/join`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, token }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || `HTTP ${response.status}`);
    localStorage.setItem(CLASS_STORE, JSON.stringify({ code: answer.code, token: answer.token, name: answer.name }));
    location.assign(`/#${answer.hash}`); // the class's start: its settings, seed and run
  } catch (err) {
    error.textContent = err.message;
  }
}

if (form) form.addEventListener("submit", join);
