// Progressive enhancement for the public frame. Nothing here is needed to use a page.
(function () {
  "use strict";
  // Error summary: move focus to it so screen readers announce the problem (GOV.UK pattern).
  var summary = document.querySelector("[data-module='error-summary']");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var group = input.closest(".ob-form-group");
      var legendOrLabel = group && (group.querySelector("legend") || group.querySelector("label"));
      (legendOrLabel || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }
})();
