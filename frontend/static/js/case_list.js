// The case list, live: unread counts, last activity and the "consult open" mark follow the tab's
// personal socket (notifier.js). `case.activity` comes once per message to the whole team;
// `case.read` carries this user's recomputed count when any of their tabs read the room.
import { notifier } from "./notifier.js";

const list = document.getElementById("case-list");
const me = Number(list.dataset.me);

function row(code) {
  return list.querySelector(`tr[data-case="${CSS.escape(code)}"]`);
}

function setUnread(tr, count) {
  const badge = tr.querySelector("[data-testid=unread]");
  badge.dataset.count = count;
  badge.firstChild.textContent = String(count);
}

const handlers = {
  "case.activity": (f) => {
    const tr = row(f.case);
    if (!tr) return refreshRows(); // a case opened (or shared with a team) since this page loaded
    if (f.author_id !== me) setUnread(tr, Number(tr.querySelector("[data-testid=unread]").dataset.count) + 1);
    const time = tr.querySelector("[data-testid=last-activity]");
    time.dateTime = f.at;
    time.textContent = new Date(f.at).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  },
  "case.read": (f) => {
    const tr = row(f.case);
    if (tr) setUnread(tr, f.unread);
  },
  "case.consult": (f) => {
    const tr = row(f.case);
    if (tr) tr.querySelector("[data-testid=consult-mark]").hidden = !f.active;
  },
};
notifier.onFrame((frame) => handlers[frame.type]?.(frame));

// The rows as the server renders them now. After a reconnect (frames sent while the socket was
// away are gone) and for a case this page has never shown, counts are read again rather than
// guessed.
let refreshing = false;
async function refreshRows() {
  if (refreshing) return;
  refreshing = true;
  try {
    const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("case-rows");
    if (fresh) document.getElementById("case-rows").replaceChildren(...fresh.childNodes);
  } catch {
    // offline again: the next reconnect reads them
  } finally {
    refreshing = false;
  }
}

let connectedBefore = false;
notifier.onState((state) => {
  if (state !== "open") return;
  if (connectedBefore) refreshRows();
  connectedBefore = true;
});
