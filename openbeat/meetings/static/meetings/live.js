/* The PACT meeting's live page: polls the small JSON endpoint (ETag: mostly 304s), redraws the list of
   questions, and tells screen-reader users only what is new ("New answer to: ...") through the polite
   live region, never the whole list. No inline script: the page's CSP forbids it. */
(function () {
  "use strict";
  var root = document.querySelector("[data-module='meeting-live']");
  if (!root || !window.fetch) { return; }
  var list = root.querySelector("[data-live-list]");
  var empty = root.querySelector("[data-live-empty]");
  var announcer = document.getElementById("meeting-announcer");
  var url = root.getAttribute("data-url");
  var every = parseInt(root.getAttribute("data-poll-ms"), 10) || 5000;
  var label = function (name) { return root.getAttribute("data-label-" + name) || ""; };
  var watcher = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var answered = {};
  var version = null;

  Array.prototype.forEach.call(list.querySelectorAll("li[data-id]"), function (li) {
    if (li.getAttribute("data-answered")) { answered[li.getAttribute("data-id")] = true; }
  });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function shorten(text) {
    return text.length > 80 ? text.slice(0, 79) + "\u2026" : text;
  }

  function draw(data) {
    var fresh = [];
    var items = document.createDocumentFragment();
    data.questions.forEach(function (q) {
      var li = el("li");
      li.setAttribute("data-id", q.id);
      if (q.id === data.current) {
        li.className = "ob-meeting-live__current";
        li.appendChild(el("strong", "ob-tag", label("now")));
      }
      li.appendChild(el("p", "ob-meeting-live__text", q.text));
      li.appendChild(el("p", "ob-hint", label("asked") + " " + q.name + " \u00b7 " + q.votes + " " + label("votes")));
      if (q.answered) {
        li.setAttribute("data-answered", "1");
        var box = el("div", "ob-inset-text");
        box.appendChild(el("p", "", q.answer || label("answered")));
        li.appendChild(box);
        if (!answered[q.id]) { fresh.push(q); answered[q.id] = true; }
      }
      items.appendChild(li);
    });
    list.replaceChildren(items);
    empty.hidden = data.questions.length > 0;
    if (fresh.length) {
      announcer.textContent = fresh.map(function (q) { return label("answer") + " " + shorten(q.text); }).join(". ");
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json", "X-Watcher": watcher }, credentials: "omit" })
      .then(function (response) {
        if (response.status !== 200) { return null; }
        return response.json();
      })
      .then(function (data) {
        if (data && data.version !== version) { version = data.version; draw(data); }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
