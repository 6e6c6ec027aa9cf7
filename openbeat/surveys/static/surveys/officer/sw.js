/* The officer's survey app's service worker (served from /officer/surveys/sw.js with OB_CONFIG prepended: the
   cache's versioned name and the app shell's addresses). The shell is cached on install; the app page is fetched
   from the network first (so an update arrives) and from the cache without a signal; the API is never cached. */
/* global OB_CONFIG */
"use strict";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(OB_CONFIG.cache).then(function (cache) { return cache.addAll(OB_CONFIG.shell); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("openbeat-officer-") === 0 && name !== OB_CONFIG.cache;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/officer/surveys/api/") === 0) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      if (response.ok) caches.open(OB_CONFIG.cache).then(function (cache) { cache.put("./", copy); });
      return response;
    }).catch(function () {
      return caches.match("./", { cacheName: OB_CONFIG.cache });
    }));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: OB_CONFIG.cache }).then(function (cached) {
    return cached || fetch(request);
  }));
});
