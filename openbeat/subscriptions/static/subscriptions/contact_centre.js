// The error summary takes focus on load, as GOV.UK's does, so a screen reader reads it first.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
