// One page card, wherever a page shows: the Dashboard's "Pages for you" list and the banner
// that notifier.js lays over every other signed-in page. Case code, urgency, tier and the
// countdown only: the question stays in the consult card, the page may be read over a shoulder.
import { countdown, csrfPost, postConfirming } from "./consult_cards.js";

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function pageHeadline(page) {
  const what = page.case ? `consult on case ${page.case}` : "support request";
  return `${page.urgency.toUpperCase()} ${what}: you are paged as ${page.tier_label.toLowerCase()}`;
}

// `deadline` is the consult's current escalate_at when known (it moves with each tier), else the page's.
export function renderPageCard(page, { deadline, onDone }) {
  const li = el("li", "page");
  li.dataset.testid = "page";
  li.dataset.page = page.id;
  li.dataset.consult = page.consult_id;
  li.append(el("span", "page-what", pageHeadline(page)));
  const until = deadline === undefined ? page.deadline_at : deadline;
  if (until) li.append(countdown(until));
  const actions = el("span", "page-actions");
  actions.append(
    button("Acknowledge", "page-acknowledge", () => pageAcknowledge(page, onDone)),
    button("Decline", "page-decline", () => pageDecline(page, onDone)),
  );
  li.append(actions);
  return li;
}

function button(label, testid, handler) {
  const b = el("button", "", label);
  b.type = "button";
  b.dataset.testid = testid;
  b.addEventListener("click", handler);
  return b;
}

// Acknowledging means joining the room: take the supervisor there (a support request has no
// room: its card on the Dashboard).
export async function pageAcknowledge(page, onDone) {
  const result = await csrfPost(`/consults/${page.consult_id}/ack/`);
  if (!result.ok) return report(result);
  onDone?.(page, "acknowledged");
  location.assign(page.case ? `/cases/${encodeURIComponent(page.case)}/` : page.url);
}

export async function pageDecline(page, onDone) {
  const reason = prompt("Why can't you take it? (the next tier is paged at once; no identifiers)");
  if (!reason) return;
  const result = await postConfirming(`/pages/${page.id}/decline/`, { reason });
  if (!result) return;
  if (!result.ok) return report(result);
  onDone?.(page, "declined");
}

function report(result) {
  alert(result.data.error?.message || "That did not work; try again.");
}
