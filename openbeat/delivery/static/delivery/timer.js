// The urgent replies' "waiting N min" timers count on while the page is open, so a reply left on screen
// never shows a wait shorter than the real one. The server renders the first value (it works without
// JavaScript); this only moves it on. Not a live region: a screen reader would be interrupted every minute.
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-waiting-since]").forEach(function (timer) {
      var since = Date.parse(timer.getAttribute("data-waiting-since"));
      if (isNaN(since)) { return; }
      var minutes = Math.max(0, Math.floor((now - since) / 60000));
      var words = timer.getAttribute("data-waiting-words") || "waiting {n} min";
      timer.textContent = words.replace("{n}", String(minutes));
    });
  }
  tick();
  window.setInterval(tick, 15000);
})();
