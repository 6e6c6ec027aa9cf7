// The board report's build page: polls the build's status (core's progress.js) until it is ready or failed,
// then shows the link.
(function () {
  "use strict";
  var root = document.getElementById("ob-report-build");
  if (!root) return;
  var progress = window.OpenBeatProgress;

  function render(status) {
    progress.setText(root, "status_label", status.status_label);
    if (!status.finished) return;
    progress.field(root, "building").hidden = true;
    var error = progress.field(root, "error");
    error.textContent = status.error;
    error.hidden = !status.error;
    progress.field(root, "download").hidden = !status.ready;
  }

  progress.watch(root, render, {
    every: 2000,
    now: true,
    running: root.dataset.finished !== "true",
    more: function (status) {
      return !status.finished;
    },
  });
})();
