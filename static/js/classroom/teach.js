// The teacher's dashboard (/teach/<code>/<key>): polls live.json once a second and draws one
// tile per student; sends the teacher's choices (start, locks, pause, challenge, short links)
// to the routes under this page's own address, which carries the teacher's key.
// Trade-off: everything a student typed (their nickname above all) reaches the page only
// through textContent, never innerHTML, so a name like "<img …>" shows as text.

import { $ } from "../dom.js";
import { buildClassLut, buildLut } from "../colors.js";
import { formatLoss } from "../format.js";
import { TEACHING_STORE } from "../class-teacher.js";
import { parseHash, serializeState, settingsToState } from "../state.js";

const BASE = location.pathname.replace(/\/$/, "");
const POLL_MS = 1000;
const STATUS_ORDER = { active: 0, paused: 1, offline: 2 };
const LUT = buildLut();

let live = null;
let viewing = null; // the id of the student in the larger view

async function call(path, body) {
  const response = await fetch(`${BASE}/${path}`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.detail || `HTTP ${response.status}`);
  return answer;
}

function say(id, text, warn = false) {
  $(id).textContent = text;
  $(id).classList.toggle("warn", warn);
}

/** A run's playground link: its settings as a hash, plus its run marker. */
export function runLink(doc) {
  const state = settingsToState(parseHash(""), doc.settings);
  const body = serializeState({ ...state, run: doc.run || null });
  return `/#${body}`;
}

function drawMap(canvas, doc) {
  const ctx = canvas.getContext("2d");
  if (!doc.map) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  const bytes = Uint8Array.from(atob(doc.map), (c) => c.charCodeAt(0));
  const lut = doc.class_map ? buildClassLut(doc.classes) : LUT;
  const image = ctx.createImageData(25, 25);
  for (let i = 0; i < bytes.length; i++) image.data.set(lut.subarray(bytes[i] * 4, bytes[i] * 4 + 4), i * 4);
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  ctx.putImageData(image, 0, 0);
}

function facts(doc) {
  const shape = (doc.shape || []).join("-") || "no hidden layer";
  const goal = doc.goal_met == null ? "" : doc.goal_met ? " · goal met" : " · goal not met";
  return `epoch ${doc.epoch ?? "–"} · test ${formatLoss(doc.test_loss)} · train ${formatLoss(doc.train_loss)}`
    + ` · ${shape} · ${doc.dataset || ""}${goal}`;
}

function tile(doc) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = `student ${doc.status}`;
  Object.assign(el.dataset, { id: doc.id, name: doc.name, epoch: String(doc.epoch ?? 0), status: doc.status });
  el.dataset.testLoss = doc.test_loss == null ? "" : String(doc.test_loss);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 25;
  drawMap(canvas, doc);
  const name = document.createElement("span");
  name.className = "student-name";
  name.textContent = doc.name;
  const line = document.createElement("span");
  line.className = "student-facts";
  line.textContent = doc.epoch == null ? "has not trained yet" : facts(doc);
  const status = document.createElement("span");
  status.className = "student-status";
  status.textContent = doc.status + (doc.provenance ? ` · ${doc.provenance}` : "");
  el.append(canvas, name, line, status);
  el.addEventListener("click", () => openView(doc.id));
  return el;
}

function sorted(roster) {
  const how = $("sort").value;
  const loss = (d) => (d.test_loss == null ? Infinity : d.test_loss);
  const by = {
    loss: (a, b) => loss(a) - loss(b),
    name: (a, b) => a.name.localeCompare(b.name),
    activity: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (b.epoch ?? 0) - (a.epoch ?? 0),
  }[how];
  return [...roster].sort(by);
}

function showRoster() {
  $("roster-count").textContent = String(live.roster.length);
  $("roster").replaceChildren(...sorted(live.roster).map(tile));
  if (viewing) openView(viewing, false);
}

function showBoard() {
  const items = live.board.map((e) => {
    const li = document.createElement("li");
    li.className = `entry${e.eligible ? "" : " not-eligible"}`;
    Object.assign(li.dataset, { name: e.name, epoch: String(e.epoch), neurons: String(e.neurons) });
    const where = e.eligible ? `${e.rank}. ` : "not eligible: ";
    li.textContent = `${where}${e.name}, epoch ${e.epoch}, ${e.neurons} neurons, ${e.seconds} s`
      + (e.eligible ? "" : ` (${e.reason})`);
    return li;
  });
  $("board").replaceChildren(...items);
  $("challenge-text").textContent = live.challenge ? `Challenge: ${live.challenge.text}` : "No challenge yet.";
}

function openView(id, show = true) {
  const doc = live && live.roster.find((d) => d.id === id);
  if (!doc) return;
  viewing = id;
  $("view-name").textContent = doc.name;
  $("view-facts").textContent = doc.epoch == null ? "has not trained yet" : facts(doc);
  drawMap($("view-map"), doc);
  $("view-open").href = doc.settings ? runLink(doc) : "/";
  if (show) $("student-view").classList.remove("hidden");
}

async function poll() {
  try {
    const response = await fetch(`${BASE}/live.json`, { cache: "no-store" });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.detail || `HTTP ${response.status}`);
    live = answer;
    $("store-error").classList.add("hidden");
    $("chosen-label").textContent = live.chosen.label;
    $("open-chosen").href = `/#${live.chosen.hash}`;
    $("pause-all").textContent = live.paused ? "Resume all" : "Pause all";
    $("pause-all").setAttribute("aria-pressed", String(live.paused));
    showRoster();
    showBoard();
  } catch (err) {
    $("store-error").textContent = `The class cannot be shown right now: ${err.message}`;
    $("store-error").classList.remove("hidden");
  }
  setTimeout(poll, POLL_MS);
}

function locks() {
  return [...document.querySelectorAll("#locks input[data-lock]")].filter((b) => b.checked).map((b) => b.dataset.lock);
}

async function choose(body) {
  try {
    const answer = await call("choose", body);
    $("chosen-label").textContent = answer.label;
    for (const box of document.querySelectorAll("#locks input[data-lock]")) box.checked = answer.hidden.includes(box.dataset.lock);
    say("start-status", `Next start: ${answer.label}. Press “Give everyone this start”.`);
  } catch (err) {
    say("start-status", err.message, true);
  }
}

function challengeBody(form) {
  const data = new FormData(form);
  const number = (name) => (data.get(name) === "" ? null : Number(data.get(name)));
  const metric = data.get("metric");
  return {
    dataset: data.get("dataset"), metric, locked: locks(),
    [metric === "test_loss" ? "below" : "above"]: number("threshold"),
    max_neurons: number("max_neurons"), max_layers: number("max_layers"), epochs: number("epochs"),
    features: data.getAll("features"),
  };
}

function wire() {
  $("use-link").addEventListener("click", () => choose({ link: $("start-link").value }));
  $("use-defaults").addEventListener("click", () => choose({ link: "" }));
  $("use-lesson").addEventListener("click", () => {
    const [lesson, step] = $("start-lesson").value.split(":");
    choose({ lesson, step: Number(step) });
  });
  $("push-start").addEventListener("click", async () => {
    try {
      const answer = await call("push", { locked: locks() });
      say("start-status", `Start ${answer.version} sent to everyone.`);
    } catch (err) {
      say("start-status", err.message, true);
    }
  });
  $("pause-all").addEventListener("click", () => call("pause", { paused: !(live && live.paused) }).catch((err) => say("start-status", err.message, true)));
  $("challenge-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const answer = await call("challenge", challengeBody(ev.target));
      $("challenge-text").textContent = `Challenge: ${answer.challenge}`;
    } catch (err) {
      $("challenge-text").textContent = err.message;
    }
  });
  $("end-challenge").addEventListener("click", () => call("challenge", { end: true }).catch(() => {}));
  $("make-short").addEventListener("click", async () => {
    try {
      $("short-result").textContent = (await call("links", { target: $("short-target").value })).url;
    } catch (err) {
      $("short-result").textContent = err.message;
    }
  });
  $("sort").addEventListener("change", () => live && showRoster());
  $("student-view").querySelector(".popover-close").addEventListener("click", () => {
    viewing = null;
    $("student-view").classList.add("hidden");
  });
}

wire();
poll();
// A playground opened from here may send what it shows back as the next start (class-teacher.js).
localStorage.setItem(TEACHING_STORE, JSON.stringify({ code: $("dashboard").dataset.code, base: BASE }));
