// Live group case review. The server's `review.state` frame is the whole truth: every change
// (agenda move, minutes, attendance, close) re-sends it and the page re-renders from it.
import { RoomSocket } from "./room_socket.js";
import { confirmEachSpan } from "./deid_review.js";
import { announceAfterReload } from "./shell.js";

const root = document.getElementById("review");
const sessionId = root.dataset.session;
const isFacilitator = root.dataset.me === root.dataset.facilitator;
const statusEl = root.querySelector("[data-testid=connection]");
const $ = (id) => root.querySelector(`[data-testid=${id}]`);
let state = null;
let shownPosition = null; // the agenda item whose minutes are in the facilitator's box
let pending = null; // the facilitator's frame to send once the minutes are saved
let typed = null; // the minutes text that save is waiting on
let afterState = () => {};
let afterError = () => {};
let onFlagged = () => false; // the facilitator's minutes were refused: true when sent again, confirmed
let closing = false; // this facilitator asked to close: the reload tells them it is done

if (root.dataset.status === "scheduled") setTimeout(() => location.reload(), 5000);
if (root.dataset.status === "open") start();

function start() {
  const socket = new RoomSocket({
    url: () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/reviews/${sessionId}/`,
    onFrame: (frame) => (handlers[frame.type] || (() => {}))(frame),
    onState: (s) => {
      statusEl.dataset.state = s;
      statusEl.textContent = { open: "Live", connecting: "Connecting…", offline: "Offline", degraded: "Delayed: live updates paused" }[s] || s;
    },
  });
  const handlers = {
    "review.state": (f) => {
      render(f);
      afterState();
    },
    error: (f) => {
      if (f.code === "identifier_found" && f.request === "minutes.save" && onFlagged(f)) return;
      afterError();
      const el = $("review-error");
      if (!el) return;
      el.textContent = f.message + (f.field ? ` (${f.field})` : "");
      el.hidden = false;
    },
  };
  if (isFacilitator) wireControls(socket);
  socket.start();
}

function render(frame) {
  state = frame;
  if (frame.session.status === "closed") { // the closed page lists the minutes
    return closing ? announceAfterReload("Review closed: the minutes are filed on each case.") : location.reload();
  }
  const current = frame.session.current_position;
  $("agenda").replaceChildren(...frame.agenda.map((item) => {
    const li = document.createElement("li");
    li.className = item.position === current ? "current" : "";
    li.dataset.position = item.position;
    li.textContent = `${item.position}. ${item.case.code} · ${item.case.title} · ${item.case.risk_level}` +
      (item.minutes ? " · minutes written" : "");
    return li;
  }));
  const item = frame.agenda.find((i) => i.position === current);
  $("current-case").textContent = item ? `${item.case.code} · ${item.case.title}` : "";
  $("current-case").dataset.code = item ? item.case.code : "";
  if (isFacilitator) {
    // The facilitator is the only writer: the box is refilled only when the agenda moves.
    if (shownPosition !== current) $("minutes").value = item ? item.minutes : "";
    shownPosition = current;
  } else {
    $("minutes-view").textContent = item && item.minutes ? item.minutes : "No minutes yet.";
  }
  $("attendees").replaceChildren(...frame.attendees.map((u) => {
    const li = document.createElement("li");
    li.textContent = u.name;
    return li;
  }));
}

// Moving on or closing first saves the minutes being typed, and waits for the server to accept
// them: a refusal (the de-identification guard) keeps the facilitator on the case with the text.
function wireControls(socket) {
  const textarea = $("minutes");
  const current = () => state.session.current_position;
  const item = () => state.agenda.find((i) => i.position === current());
  const unsaved = () => item() && textarea.value.trim() !== item().minutes;
  const act = (frame) => {
    $("review-error").hidden = true;
    if (!unsaved()) return frame && socket.send(frame);
    pending = frame;
    typed = textarea.value.trim();
    socket.send({ type: "minutes.save", position: current(), text: textarea.value });
  };
  afterState = () => {
    if (pending && item() && item().minutes === typed) {
      const frame = pending;
      pending = null;
      socket.send(frame);
    }
  };
  afterError = () => (pending = null);
  onFlagged = (error) => {
    const confirmations = confirmEachSpan(error, { minutes: typed });
    if (!confirmations) return false;
    socket.send({ type: "minutes.save", position: current(), text: typed, confirmations: confirmations.minutes });
    return true;
  };
  $("save-minutes").addEventListener("click", () => act(null));
  const go = (step) => {
    const target = current() + step;
    if (target >= 1 && target <= state.agenda.length) act({ type: "agenda.goto", position: target });
  };
  $("next-case").addEventListener("click", () => go(1));
  $("previous-case").addEventListener("click", () => go(-1));
  $("close-review").addEventListener("click", () => {
    if (!window.confirm("Close the review? Its minutes are filed on each case and can no longer be changed.")) return;
    closing = true;
    act({ type: "review.close" });
  });
}
