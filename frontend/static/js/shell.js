// What every page shares: the phone menu, panels that start folded on a phone, the service
// worker, and never showing a signed-out person a page kept in the back/forward cache.
const PHONE = window.matchMedia("(max-width: 760px)");

function bindMenu() {
  const topbar = document.querySelector("[data-testid=topbar]");
  const toggle = topbar?.querySelector(".nav-toggle");
  if (!toggle) return;
  // Without this script the menu simply stays open: the collapsing is only switched on here.
  topbar.dataset.menu = "closed";
  toggle.hidden = false;
  const set = (open) => {
    topbar.dataset.menu = open ? "open" : "closed";
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => set(topbar.dataset.menu !== "open"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && topbar.dataset.menu === "open") {
      set(false);
      toggle.focus();
    }
  });
}

// Side panels (a room's consults and records) open on a desktop and start folded on a phone, so
// the thread and the composer come first on a small screen.
function foldPanels() {
  if (!PHONE.matches) return;
  document.querySelectorAll("details[data-fold-on-phone]").forEach((panel) => (panel.open = false));
}

// A page restored from the back/forward cache after sign-out would show clinical content the
// server no longer would: ask the server again (it answers a signed-out person with the login).
window.addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});

// The service worker caches only the shell (CSS, JS, icons, the offline page); see sw.js.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

// A step that cannot be undone asks first: <form data-confirm="Remove …?">. Capture phase, so a
// page's own submit handler never runs for a step the user called off.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A short success message after an action done without a page load, read out by screen readers
// (the region is in every page from the start, so the change is announced).
export function announce(text) {
  const flash = document.getElementById("flash");
  if (!flash) return;
  const line = document.createElement("p");
  line.textContent = text;
  flash.replaceChildren(line);
}

// The same message, kept for the page that a reload brings (sessionStorage: this tab only).
export function announceAfterReload(text) {
  sessionStorage.setItem("consult.flash", text);
  location.reload();
}

function showPendingFlash() {
  const text = sessionStorage.getItem("consult.flash");
  if (text === null) return;
  sessionStorage.removeItem("consult.flash");
  announce(text);
}

bindMenu();
showPendingFlash();
foldPanels();
