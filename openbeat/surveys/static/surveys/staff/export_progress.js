// Live progress of a survey export (surveys/exporting.py): polls its status every second until it has finished,
// then shows the download link. The page is surveys/staff/export.html. No inline script (CSP).
(function () {
  "use strict";
  var root = document.getElementById("ob-survey-export");
  if (!root) return;
  var url = root.getAttribute("data-status-url");
  var bar = document.getElementById("ob-survey-export-bar");
  var finished = { done: true, failed: true };

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function render(status) {
    field("state_label").textContent = status.state_label;
    field("done").textContent = String(status.done);
    field("total").textContent = String(status.total);
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    bar.textContent = status.done + " of " + status.total;
    var error = field("error");
    error.textContent = status.error;
    error.hidden = !status.error;
    field("download").hidden = !status.ready;
    root.setAttribute("data-state", status.state);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        render(status);
        if (!finished[status.state]) window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  if (!finished[root.getAttribute("data-state")]) window.setTimeout(poll, 1000);
})();
