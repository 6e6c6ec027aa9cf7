// What every back-office progress page shares (imports: import_progress.js; survey exports:
// surveys/staff/export_progress.js; an alert's sending: delivery/progress.js; a board report's build:
// insights/report_build.js): poll the job's status URL every second until it has finished, and fill in
// the page's fields. Each page's own script says how its status is shown. No inline script (CSP).
window.OpenBeatProgress = (function () {
  "use strict";
  var finished = { done: true, failed: true };

  function field(root, name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  return {
    field: field,

    setText: function (root, name, value) {
      var element = field(root, name);
      if (element && element.textContent !== String(value)) element.textContent = String(value);
    },

    setBar: function (bar, done, total) {
      bar.max = Math.max(total, 1);
      bar.value = done;
      bar.textContent = done + " of " + total;
    },

    // render(status) draws one answer, and the root's data-state follows the job's state. Options: `every`
    // (ms between polls, default 1000), `more(status)` (poll again? default: the state is not done or failed)
    // and `running` (poll at all? default: the page's data-state is not done or failed).
    watch: function (root, render, options) {
      options = options || {};
      var every = options.every || 1000;
      var more =
        options.more ||
        function (status) {
          return !finished[status.state];
        };
      var url = root.getAttribute("data-status-url");
      function poll() {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
          .then(function (response) {
            if (!response.ok) throw new Error("status " + response.status);
            return response.json();
          })
          .then(function (status) {
            render(status);
            if (status.state) root.setAttribute("data-state", status.state);
            if (more(status)) window.setTimeout(poll, every);
          })
          .catch(function () {
            // A dropped connection: try again a little later rather than give up.
            window.setTimeout(poll, every * 3);
          });
      }
      var running = "running" in options ? options.running : !finished[root.getAttribute("data-state")];
      if (running) window.setTimeout(poll, options.now ? 0 : every);
    },
  };
})();
