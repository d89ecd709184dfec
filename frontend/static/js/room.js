// Case room client. The server's sequence numbers are the truth: messages are shown in seq
// order exactly once, a gap is fetched from the server, and messages typed while offline wait
// in a persisted outbox keyed by client_id, so a resend can never duplicate them.
import { RoomSocket } from "./room_socket.js";
import { Outbox } from "./outbox.js";
import { showFindings } from "./deid_review.js";

const room = document.getElementById("room");
const caseCode = room.dataset.case;
const myId = Number(room.dataset.me);
const threadEl = room.querySelector("[data-testid=thread]");
const presenceEl = room.querySelector("[data-testid=presence]");
const statusEl = room.querySelector("[data-testid=connection]");
const composer = room.querySelector("[data-testid=composer]");
const textarea = composer.querySelector("textarea");
const composerError = room.querySelector("[data-testid=composer-error]");
const outboxEl = room.querySelector("[data-testid=outbox]");
const correctingEl = room.querySelector("[data-testid=correcting]");
const deidPanel = room.querySelector("[data-testid=deid-panel]");

const messages = new Map(); // seq → message
const members = new Map(); // user id → user
const readPositions = new Map(); // user id → seq
// A search result opens the room at its message (?at=seq): the thread starts there, not at the latest.
const startAt = Math.max(0, Number(new URLSearchParams(location.search).get("at")) || 0);
let lastSeq = startAt > 0 ? startAt - 1 : 0; // highest seq shown with no gap below it
let found = null; // the message searched for, once shown: the thread stays on it
let fetching = false;
let correcting = null;
let lastMarked = 0;
let resumeTimer = null; // set while the server has asked the outbox to wait
// Well under the server's flood control (WS_FRAME_BURST 30, WS_FRAMES_PER_SECOND 10), which
// also counts read marks and pings.
const SEND_WINDOW = 10;
const SEND_PER_SECOND = 5;
const inFlight = new Set(); // client_ids sent on this socket and not yet answered
let sendTokens = SEND_WINDOW;
let tokensAt = performance.now();
let pumpTimer = null;

const outbox = new Outbox(`consult.outbox.${caseCode}.${myId}`);
const socket = new RoomSocket({
  url: () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const after = lastSeq > 0 || startAt > 0 ? `?after_seq=${lastSeq}` : "";
    return `${scheme}://${location.host}/ws/cases/${encodeURIComponent(caseCode)}/${after}`;
  },
  onFrame: handleFrame,
  onState: showState,
  onLive: fetchGap,
});

const handlers = {
  "room.joined": (f) => {
    members.clear();
    f.members.forEach((u) => members.set(u.id, u));
    readPositions.clear();
    Object.entries(f.read_positions).forEach(([uid, seq]) => readPositions.set(Number(uid), seq));
    renderPresence(f.presence);
    if (lastSeq === 0 && f.messages.length) lastSeq = f.messages[0].seq - 1; // recent page, not from 1
    accept(f.messages);
    if (f.has_more || f.last_seq > lastSeq) fetchGap();
    flushOutbox();
  },
  "message.new": (f) => accept([f.message]),
  // A supervisor redacted a confirmed span: the stored message changed, so does every screen.
  "message.redacted": (f) => {
    const known = messages.get(f.seq);
    if (known) known.html = f.html;
    const body = threadEl.querySelector(`[data-seq="${f.seq}"] .message-body`);
    if (body) body.innerHTML = f.html; // rendered and sanitised by the server (bleach)
  },
  history: (f) => {
    fetching = false;
    accept(f.messages);
    if (f.has_more) fetchGap();
  },
  "message.ack": (f) => {
    outbox.remove(f.client_id);
    inFlight.delete(f.client_id);
    pumpOutbox();
    renderOutbox();
    if (f.seq > lastSeq) fetchGap();
  },
  presence: (f) => renderPresence(f.users),
  "read.updated": (f) => {
    readPositions.set(f.user_id, f.seq);
    renderSeenBy();
  },
  error: (f) => showError(f),
  pong: () => {},
};

function handleFrame(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
  // Panels of other features (consults...) render their own frames from the same socket.
  room.dispatchEvent(new CustomEvent("room:frame", { detail: frame }));
}

// Take messages in any order; show each once, in seq order, and fetch what is missing.
function accept(list) {
  for (const m of list) if (m.seq > lastSeq && !messages.has(m.seq)) messages.set(m.seq, m);
  while (messages.has(lastSeq + 1)) {
    lastSeq += 1;
    renderMessage(messages.get(lastSeq));
  }
  if ([...messages.keys()].some((seq) => seq > lastSeq)) fetchGap();
  showFound();
  renderSeenBy();
  markRead();
}

function fetchGap() {
  if (fetching || !socket.isOpen()) return;
  fetching = true;
  socket.send({ type: "history.fetch", after_seq: lastSeq });
}

function renderMessage(m) {
  const li = document.createElement("li");
  li.className = "message" + (m.author.id === myId ? " mine" : "");
  li.dataset.seq = m.seq;
  li.dataset.testid = "message";
  const head = document.createElement("div");
  head.className = "message-head";
  head.append(textSpan("author", m.author.name), textSpan("seq", `#${m.seq}`),
    textSpan("time", new Date(m.created_at).toLocaleTimeString()));
  if (m.corrects) {
    head.append(textSpan("corrects", `corrects #${m.corrects}`));
    const original = threadEl.querySelector(`[data-seq="${m.corrects}"]`);
    if (original) original.classList.add("corrected");
  }
  if (m.author.id === myId) {
    const fix = document.createElement("button");
    fix.type = "button";
    fix.className = "link";
    fix.textContent = "correct";
    fix.addEventListener("click", () => startCorrection(m.seq));
    head.append(fix);
  }
  const body = document.createElement("div");
  body.className = "message-body";
  body.innerHTML = m.html; // rendered and sanitised by the server (bleach)
  const seen = document.createElement("div");
  seen.className = "seen-by";
  li.append(head, body, seen);
  threadEl.append(li);
  if (!found) li.scrollIntoView({ block: "end" });
}

function showFound() {
  if (!startAt || found) return;
  found = threadEl.querySelector(`[data-seq="${startAt}"]`);
  if (!found) return;
  found.classList.add("found");
  found.dataset.found = "1";
  found.scrollIntoView({ block: "center" });
}

function textSpan(cls, text) {
  const span = document.createElement("span");
  span.className = cls;
  span.textContent = text;
  return span;
}

function renderSeenBy() {
  for (const li of threadEl.querySelectorAll("li.message")) {
    const seq = Number(li.dataset.seq);
    const author = messages.get(seq)?.author.id;
    const names = [...readPositions]
      .filter(([uid, pos]) => pos >= seq && uid !== author && members.has(uid))
      .map(([uid]) => members.get(uid).name);
    li.querySelector(".seen-by").textContent = names.length ? `Seen by ${names.join(", ")}` : "";
  }
}

function renderPresence(users) {
  presenceEl.replaceChildren(...users.map((u) => {
    const li = document.createElement("li");
    li.textContent = u.name;
    return li;
  }));
}

// Reading is recorded, not guessed: only what was on screen in a visible tab counts.
function markRead() {
  if (document.visibilityState !== "visible" || lastSeq <= lastMarked || !socket.isOpen()) return;
  lastMarked = lastSeq;
  socket.send({ type: "read.mark", seq: lastSeq });
}
document.addEventListener("visibilitychange", markRead);

function showState(state) {
  statusEl.dataset.state = state;
  statusEl.textContent = { open: "Live", connecting: "Connecting…", offline: "Offline: messages will be sent when you are back",
    degraded: "Delayed: live updates paused, messages are still saved", ended: "Signed out", forbidden: "You no longer have access to this case" }[state] || state;
  if (state === "open") lastMarked = 0;
}

function showError(f) {
  const item = f.client_id && outbox.get(f.client_id);
  inFlight.delete(f.client_id);
  if (item && (f.code === "unavailable" || f.code === "rate_limited")) {
    // Not refused, only not now: it stays in the outbox, and the whole outbox waits retry_after
    // (a post that did reach the database is acknowledged as a duplicate, never stored twice).
    holdOutbox(Math.max(f.retry_after || 2, 1)); // a rate_limited wait may be 1 ms: not worth a burst
  } else if (item) {
    outbox.remove(f.client_id); // refused, not lost: the text goes back to the composer
    renderOutbox();
    if (!textarea.value) textarea.value = item.body;
    pumpOutbox();
  }
  composerError.textContent = f.message;
  composerError.dataset.code = f.code;
  composerError.hidden = false;
  if (f.code === "identifier_found" && item) reviewFindings(item, f.findings);
}

function reviewFindings(item, findings) {
  const extra = item.corrects ? { corrects: item.corrects } : {};
  showFindings(deidPanel, {
    text: item.body,
    findings,
    onRedact: (redacted) => {
      composerError.hidden = true;
      textarea.value = redacted;
      textarea.focus();
    },
    onConfirm: (text, confirmations) => {
      composerError.hidden = true;
      textarea.value = "";
      send(text, { ...extra, confirmations });
    },
  });
}

function startCorrection(seq) {
  correcting = seq;
  correctingEl.hidden = false;
  correctingEl.querySelector("span").textContent = `#${seq}`;
  textarea.focus();
}
correctingEl.querySelector("button").addEventListener("click", () => {
  correcting = null;
  correctingEl.hidden = true;
});

function send(body, extra = {}) {
  const item = { client_id: crypto.randomUUID().replaceAll("-", ""), body, ...extra };
  if (correcting) item.corrects = correcting;
  outbox.add(item);
  renderOutbox();
  correcting = null;
  correctingEl.hidden = true;
  pumpOutbox();
}

// Sends what the outbox holds, in order, at most SEND_WINDOW frames unanswered at a time and
// SEND_PER_SECOND after a burst of SEND_WINDOW: an outbox that grew during an outage then goes
// out within the server's flood limits instead of tripping them (refusals, then 4429).
function pumpOutbox() {
  if (resumeTimer || !socket.isOpen()) return;
  for (const item of outbox.items()) {
    if (inFlight.size >= SEND_WINDOW) break;
    if (inFlight.has(item.client_id)) continue;
    if (!takeSendToken()) {
      pumpTimer ||= setTimeout(() => ((pumpTimer = null), pumpOutbox()), 1000 / SEND_PER_SECOND);
      break;
    }
    inFlight.add(item.client_id);
    socket.send({ type: "message.send", ...item });
  }
}

function takeSendToken() {
  const now = performance.now();
  sendTokens = Math.min(SEND_WINDOW, sendTokens + ((now - tokensAt) / 1000) * SEND_PER_SECOND);
  tokensAt = now;
  if (sendTokens < 1) return false;
  sendTokens -= 1;
  return true;
}

function flushOutbox() {
  inFlight.clear(); // a fresh socket: nothing is on the wire yet
  pumpOutbox();
  renderOutbox();
}

// The server asked for a pause (database away, or we sent too fast). One timer for the whole
// outbox, not one per message: a resend per message per refusal would grow with the outage and
// end as a flood the server must close (4429). Messages written meanwhile wait in the outbox.
function holdOutbox(seconds) {
  if (resumeTimer) return;
  resumeTimer = setTimeout(() => {
    resumeTimer = null;
    flushOutbox();
  }, seconds * 1000);
}

function renderOutbox() {
  const n = outbox.items().length;
  outboxEl.textContent = n ? `${n} waiting to send` : "";
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const body = textarea.value;
  if (!body.trim()) return;
  composerError.hidden = true;
  deidPanel.hidden = true;
  textarea.value = "";
  send(body);
});
textarea.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

window.consultRoom = { send, socket };
renderOutbox();
socket.start();
