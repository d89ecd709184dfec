// The dashboard: pages ring here (sound + browser notification when allowed) on every open tab,
// and consults show their state live. The socket's snapshot on each (re)connect is the truth.
import { RoomSocket } from "./room_socket.js";
import { announce, announceAfterReload } from "./shell.js";
import { bindConsultForm, consultAction, crisisBox, csrfPost, postConfirming, renderConsult } from "./consult_cards.js";

const root = document.getElementById("dashboard");
const me = Number(root.dataset.me);
const supervisor = root.dataset.supervisor === "1";
const pagesEl = root.querySelector("[data-testid=pages]");
const consultsEl = root.querySelector("[data-testid=consults]");
const statusEl = root.querySelector("[data-testid=connection]");
const consults = new Map();
const pages = new Map();
let audio = null;

const socket = new RoomSocket({
  url: () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/me/`,
  onFrame: (frame) => handlers[frame.type]?.(frame),
  onState: (state) => {
    statusEl.dataset.state = state;
    statusEl.textContent = { open: "Live", connecting: "Connecting…", offline: "Offline", degraded: "Delayed: live updates paused", ended: "Signed out" }[state] || state;
  },
});

const handlers = {
  "dashboard.snapshot": (f) => {
    consults.clear();
    pages.clear();
    f.consults.forEach((c) => consults.set(c.id, c));
    f.pages.forEach((p) => pages.set(p.id, p));
    render();
  },
  "consult.updated": (f) => {
    consults.set(f.consult.id, f.consult);
    if (!["paging", "unanswered", "open"].includes(f.consult.state)) {
      for (const [id, p] of pages) if (p.consult_id === f.consult.id) pages.delete(id);
    }
    render();
  },
  page: (f) => {
    pages.set(f.page.id, f.page);
    render();
    ring(f.page);
  },
  "consult.unanswered": () => render(),
  "followup.due": (f) => notify(`Follow-up check-in due: ${f.case}`, f.url),
  error: (f) => console.warn("refused:", f.code),
  pong: () => {},
};

function render() {
  pagesEl.replaceChildren();
  const open = [...pages.values()].filter((p) => ["paging", "unanswered", undefined].includes(consults.get(p.consult_id)?.state));
  if (!open.length) pagesEl.append(Object.assign(document.createElement("li"), { className: "empty", textContent: "No pages." }));
  open.forEach((p) => pagesEl.append(renderPage(p)));
  consultsEl.replaceChildren();
  [...consults.values()].sort((a, b) => b.id - a.id)
    .forEach((c) => consultsEl.append(renderConsult(c, { me, supervisor, onAction })));
}

function renderPage(p) {
  const li = document.createElement("li");
  li.className = "page";
  li.dataset.testid = "page";
  li.dataset.page = p.id;
  li.dataset.consult = p.consult_id;
  const c = consults.get(p.consult_id);
  li.textContent = `${p.urgency.toUpperCase()} consult ${p.case || "(support)"} · you are paged as ${p.tier_label.toLowerCase()}`;
  const ack = button("Acknowledge", "page-acknowledge", () => onAction("ack", { id: p.consult_id, case: p.case }));
  const decline = button("Decline", "page-decline", async () => {
    const reason = prompt("Why can't you take it? (the next tier is paged at once)");
    const result = reason && await postConfirming(`/pages/${p.id}/decline/`, { reason });
    if (result) report(result);
  });
  li.append(ack, decline);
  if (c?.escalate_at && c.state === "paging") {
    const cd = document.createElement("span");
    cd.className = "countdown";
    cd.dataset.testid = "countdown";
    cd.dataset.until = c.escalate_at;
    li.append(cd);
  }
  return li;
}

function button(label, testid, handler) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.dataset.testid = testid;
  b.addEventListener("click", handler);
  return b;
}

async function onAction(kind, c) {
  const result = await consultAction(kind, c);
  if (!result) return;
  report(result);
  // Acknowledging means joining the room: take the supervisor there.
  if (kind === "ack" && result.ok && c.case) location.assign(`/cases/${c.case}/`);
}

function report(result) {
  if (!result.ok) alert(result.data.error?.message || "That did not work; try again.");
}

// Sound and a system notification. The notification carries the case code, urgency and a link
// only: it can show on a lock screen.
function ring(page) {
  socket.isOpen() && socket.send({ type: "page.seen", page_id: page.id });
  beep();
  notify(`${page.urgency.toUpperCase()} consult ${page.case || ""}: please acknowledge`, page.url);
}

function beep() {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
  } catch (e) { /* no audio until the user has interacted with the page */ }
}

function notify(text, url) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const n = new Notification("Consult", { body: text, tag: url, requireInteraction: true });
  n.onclick = () => { window.focus(); location.assign(url); };
}

root.querySelector("[data-testid=enable-alerts]").addEventListener("click", (e) => {
  audio = audio || new AudioContext();
  if ("Notification" in window) Notification.requestPermission();
  e.target.hidden = true;
});

bindConsultForm(root.querySelector("[data-testid=consult-form]"), (c) => {
  consults.set(c.id, c);
  render();
});

root.querySelectorAll("form.followup-complete").forEach((form) => form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const li = form.closest("[data-followup]");
  const result = await postConfirming(`/followups/${li.dataset.followup}/complete/`, { note: form.note.value });
  if (!result) return;
  if (!result.ok) return report(result);
  li.remove();
  announce(`Check-in on ${result.data.followup.case} marked done.`);
}));

const newFollowup = root.querySelector("[data-testid=followup-new]");
newFollowup.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(newFollowup).entries());
  data.due_at = new Date(data.due_at).toISOString();
  const result = await csrfPost("/followups/new/", data);
  if (result.ok) announceAfterReload(`Check-in on ${data.case} scheduled.`); else report(result);
});

socket.start();
