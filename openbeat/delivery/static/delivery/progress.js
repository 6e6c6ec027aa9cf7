// Live sending progress of an alert: polls the progress endpoint every 2 s until every delivery is final.
(function () {
  "use strict";
  var root = document.getElementById("ob-delivery-progress");
  if (!root) return;
  var url = root.getAttribute("data-progress-url");
  var bar = document.getElementById("ob-delivery-bar");
  var summary = root.querySelector('[data-field="summary"]');
  var format = new Intl.NumberFormat("en-GB");
  // Alerts that have not started sending yet keep polling too, so the bar moves once they do.
  var waiting = { approved: true, sending: true };

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  function render(p) {
    ["queued", "sending", "delivered", "failed"].forEach(function (name) {
      setText(root.querySelector('[data-field="' + name + '"]'), format.format(p[name]));
    });
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    setText(bar, p.done + " of " + p.total);
    // Only the sentence in the live region changes, so screen readers hear one short update at a time.
    var text = format.format(p.done) + " of " + format.format(p.total) + " finished";
    if (p.finished && p.total) text += ": sending is complete";
    setText(summary, text + ".");
  }

  function keepPolling(p) {
    if (p.total && p.finished) return false;
    return p.total > 0 || waiting[p.alert_state] === true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (p) {
        render(p);
        if (keepPolling(p)) window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  if (root.getAttribute("data-finished") !== "true") poll();
})();
