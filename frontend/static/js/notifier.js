// The personal socket (/ws/me/) on every signed-in page, once per tab. Whatever page is open, a
// page for this user shows as a banner over it (the same card as on the Dashboard, which lists
// pages itself), rings, raises a system notification where the user allowed them, marks the tab
// title until it is answered, and is announced to screen readers. Support requests (for
// supervisors), "your support request was taken" and @mentions show in the same banner as notices.
// Other modules (the Dashboard, the case list) read the same frames through `notifier.onFrame`.
import { RoomSocket } from "./room_socket.js";
import { pageHeadline, renderPageCard } from "./page_card.js";
import { csrfPost } from "./consult_cards.js";

const config = document.querySelector("script[data-notifier]").dataset;
const me = Number(config.me);
const supervisor = config.supervisor === "1";
const ALERTS_KEY = `consult.alerts.${me}`; // the answer to "allow notifications?", asked once
const NOTICES_KEY = `consult.notices.${me}`; // notices survive moving between pages of this tab
const SEEN_KEY = `consult.seen.${me}.`; // notices dismissed or opened: not raised again from a snapshot
const ACTIVE = ["paging", "unanswered"];

const frameListeners = new Set();
const stateListeners = new Set();
const pages = new Map(); // page id → page, open pages of this user
const consults = new Map(); // consult id → consult this user may see (snapshot + updates)
let notices = loadNotices();
let pagesShownElsewhere = false; // the Dashboard lists pages itself
let state = "connecting";
let audio = null;
let focusBefore = null;
const baseTitle = document.title;

const banner = buildBanner();
const livePages = liveRegion("assertive", "live-pages");
const liveNotices = liveRegion("polite", "live-notices");

export const notifier = {
  onFrame: (fn) => frameListeners.add(fn),
  onState: (fn) => { stateListeners.add(fn); fn(state); },
  showPagesElsewhere: () => { pagesShownElsewhere = true; render(); },
  pageAnswered: (pageId) => { pages.delete(pageId); render(); },
  consult: (id) => consults.get(id),
  isOpen: () => socket.isOpen(),
};

const handlers = {
  "dashboard.snapshot": (f) => {
    pages.clear();
    consults.clear();
    f.pages.forEach((p) => pages.set(p.id, p));
    f.consults.forEach((c) => consults.set(c.id, c));
    // Taken while no tab of the requester was open: say so once, until she dismisses or opens it.
    f.consults.filter((c) => c.kind === "support" && c.requester.id === me && c.state === "acknowledged"
      && !localStorage.getItem(`${SEEN_KEY}support-${c.id}`)).forEach((c) => supportTaken(c, { quiet: true }));
  },
  page: (f) => {
    pages.set(f.page.id, f.page);
    ring(f.page);
  },
  "consult.updated": (f) => {
    const before = consults.get(f.consult.id);
    if (before && before.updated_at > f.consult.updated_at) return; // never step back in time
    consults.set(f.consult.id, f.consult);
    if (!ACTIVE.includes(f.consult.state)) {
      for (const [id, p] of pages) if (p.consult_id === f.consult.id) pages.delete(id);
    }
    if (isSupportToTake(f.consult) && !before) ringSupport(f.consult);
    if (f.consult.kind === "support" && f.consult.requester.id === me && f.consult.state === "acknowledged"
        && before?.state !== "acknowledged") supportTaken(f.consult);
  },
  "followup.due": (f) => {
    const text = `Follow-up check-in due: case ${f.case}`;
    addNotice({ key: `followup-${f.followup_id}`, kind: "followup-due", url: f.url, text });
    systemNotification(text, f.url);
  },
  "emergency_access.granted": (f) => {
    const text = `Emergency access to case ${f.case} by ${f.grantee}, until ${new Date(f.expires_at).toLocaleTimeString()}`;
    addNotice({ key: `emergency-${f.grant_id}`, kind: "emergency-access", url: f.url, text });
    systemNotification(text, f.url);
  },
  mention: (f) => {
    if (document.getElementById("room")?.dataset.case === f.case) return; // already reading it
    addNotice({ key: `mention-${f.case}-${f.seq}`, kind: "mention", url: f.url,
      text: `${f.by.name} mentioned you in case ${f.case}` });
    systemNotification(`${f.by.name} mentioned you in case ${f.case}`, f.url);
  },
};

const socket = new RoomSocket({
  url: () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/me/`,
  onFrame: (frame) => {
    handlers[frame.type]?.(frame);
    frameListeners.forEach((fn) => fn(frame));
    render();
  },
  onState: (s) => {
    state = s;
    banner.dataset.socket = s; // for tests and styles: is this tab reachable right now?
    stateListeners.forEach((fn) => fn(s));
  },
});

function isSupportToTake(c) {
  return supervisor && c.kind === "support" && c.state === "open" && c.requester.id !== me;
}

// ---- the banner -----------------------------------------------------------------------------

function buildBanner() {
  const section = document.createElement("section");
  section.className = "alert-banner";
  section.dataset.testid = "page-banner";
  section.setAttribute("aria-labelledby", "alert-banner-title");
  section.hidden = true;
  const title = document.createElement("h2");
  title.id = "alert-banner-title";
  title.tabIndex = -1; // focus lands here when a page arrives, so the buttons are one Tab away
  title.textContent = "Needs your answer";
  const list = document.createElement("ul");
  list.className = "alert-list";
  section.append(title, list);
  const header = document.querySelector("body > header");
  if (header) header.after(section); else document.body.prepend(section);
  return section;
}

function liveRegion(politeness, testid) {
  const region = document.createElement("div");
  region.className = "visually-hidden";
  region.setAttribute("aria-live", politeness);
  region.setAttribute("aria-atomic", "true");
  region.dataset.testid = testid;
  document.body.append(region);
  return region;
}

function announce(region, text) {
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50); // a change, even for the same words twice
}

function openPages() {
  return [...pages.values()].filter((p) => {
    const c = consults.get(p.consult_id);
    return !c || ACTIVE.includes(c.state);
  });
}

function render() {
  const shown = pagesShownElsewhere ? [] : openPages();
  const support = pagesShownElsewhere ? [] : [...consults.values()].filter(isSupportToTake);
  const list = banner.querySelector(".alert-list");
  const wasEmpty = banner.hidden;
  const hadFocus = banner.contains(document.activeElement);
  list.replaceChildren(
    ...shown.map((p) => renderPageCard(p, { deadline: consults.get(p.consult_id)?.escalate_at, onDone: answered })),
    ...support.map(renderSupportRequest),
    ...notices.map(renderNotice),
  );
  banner.hidden = list.children.length === 0;
  banner.classList.toggle("has-page", shown.length > 0);
  if (wasEmpty && shown.length) takeFocus();
  if (banner.hidden && hadFocus) giveFocusBack();
  markTitle(openPages().length + support.length);
}

function answered(page) {
  pages.delete(page.id);
  render();
}

// Focus moves to the banner when a page arrives, unless the user is typing (a message, a form):
// taking the caret away mid-sentence would lose words; the live region announces it either way.
function takeFocus() {
  const active = document.activeElement;
  if (active && active.matches("input, textarea, select, [contenteditable]")) return;
  focusBefore = active;
  banner.querySelector("h2").focus();
}

function giveFocusBack() {
  if (focusBefore && document.contains(focusBefore)) focusBefore.focus();
  focusBefore = null;
}

function markTitle(waiting) {
  document.title = waiting ? `(${waiting}) Page waiting · ${baseTitle}` : baseTitle;
}

function renderSupportRequest(c) {
  const li = document.createElement("li");
  li.className = "support-request";
  li.dataset.testid = "support-request";
  li.dataset.consult = c.id;
  const text = document.createElement("span");
  text.textContent = `Support request from ${c.requester.name} (${c.team.name})`;
  const take = document.createElement("button");
  take.type = "button";
  take.textContent = "Acknowledge";
  take.dataset.testid = "support-take";
  take.addEventListener("click", async () => {
    const result = await csrfPost(`/consults/${c.id}/ack/`);
    if (!result.ok) return alert(result.data.error?.message || "That did not work; try again.");
    consults.set(c.id, result.data.consult);
    location.assign(c.url);
  });
  li.append(text, take);
  return li;
}

function renderNotice(n) {
  const li = document.createElement("li");
  li.className = `notice notice-${n.kind}`;
  li.dataset.testid = n.kind;
  const link = document.createElement("a");
  link.href = n.url;
  link.textContent = n.text;
  link.addEventListener("click", () => dismiss(n.key));
  const close = document.createElement("button");
  close.type = "button";
  close.className = "link";
  close.textContent = "Dismiss";
  close.setAttribute("aria-label", `Dismiss: ${n.text}`);
  close.addEventListener("click", () => { dismiss(n.key); render(); });
  li.append(link, close);
  return li;
}

function addNotice(notice) {
  const known = notices.some((n) => n.key === notice.key);
  notices = [...notices.filter((n) => n.key !== notice.key), notice].slice(-10);
  saveNotices();
  if (!known) announce(liveNotices, notice.text);
}

function dismiss(key) {
  notices = notices.filter((n) => n.key !== key);
  saveNotices();
  localStorage.setItem(`${SEEN_KEY}${key}`, "1");
}

function loadNotices() {
  try {
    return JSON.parse(sessionStorage.getItem(NOTICES_KEY)) || [];
  } catch (e) {
    return [];
  }
}

function saveNotices() {
  sessionStorage.setItem(NOTICES_KEY, JSON.stringify(notices));
}

function supportTaken(c, { quiet = false } = {}) {
  const at = new Date(c.acknowledged_at).toLocaleTimeString();
  const text = `${c.acknowledged_by.name} took your support request at ${at}`;
  addNotice({ key: `support-${c.id}`, kind: "support-taken", url: c.url, text });
  if (!quiet) systemNotification(text, c.url);
}

// ---- sound, system notifications, the one-time question --------------------------------------

function ring(page) {
  if (socket.isOpen()) socket.send({ type: "page.seen", page_id: page.id });
  const text = `${pageHeadline(page)}. Please acknowledge.`;
  announce(livePages, text);
  beep();
  systemNotification(text, page.case ? `/cases/${page.case}/` : page.url, `page-${page.consult_id}`);
}

function ringSupport(c) {
  const text = `Support request from ${c.requester.name} (${c.team.name})`;
  announce(livePages, text);
  beep();
  systemNotification(text, c.url, `consult-${c.id}`);
}

function beep() {
  try {
    audio = audio || new AudioContext();
    audio.resume();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
  } catch (e) { /* no audio device */ }
}

// Browsers keep sound off until the user has interacted with the page: the first click or key
// on each page unlocks it, so a page that rings later is heard.
function unlockSound() {
  try {
    audio = audio || new AudioContext();
    audio.resume();
  } catch (e) { /* no audio device */ }
}
document.addEventListener("pointerdown", unlockSound, { once: true, capture: true });
document.addEventListener("keydown", unlockSound, { once: true, capture: true });

// A system notification carries the case code, urgency and a link only: it can show on a lock screen.
function systemNotification(text, url, tag) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const n = new Notification("Consult", { body: text, tag: tag || url, requireInteraction: Boolean(tag) });
  n.onclick = () => { window.focus(); location.assign(url); };
}

// Asked once, from a click (browsers ignore a permission request made without one); the answer is
// remembered, so the question does not come back on every page.
function offerNotifications() {
  if (!("Notification" in window) || Notification.permission !== "default" || localStorage.getItem(ALERTS_KEY)) return;
  const bar = document.createElement("div");
  bar.className = "alerts-offer";
  bar.dataset.testid = "alerts-offer";
  const text = document.createElement("span");
  text.textContent = "Pages ring on every page of Consult. Show them as system notifications too?";
  const allow = document.createElement("button");
  allow.type = "button";
  allow.textContent = "Allow notifications";
  allow.dataset.testid = "enable-alerts";
  const later = document.createElement("button");
  later.type = "button";
  later.className = "link";
  later.textContent = "Not now";
  later.dataset.testid = "alerts-later";
  const answer = (choice) => {
    localStorage.setItem(ALERTS_KEY, choice);
    bar.remove();
  };
  allow.addEventListener("click", async () => {
    unlockSound();
    const choice = await Notification.requestPermission();
    answer(choice);
  });
  later.addEventListener("click", () => answer("later"));
  bar.append(text, allow, later);
  banner.after(bar);
}

offerNotifications();
render();
socket.start();
