// A websocket that comes back by itself: exponential backoff with jitter, a heartbeat to notice
// a dead link, and the browser's offline/online events so nothing is sent into a dead socket.
import { goToSignIn } from "./sign_in.js";

const CLOSE_SESSION_ENDED = 4001;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_BAD_REQUEST = 4400; // our own URL was refused: the same URL would be refused again
const CLOSE_RATE_LIMITED = 4429; // we sent too fast: come back, but not at once
const HEARTBEAT_MS = 25000;
const RELOAD_AFTER_ACCESS_LOST_MS = 3000;
const LIVE_RESYNC_SPREAD_MS = 5000;

export class RoomSocket {
  constructor({ url, onFrame, onState, onLive = () => {} }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onState = onState;
    this.onLive = onLive;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.timer = null;
    window.addEventListener("offline", () => this.drop("offline"));
    window.addEventListener("online", () => this.reconnectNow());
  }

  start() {
    this.connect();
    setInterval(() => this.isOpen() && this.send({ type: "ping" }), HEARTBEAT_MS);
  }

  isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped || !navigator.onLine) {
      if (!navigator.onLine) this.onState("offline");
      return;
    }
    this.onState("connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onState("open");
    };
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "degraded") return this.onState("degraded");
      if (frame.type === "live") return this.backLive(ws);
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return; // an old socket we already gave up on
      this.ws = null;
      if (event.code === CLOSE_SESSION_ENDED) return this.signedOut();
      if (event.code === CLOSE_FORBIDDEN) return this.accessLost();
      if (event.code === CLOSE_BAD_REQUEST) return this.stop("failed");
      if (event.code === CLOSE_RATE_LIMITED) this.attempt = Math.max(this.attempt, 4); // about 8 s
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    this.onState(navigator.onLine ? "connecting" : "offline");
    const delay = Math.min(10000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  drop(state) {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
    this.onState(state);
  }

  // Live delivery is back after a server-side outage, on this same socket: the page fetches at
  // once what matters most (the room: messages after the last seq it showed), and a fresh
  // handshake within a random few seconds brings everything else. Spread out, so every client
  // of a restarted Redis does not hand the servers its handshake in the same second.
  backLive(ws) {
    this.onState("open");
    this.onLive();
    setTimeout(() => this.resync(ws), Math.random() * LIVE_RESYNC_SPREAD_MS);
  }

  resync(ws) {
    if (this.ws !== ws) return;
    this.ws = null;
    ws.close();
    this.attempt = 0;
    this.connect();
  }

  reconnectNow() {
    this.attempt = 0;
    if (!this.ws) this.connect();
  }

  // Access was taken away (removed from a team, role changed, account deactivated): say so, then
  // load the page again, where the server decides afresh what this user may still see.
  accessLost() {
    this.stop("forbidden");
    setTimeout(() => location.reload(), RELOAD_AFTER_ACCESS_LOST_MS);
  }

  // Signed out (here, in another tab, or by an administrator): nothing of the page may stay on
  // screen; the server answers the sign-in page.
  signedOut() {
    this.stop("ended");
    goToSignIn();
  }

  stop(state) {
    this.stopped = true;
    this.onState(state);
  }
}
