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

  // Links styled as buttons (role="button", e.g. "Start now") act on Space as a button does, as GOV.UK's
  // button script makes them; Enter already follows the link. Space must not also scroll the page.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== " " || !target.matches || !target.matches("a[role='button']")) { return; }
    event.preventDefault();
    target.click();
  });

  // The header's navigation on narrow screens: the list folds behind a Menu button (GOV.UK service navigation).
  // Without this script the button stays hidden and the list is shown.
  var nav = document.querySelector("[data-module='ob-navigation']");
  var toggle = nav && nav.querySelector("button[aria-controls]");
  var list = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (list && window.matchMedia) {
    var header = nav.closest(".ob-header");
    var wide = window.matchMedia("(min-width: 40.0625em)");
    var open = false;
    var sync = function () {
      var folded = !wide.matches;
      toggle.hidden = !folded;
      list.hidden = folded && !open;
      toggle.setAttribute("aria-expanded", folded && open ? "true" : "false");
      if (header) { header.classList.toggle("ob-header--menu", folded); }
    };
    toggle.addEventListener("click", function () {
      open = !open;
      sync();
    });
    if (wide.addEventListener) { wide.addEventListener("change", sync); } else if (wide.addListener) { wide.addListener(sync); }
    sync();
  }
})();
