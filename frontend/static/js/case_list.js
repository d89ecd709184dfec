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
    if (!tr) return; // a case opened after this page loaded: it shows on the next load
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
