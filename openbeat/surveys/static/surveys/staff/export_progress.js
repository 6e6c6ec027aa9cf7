// Live progress of a survey export (surveys/exporting.py), on surveys/staff/export.html: the download link
// appears once it is ready. The polling is core's progress.js.
(function () {
  "use strict";
  var root = document.getElementById("ob-survey-export");
  if (!root) return;
  var progress = window.OpenBeatProgress;
  var bar = document.getElementById("ob-survey-export-bar");

  progress.watch(root, function (status) {
    ["state_label", "done", "total"].forEach(function (name) {
      progress.setText(root, name, status[name]);
    });
    progress.setBar(bar, status.done, status.total);
    var error = progress.field(root, "error");
    error.textContent = status.error;
    error.hidden = !status.error;
    progress.field(root, "download").hidden = !status.ready;
  });
})();
