// The dashboard: pages for this user and the consults they may see, live. The tab's one
// personal socket (notifier.js, on every signed-in page) brings the frames; its snapshot on each
// (re)connect is the truth. Pages ring from notifier.js; here they are listed with the same card
// the banner uses elsewhere, so the banner stays off this page.
import { notifier } from "./notifier.js";
import { renderPageCard } from "./page_card.js";
import { announce, announceAfterReload } from "./shell.js";
import { bindConsultForm, consultAction, csrfPost, postConfirming, renderConsult } from "./consult_cards.js";

const root = document.getElementById("dashboard");
const me = Number(root.dataset.me);
const supervisor = root.dataset.supervisor === "1";
const pagesEl = root.querySelector("[data-testid=pages]");
const consultsEl = root.querySelector("[data-testid=consults]");
const statusEl = root.querySelector("[data-testid=connection]");
const consults = new Map();
const pages = new Map();

notifier.showPagesElsewhere();
notifier.onState((state) => {
  statusEl.dataset.state = state;
  statusEl.textContent = { open: "Live", connecting: "Connecting…", offline: "Offline", degraded: "Delayed: live updates paused", ended: "Signed out" }[state] || state;
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
  },
  "consult.unanswered": () => render(),
  error: (f) => console.warn("refused:", f.code),
};
notifier.onFrame((frame) => handlers[frame.type]?.(frame));

function render() {
  pagesEl.replaceChildren();
  const open = [...pages.values()].filter((p) => ["paging", "unanswered", undefined].includes(consults.get(p.consult_id)?.state));
  if (!open.length) pagesEl.append(Object.assign(document.createElement("li"), { className: "empty", textContent: "No pages." }));
  open.forEach((p) => pagesEl.append(renderPageCard(p, { deadline: consults.get(p.consult_id)?.escalate_at, onDone: answered })));
  consultsEl.replaceChildren();
  [...consults.values()].sort((a, b) => b.id - a.id)
    .forEach((c) => consultsEl.append(renderConsult(c, { me, supervisor, onAction })));
}

function answered(page) {
  pages.delete(page.id);
  notifier.pageAnswered(page.id);
  render();
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

