// Consult's service worker (shell {{ version }}). It caches the shell only: the stylesheet, the
// shell script, icons and the offline page. Pages and API answers carry clinical content and are
// never put in a cache; a navigation goes to the network and falls back to the offline page.
const CACHE = "consult-shell-{{ version }}";
{% autoescape off %}const OFFLINE_URL = {{ offline_url }};
const SHELL = {{ shell }};{% endautoescape %}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("consult-shell-") && n !== CACHE)
      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  const url = new URL(request.url);
  if (url.origin === self.location.origin && SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
  }
});
