// Live sending progress of an alert: polls the progress endpoint every 2 s (core's progress.js) until every
// delivery is final.
(function () {
  "use strict";
  var root = document.getElementById("ob-delivery-progress");
  if (!root) return;
  var progress = window.OpenBeatProgress;
  var bar = document.getElementById("ob-delivery-bar");
  var format = new Intl.NumberFormat("en-GB");
  // Alerts that have not started sending yet keep polling too, so the bar moves once they do.
  var waiting = { approved: true, sending: true };

  function render(p) {
    ["queued", "sending", "delivered", "failed"].forEach(function (name) {
      progress.setText(root, name, format.format(p[name]));
    });
    progress.setBar(bar, p.done, p.total);
    // Only the sentence in the live region changes, so screen readers hear one short update at a time.
    var text = format.format(p.done) + " of " + format.format(p.total) + " finished";
    if (p.finished && p.total) text += ": sending is complete";
    progress.setText(root, "summary", text + ".");
  }

  function more(p) {
    if (p.total && p.finished) return false;
    return p.total > 0 || waiting[p.alert_state] === true;
  }

  progress.watch(root, render, { every: 2000, more: more, now: true, running: root.dataset.finished !== "true" });
})();
