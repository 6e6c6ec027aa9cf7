// The board report's build page: polls the build's status until it is ready or failed, then shows the link.
(function () {
  "use strict";
  var root = document.getElementById("ob-report-build");
  if (!root || root.dataset.finished === "true") {
    return;
  }
  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }
  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        field("status_label").textContent = status.status_label;
        if (!status.finished) {
          window.setTimeout(poll, 2000);
          return;
        }
        field("building").hidden = true;
        field("error").textContent = status.error;
        field("error").hidden = !status.error;
        field("download").hidden = !status.ready;
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  poll();
})();
