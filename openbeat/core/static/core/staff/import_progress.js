// Live progress of a back-office import (core/imports.py), on core/staff/import_progress.html; the JSON is an
// ImportProgress. The polling is progress.js's.
(function () {
  "use strict";
  var root = document.getElementById("ob-import");
  if (!root) return;
  var progress = window.OpenBeatProgress;
  var bar = document.getElementById("ob-import-bar");

  progress.watch(root, function (status) {
    ["state_label", "processed", "total", "created", "unchanged", "error_count"].forEach(function (name) {
      progress.setText(root, name, status[name]);
    });
    progress.setBar(bar, status.processed, status.total);
    var failure = progress.field(root, "failure");
    failure.textContent = status.failure;
    failure.hidden = !status.failure;
    var list = progress.field(root, "errors");
    // Only what is new is added: the list keeps the file's order, and text never becomes markup.
    for (var i = list.children.length; i < status.errors.length; i++) {
      var item = document.createElement("li");
      item.textContent = status.errors[i];
      list.appendChild(item);
    }
    progress.field(root, "no_errors").hidden = status.errors.length > 0;
    progress.field(root, "more_errors").hidden = status.error_count <= status.errors.length;
    progress.setText(root, "more_errors", "The first " + status.errors.length + " are shown.");
  });
})();
