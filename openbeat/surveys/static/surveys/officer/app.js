/* The officer's survey app (a progressive web app): set up with a one-time code, lock with a PIN, download the
   assigned surveys, take answers with no signal, keep them encrypted in IndexedDB, and send them when online.
   Every response carries a client-made UUID, so a batch sent again (after a lost connection) stores nothing twice:
   a record is deleted only once the server has answered stored, duplicate or conflict for it. */
(function () {
  "use strict";
  var root = document.querySelector("[data-officer-app]");
  if (!root) return;
  var API = root.getAttribute("data-api");
  var BATCH = 20;
  var GRID_LABELS = { 1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree" };
  var SCALES = { scale5: [1, 5], scale10: [0, 10] };
  var state = { key: null, token: null, surveys: [], current: null, syncing: false, revoked: null };
  var store = window.obStore;
  var sealer = window.obCrypto;

  function $(id) { return document.getElementById(id); }

  function show(view) {
    ["setup", "unlock", "home", "form"].forEach(function (name) { $("view-" + name).hidden = name !== view; });
    var heading = $("view-" + view).querySelector("h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function message(text) {
    $("message-text").textContent = text || "";
    $("message").hidden = !text;
  }

  function connection() {
    $("connection").textContent = navigator.onLine ? "Online." : "Offline: answers are kept on this phone and sent when you are back online.";
  }

  function uuid4() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = sealer.randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function api(path, options) {
    options = options || {};
    var headers = { "Accept": "application/json" };
    if (state.token) headers["Authorization"] = "Bearer " + state.token;
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch(API + path, { method: options.method || "GET", headers: headers, body: options.body, credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
      });
  }

  function refusedByServer(result) {
    if (result.status === 401 || result.status === 403) {
      state.revoked = result.body.message || "This phone can no longer send answers. Speak to your supervisor.";
      store.put("meta", state.revoked, "revoked");
      message(state.revoked);
      renderHome();
      return true;
    }
    return false;
  }

  // Setting up and unlocking

  function setup(event) {
    event.preventDefault();
    var code = $("setup-code").value, pin = $("setup-pin").value, pin2 = $("setup-pin2").value;
    if (!/^\d{6,}$/.test(pin)) { message("Choose a PIN of at least 6 digits."); $("setup-pin").focus(); return; }
    if (pin !== pin2) { message("The two PINs are not the same."); $("setup-pin2").focus(); return; }
    api("setup/", { method: "POST", body: JSON.stringify({ code: code }) }).then(function (result) {
      if (result.status !== 200) { message(result.body.message || "The phone could not be set up."); $("setup-code").focus(); return null; }
      var salt = sealer.randomBytes(16);
      return sealer.deriveKey(pin, salt).then(function (key) {
        return sealer.seal(key, { token: result.body.token }).then(function (sealed) {
          return store.put("meta", { salt: salt, iv: sealed.iv, ciphertext: sealed.ciphertext, device: result.body.device }, "device");
        }).then(function () {
          state.key = key; state.token = result.body.token; state.revoked = null;
          return store.remove("meta", "revoked");
        });
      }).then(function () {
        message("");
        return download().then(renderHome).then(function () { show("home"); });
      });
    }).catch(function () { message("No connection: set the phone up where there is a signal."); });
  }

  function unlock(event) {
    event.preventDefault();
    var pin = $("unlock-pin").value;
    store.get("meta", "device").then(function (device) {
      return sealer.deriveKey(pin, device.salt).then(function (key) {
        return sealer.open(key, device).then(function (value) {
          state.key = key; state.token = value.token; $("unlock-pin").value = "";
          message("");
          return loadSurveys().then(renderHome).then(function () {
            show("home");
            if (navigator.onLine && !state.revoked) { download().then(renderHome).then(sync); }
          });
        });
      });
    }).catch(function () { message("That PIN is not right."); $("unlock-pin").focus(); });
  }

  function lock() {
    state.key = null; state.token = null; state.current = null;
    show("unlock");
  }

  // Surveys

  function loadSurveys() {
    return store.all("surveys").then(function (surveys) { state.surveys = surveys || []; });
  }

  function download() {
    if (state.revoked) return Promise.resolve();
    return api("assigned/").then(function (result) {
      if (refusedByServer(result)) return;
      if (result.status !== 200) return;
      state.surveys = result.body.surveys;
      return store.replaceAll("surveys", result.body.surveys);
    }).catch(function () { return loadSurveys(); });
  }

  function renderHome() {
    var list = $("survey-list");
    list.textContent = "";
    state.surveys.forEach(function (survey) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button"; button.className = "ob-button ob-button--secondary";
      button.textContent = "Start: " + survey.title;
      button.addEventListener("click", function () { startForm(survey); });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (!state.surveys.length) {
      var none = document.createElement("li");
      none.textContent = "No survey is assigned to you yet.";
      list.appendChild(none);
    }
    $("send-now").hidden = !!state.revoked;
    if (state.revoked) message(state.revoked);
    return store.all("pending").then(function (pending) {
      var refused = pending.filter(function (r) { return r.refused; }).length;
      var text = pending.length === 0 ? "No answers waiting to be sent." :
        (pending.length === 1 ? "1 set of answers" : pending.length + " sets of answers") + " waiting to be sent.";
      if (refused) text += " " + refused + " could not be accepted: speak to your supervisor.";
      $("pending").textContent = text;
      $("pending").setAttribute("data-pending", String(pending.length));
    });
  }

  // The form

  function chosenOptions(definition, answers) {
    var chosen = {};
    var shown = [];
    definition.sections.forEach(function (section) {
      if (!(section.conditions || []).every(function (o) { return chosen[o]; })) return;
      section.questions.forEach(function (question) {
        if (!(question.conditions || []).every(function (o) { return chosen[o]; })) return;
        shown.push(question.id);
        var value = answers[String(question.id)];
        if (question.kind === "single" && value !== undefined) chosen[value] = true;
        if (question.kind === "multiple" && value) value.forEach(function (o) { chosen[o] = true; });
      });
    });
    return shown;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function choiceList(question, type, choices) {
    var fieldset = el("fieldset", { "class": "ob-fieldset" });
    var legend = el("legend", { "class": "ob-fieldset__legend ob-label" }, question.text + (question.required ? "" : " (optional)"));
    fieldset.appendChild(legend);
    if (question.hint) fieldset.appendChild(el("div", { "class": "ob-hint" }, question.hint));
    choices.forEach(function (choice, index) {
      var id = "q" + question.id + "-" + index;
      var item = el("div", { "class": type === "radio" ? "ob-radios__item" : "ob-checkboxes__item" });
      var input = el("input", { "class": type === "radio" ? "ob-radios__input" : "ob-checkboxes__input", type: type, id: id, name: "q" + question.id, value: String(choice.value) });
      item.appendChild(input);
      item.appendChild(el("label", { "class": "ob-label ob-option-label", "for": id }, choice.label));
      fieldset.appendChild(item);
    });
    return fieldset;
  }

  function questionNode(question) {
    var group = el("div", { "class": "ob-form-group", "data-question": String(question.id) });
    var kind = question.kind;
    var errorId = "q" + question.id + "-error";
    group.appendChild(el("p", { "class": "ob-error-message", id: errorId, hidden: "" }));
    if (kind === "single" || kind === "multiple") {
      group.appendChild(choiceList(question, kind === "single" ? "radio" : "checkbox",
        question.options.map(function (o) { return { value: o.id, label: o.label }; })));
    } else if (kind === "scale5" || kind === "scale10") {
      var range = SCALES[kind], choices = [];
      for (var n = range[0]; n <= range[1]; n++) choices.push({ value: n, label: String(n) });
      group.appendChild(choiceList(question, "radio", choices));
    } else if (kind === "grid") {
      var outer = el("fieldset", { "class": "ob-fieldset" });
      outer.appendChild(el("legend", { "class": "ob-fieldset__legend ob-label" }, question.text));
      question.options.forEach(function (statement) {
        var inner = choiceList({ id: question.id + "-" + statement.id, text: statement.label, required: true }, "radio",
          [1, 2, 3, 4, 5].map(function (v) { return { value: v, label: GRID_LABELS[v] }; }));
        outer.appendChild(inner);
      });
      group.appendChild(outer);
    } else {
      var id = "q" + question.id;
      group.appendChild(el("label", { "class": "ob-label", "for": id }, question.text + (question.required ? "" : " (optional)")));
      if (question.hint) group.appendChild(el("div", { "class": "ob-hint" }, question.hint));
      var input = kind === "text" ? el("textarea", { "class": "ob-textarea", id: id, name: id, rows: "4" })
        : el("input", { "class": "ob-input ob-input--width-10", id: id, name: id, type: "text", autocomplete: "off" });
      group.appendChild(input);
    }
    return group;
  }

  function readAnswers(definition) {
    var form = $("answer-form"), answers = {};
    definition.sections.forEach(function (section) {
      section.questions.forEach(function (question) {
        var name = "q" + question.id, key = String(question.id);
        if (question.kind === "single" || question.kind === "scale5" || question.kind === "scale10") {
          var checked = form.querySelector("input[name='" + name + "']:checked");
          if (checked) answers[key] = parseInt(checked.value, 10);
        } else if (question.kind === "multiple") {
          var values = Array.prototype.map.call(form.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return parseInt(i.value, 10); });
          if (values.length) answers[key] = values.sort(function (a, b) { return a - b; });
        } else if (question.kind === "grid") {
          var grid = {};
          question.options.forEach(function (statement) {
            var c = form.querySelector("input[name='" + name + "-" + statement.id + "']:checked");
            if (c) grid[String(statement.id)] = parseInt(c.value, 10);
          });
          if (Object.keys(grid).length) answers[key] = grid;
        } else {
          var field = $(name);
          if (field && field.value.trim()) answers[key] = field.value.trim();
        }
      });
    });
    return answers;
  }

  function applyConditions() {
    var survey = state.current;
    var shown = chosenOptions(survey.definition, readAnswers(survey.definition));
    Array.prototype.forEach.call(document.querySelectorAll("[data-question]"), function (group) {
      group.hidden = shown.indexOf(parseInt(group.getAttribute("data-question"), 10)) === -1;
    });
    return shown;
  }

  function startForm(survey) {
    state.current = survey;
    message("");
    $("form-title").textContent = survey.title;
    $("form-privacy").textContent = survey.privacy_notice;
    $("form-errors").hidden = true;
    var container = $("questions");
    container.textContent = "";
    survey.definition.sections.forEach(function (section) {
      section.questions.forEach(function (question) { container.appendChild(questionNode(question)); });
    });
    $("answer-form").reset();
    applyConditions();
    show("form");
  }

  function missing(question, value) {
    if (value === undefined) return question.kind === "multiple" ? "Choose at least one answer" :
      (question.kind === "text" ? "Enter an answer" : (question.kind === "postcode" ? "Enter the postcode" : "Choose an answer"));
    if (question.kind === "grid" && Object.keys(value).length < question.options.length) return "Choose an answer for each statement";
    return null;
  }

  function showErrors(problems) {
    var list = $("form-errors-list");
    list.textContent = "";
    Array.prototype.forEach.call(document.querySelectorAll("[data-question]"), function (group) {
      group.classList.remove("ob-form-group--error");
      var p = group.querySelector(".ob-error-message"); p.hidden = true; p.textContent = "";
    });
    problems.forEach(function (problem) {
      var group = document.querySelector("[data-question='" + problem.id + "']");
      var target = group.querySelector("input, textarea");
      var item = el("li"), link = el("a", { href: "#" + target.id }, problem.text);
      link.addEventListener("click", function (event) { event.preventDefault(); target.focus(); });
      item.appendChild(link); list.appendChild(item);
      group.classList.add("ob-form-group--error");
      var p = group.querySelector(".ob-error-message");
      p.hidden = false; p.textContent = "";
      p.appendChild(el("span", { "class": "ob-visually-hidden" }, "Error: "));
      p.appendChild(document.createTextNode(problem.text));
    });
    $("form-errors").hidden = problems.length === 0;
    if (problems.length) $("form-errors").focus();
  }

  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve({ consent: true, latitude: p.coords.latitude, longitude: p.coords.longitude }); },
        function () { resolve(null); },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  function save(event) {
    event.preventDefault();
    var survey = state.current, definition = survey.definition;
    var answers = readAnswers(definition), shown = applyConditions(), kept = {}, problems = [];
    definition.sections.forEach(function (section) {
      section.questions.forEach(function (question) {
        if (shown.indexOf(question.id) === -1) return;
        var value = answers[String(question.id)];
        if (value !== undefined) kept[String(question.id)] = value;
        var problem = question.required ? missing(question, value) : null;
        if (problem) problems.push({ id: question.id, text: question.text + ": " + problem });
      });
    });
    showErrors(problems);
    if (problems.length) return;
    var consent = $("consent-location").checked;
    (consent ? position() : Promise.resolve(null)).then(function (location) {
      var record = { survey: survey.id, version: survey.version, answers: kept, submitted_at: new Date().toISOString(), location: location };
      return sealer.seal(state.key, record).then(function (sealed) {
        return store.put("pending", { client_id: uuid4(), survey: survey.id, iv: sealed.iv, ciphertext: sealed.ciphertext });
      });
    }).then(function () {
      state.current = null;
      return renderHome();
    }).then(function () {
      show("home");
      message("Answers saved on this phone." + (consent ? "" : " No location was recorded."));
      if (navigator.onLine) sync();
    });
  }

  // Sending

  function sync() {
    if (state.syncing || !state.key || state.revoked) return Promise.resolve();
    state.syncing = true;
    return store.all("pending").then(function (pending) {
      var waiting = pending.filter(function (r) { return !r.refused; });
      var chain = Promise.resolve(true);
      for (var start = 0; start < waiting.length; start += BATCH) {
        (function (batch) {
          chain = chain.then(function (goOn) { return goOn ? sendBatch(batch) : false; });
        })(waiting.slice(start, start + BATCH));
      }
      return chain;
    }).catch(function () {
      message("The answers could not be sent now: they are kept on this phone and sent later.");
    }).then(function () {
      state.syncing = false;
      return renderHome();
    });
  }

  function sendBatch(records) {
    return Promise.all(records.map(function (record) {
      return sealer.open(state.key, record).then(function (value) { value.client_id = record.client_id; return value; });
    })).then(function (responses) {
      return api("responses/", { method: "POST", body: JSON.stringify({ responses: responses }) });
    }).then(function (result) {
      if (refusedByServer(result)) return false;
      if (result.status !== 200) { message(result.body.message || "The answers could not be sent now."); return false; }
      var byId = {};
      records.forEach(function (r) { byId[r.client_id] = r; });
      return Promise.all(result.body.results.map(function (item) {
        var record = byId[item.client_id];
        if (!record) return null;
        if (item.status === "stored" || item.status === "duplicate" || item.status === "conflict") return store.remove("pending", record.client_id);
        record.refused = true;
        return store.put("pending", record);
      })).then(function () { message("Answers sent."); return true; });
    });
  }

  // Start

  function start() {
    connection();
    window.addEventListener("online", function () { connection(); if (state.key) sync(); });
    window.addEventListener("offline", connection);
    $("setup-form").addEventListener("submit", setup);
    $("unlock-form").addEventListener("submit", unlock);
    $("answer-form").addEventListener("submit", save);
    $("answer-form").addEventListener("change", applyConditions);
    $("cancel-form").addEventListener("click", function () { state.current = null; renderHome().then(function () { show("home"); }); });
    $("send-now").addEventListener("click", function () { sync(); });
    $("refresh").addEventListener("click", function () { download().then(renderHome); });
    $("lock").addEventListener("click", lock);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "./" }).catch(function () { return null; });
    }
    Promise.all([store.get("meta", "device"), store.get("meta", "revoked")]).then(function (found) {
      state.revoked = found[1] || null;
      show(found[0] ? "unlock" : "setup");
    });
  }

  start();
})();
