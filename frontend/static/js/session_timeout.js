// Automatic logoff, seen from the browser: ask the server when this session ends (asking is not
// activity), warn a minute before with "Stay signed in", and go to sign-in when it has ended.
// The server decides; this page only shows it. Activity elsewhere (another tab, a message
// sent on a socket) moves the deadline, so it is read again before warning and at the end.
import { goToSignIn } from "./sign_in.js";

const box = document.getElementById("session-warning");
const left = document.getElementById("session-warning-left");
const form = document.getElementById("session-extend");
const RETRY_MS = 5000;
const WARNING_TICK_MS = 1000;
let timer = null;

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(check, Math.max(250, ms));
}

function signIn() {
  goToSignIn(box.dataset.loginUrl);
}

function show(secondsLeft) {
  left.textContent = secondsLeft > 1 ? `${Math.ceil(secondsLeft)} seconds` : "a moment";
  box.hidden = false;
}

async function status(init = { cache: "no-store" }, url = box.dataset.statusUrl) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, ...init });
  if (response.status === 401 || response.status === 403) return null;
  if (!response.ok) throw new Error(`session status ${response.status}`);
  return response.json();
}

function follow(state) {
  if (state === null || state.seconds_left <= 0) return signIn();
  if (state.seconds_left <= state.warn_seconds) {
    show(state.seconds_left);
    return schedule(Math.min(WARNING_TICK_MS, state.seconds_left * 1000));
  }
  box.hidden = true;
  schedule((state.seconds_left - state.warn_seconds) * 1000);
}

async function check() {
  try {
    follow(await status());
  } catch {
    schedule(RETRY_MS); // offline or a server hiccup: ask again soon
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    follow(await status({ method: "POST", body: new FormData(form) }, form.action));
  } catch {
    schedule(RETRY_MS);
  }
});

check();
