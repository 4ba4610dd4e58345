// Anwei's service worker: the app shell (static files) in a versioned cache, and the few form pages marked
// "Anwei-Offline" kept to open them again without a network. No other page, list or record is kept.
// Every cache is dropped when the page says the person signed out or changed ({type: "clear"}).
"use strict";
const VERSION = "{{ version }}";
const SHELL_CACHE = "anwei-shell-" + VERSION;
const PAGE_CACHE = "anwei-pages-" + VERSION;
const SHELL = {{ shell|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL_CACHE && n !== PAGE_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear") {
    event.waitUntil(caches.keys().then((names) => Promise.all(names.map((n) => caches.delete(n)))));
  }
});

// Background Sync where the browser has it: wake an open page to send its queue (the queue is the page's).
self.addEventListener("sync", (event) => {
  if (event.tag === "anwei-queue") {
    event.waitUntil(self.clients.matchAll({ type: "window" }).then((all) => all.forEach((c) => c.postMessage({ type: "send" }))));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.open(SHELL_CACHE).then((cache) =>
        cache.match(request).then((hit) => hit || fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        }))
      )
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok && response.headers.get("Anwei-Offline") === "1") {
          const copy = response.clone();
          caches.open(PAGE_CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      }).catch(() => caches.open(PAGE_CACHE).then((cache) => cache.match(url.pathname)).then((hit) => hit || Response.error()))
    );
  }
});
