// Live progress of a back-office import (core/imports.py): polls the job's status every second until it has
// finished. The page is core/staff/import_progress.html; the JSON is an ImportProgress.
(function () {
  "use strict";
  var root = document.getElementById("ob-import");
  if (!root) return;
  var url = root.getAttribute("data-status-url");
  var bar = document.getElementById("ob-import-bar");
  var finished = { done: true, failed: true };

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function setText(name, value) {
    var element = field(name);
    if (element && element.textContent !== String(value)) element.textContent = String(value);
  }

  function render(status) {
    ["state_label", "processed", "total", "created", "unchanged", "error_count"].forEach(function (name) {
      setText(name, status[name]);
    });
    bar.max = Math.max(status.total, 1);
    bar.value = status.processed;
    bar.textContent = status.processed + " of " + status.total;
    var failure = field("failure");
    failure.textContent = status.failure;
    failure.hidden = !status.failure;
    var list = field("errors");
    // Only what is new is added: the list keeps the file's order, and text never becomes markup.
    for (var i = list.children.length; i < status.errors.length; i++) {
      var item = document.createElement("li");
      item.textContent = status.errors[i];
      list.appendChild(item);
    }
    field("no_errors").hidden = status.errors.length > 0;
    field("more_errors").hidden = status.error_count <= status.errors.length;
    setText("more_errors", "The first " + status.errors.length + " are shown.");
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
        // A dropped connection: try again a little later rather than give up.
        window.setTimeout(poll, 3000);
      });
  }

  if (!finished[root.getAttribute("data-state")]) window.setTimeout(poll, 1000);
})();
