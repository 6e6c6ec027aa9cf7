// The alert composer: keeps the targeting JSON in the hidden field, asks the server for the live audience
// count as the targeting changes, draws polygons and circles on a Leaflet map (no plugin: a few map events),
// filters the neighbourhood lists and fetches the previews. Without it the form still works, less drawing.
(function () {
  "use strict";
  var form = document.querySelector("[data-composer]");
  if (!form) { return; }
  var hidden = form.querySelector("[data-targeting]");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var priority = form.querySelector("[name=priority]");
  var COLOURS = { areas: "#1d70b8", exclude_areas: "#d4351c" };
  var shapes = { areas: [], exclude_areas: [] }; // {json, layer}
  var redraw = function () {};
  // The part of the drawn areas cut off because it was outside the officer's division (the live count's
  // `clip`): a notice, and once the map is up, that part drawn hatched in red.
  var clipNotice = form.querySelector("[data-clip-notice]");
  var showCut = function () {};
  function showClip(clip) {
    if (clipNotice) {
      clipNotice.hidden = !clip;
      clipNotice.querySelector("[data-clip-text]").textContent = clip ? clip.notice : "";
    }
    showCut(clip ? clip.cut : null);
  }

  // ------------------------------------------------------------------------------------------ targeting

  function checked(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (input) {
      return input.value;
    });
  }

  function ids(name) { return checked(name).map(Number); }

  // An update ("Send an update") goes to an earlier alert's recipients: only its channels are chosen here, and
  // the earlier alert's demographic rules, if any, go with it unchanged (alerts/targeting.py).
  var updateOf = form.dataset.updateOf ? Number(form.dataset.updateOf) : null;
  var updateDemographics = {};
  if (updateOf) {
    try { updateDemographics = JSON.parse(hidden.value || "{}").demographics || {}; } catch (error) { updateDemographics = {}; }
  }

  function buildTargeting() {
    if (updateOf) {
      return { update_of: updateOf, demographics: updateDemographics, channels: checked("channels") };
    }
    var wholeForce = form.querySelector("[name=whole_force]");
    var targeting = {
      areas: {
        whole_force: Boolean(wholeForce && wholeForce.checked),
        divisions: ids("divisions"),
        neighbourhoods: ids("neighbourhoods"),
        shapes: shapes.areas.map(function (s) { return s.json; })
      },
      exclude_areas: {
        divisions: ids("exclude_divisions"),
        neighbourhoods: ids("exclude_neighbourhoods"),
        shapes: shapes.exclude_areas.map(function (s) { return s.json; })
      },
      topics: {},
      groups: {},
      demographics: {},
      channels: checked("channels")
    };
    form.querySelectorAll("select[data-rule-set]").forEach(function (select) {
      select.classList.toggle("ob-rule--set", Boolean(select.value));
      if (!select.value) { return; }
      var set = select.dataset.ruleSet;
      var rules = targeting[set];
      if (set === "demographics") {
        var dimension = select.dataset.ruleDimension;
        rules = targeting.demographics[dimension] = targeting.demographics[dimension] || {};
      }
      (rules[select.value] = rules[select.value] || []).push(select.dataset.ruleValue);
    });
    return targeting;
  }

  function sync() {
    var targeting = buildTargeting();
    hidden.value = JSON.stringify(targeting);
    return targeting;
  }

  // ------------------------------------------------------------------------------------------ live count

  var panel = document.querySelector("[data-audience-panel]");
  var summary = panel.querySelector("[data-audience-summary]");
  var timer = null;
  var latest = 0;

  function lookup(data, path) {
    return path.split(".").reduce(function (value, key) { return value == null ? value : value[key]; }, data);
  }

  function showCount(data) {
    summary.dataset.state = "ok";
    summary.textContent = data.summary || data.reason || "";
    panel.querySelectorAll("[data-count]").forEach(function (cell) {
      var value = lookup(data, cell.dataset.count);
      if (typeof value === "number") { value = value.toLocaleString("en-GB"); }
      cell.textContent = typeof value === "string" ? value : "";
    });
    // With a demographic group the server may withhold figures (alerts/disclosure.py): then "email" and "sms"
    // are null, "subscribers" is null unless exact, and "subscribers_text" says what may be said.
    var any = data.subscribers > 0;
    panel.querySelector("[data-audience-table]").hidden = !(any && data.email);
    panel.querySelector("[data-audience-total]").hidden = !(any || data.withheld);
    panel.dataset.subscribers = typeof data.subscribers === "number" ? String(data.subscribers) : "";
  }

  function showError(message) {
    summary.dataset.state = "error";
    summary.textContent = message;
    panel.querySelector("[data-audience-table]").hidden = true;
    panel.querySelector("[data-audience-total]").hidden = true;
    panel.dataset.subscribers = "";
  }

  function count() {
    var mine = ++latest;
    panel.classList.add("ob-audience--busy");
    fetch(form.dataset.audienceUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ targeting: sync(), priority: Number(priority.value) })
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (mine !== latest) { return; } // a newer count is on its way
        if (result.ok) { showCount(result.data); } else { showError(result.data.error || "The count failed"); }
        showClip(result.ok ? result.data.clip : null);
      })
      .catch(function () {
        if (mine === latest) { showError("The count could not be updated: check your connection"); }
      })
      .then(function () {
        if (mine === latest) { panel.classList.remove("ob-audience--busy"); }
      });
  }

  function recount() {
    sync();
    window.clearTimeout(timer);
    timer = window.setTimeout(count, 300);
  }

  var TARGETING_FIELDS = "[name=priority], [name=whole_force], [name=divisions], [name=neighbourhoods], " +
    "[name=exclude_divisions], [name=exclude_neighbourhoods], [name=channels], select[data-rule-set]";
  form.addEventListener("change", function (event) {
    if (event.target.matches(TARGETING_FIELDS)) {
      if (/neighbourhoods$/.test(event.target.name)) { redraw(); }
      recount();
    }
  });
  form.addEventListener("submit", sync);

  // ------------------------------------------------------------------------------------------ lists

  form.querySelectorAll("[data-neighbourhood-filter]").forEach(function (input) {
    var list = form.querySelector('[data-neighbourhood-list="' + input.dataset.neighbourhoodFilter + '"]');
    input.closest("[data-neighbourhood-filter-wrapper]").hidden = false;
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      list.querySelectorAll(".ob-choice").forEach(function (item) {
        item.hidden = query !== "" && item.dataset.name.indexOf(query) === -1;
      });
      list.querySelectorAll(".ob-choices__group").forEach(function (group) {
        group.hidden = !group.querySelector(".ob-choice:not([hidden])");
      });
    });
  });

  // ------------------------------------------------------------------------------------------ previews

  var previewButton = form.querySelector("[data-preview-button]");
  var previews = form.querySelector("[data-previews]");
  previewButton.addEventListener("click", function (event) {
    event.preventDefault();
    fetch(form.dataset.previewUrl, { method: "POST", credentials: "same-origin", body: new FormData(form) })
      .then(function (response) {
        if (!response.ok) { throw new Error("preview failed"); }
        return response.text();
      })
      .then(function (html) { previews.innerHTML = html; })
      .catch(function () { previews.textContent = "The preview could not be made: check your connection."; });
  });

  var errors = document.querySelector("[data-error-summary]");
  if (errors) { errors.focus(); }

  // ------------------------------------------------------------------------------------------ the map

  var mapElement = form.querySelector("[data-composer-map]");
  var drawingPanel = form.querySelector("[data-drawing]");
  if (!mapElement || typeof L === "undefined") { recount(); return; }
  drawingPanel.hidden = false;
  form.querySelector("[data-drawing-needs-js]").hidden = true;

  var map = L.map(mapElement, { scrollWheelZoom: false, doubleClickZoom: false, keyboard: true });
  mapElement.obMap = map; // for the browser tests, which click at map positions
  if (mapElement.dataset.tileUrl) {
    L.tileLayer(mapElement.dataset.tileUrl, {
      maxZoom: 18, attribution: mapElement.dataset.tileAttribution || ""
    }).addTo(map);
  }
  var inScope = JSON.parse(document.getElementById("ob-map-neighbourhoods").textContent);
  var boundaries = null;

  function selectedIds(name) {
    var found = {};
    ids(name).forEach(function (id) { found[id] = true; });
    return found;
  }

  function boundaryStyle(feature) {
    var id = inScope[feature.properties.code];
    var chosen = selectedIds("neighbourhoods")[id];
    var left = selectedIds("exclude_neighbourhoods")[id];
    return {
      color: left ? COLOURS.exclude_areas : "#1d3f72",
      weight: chosen || left ? 3 : 1.5,
      fillOpacity: chosen ? 0.3 : 0.08,
      interactive: false
    };
  }

  redraw = function () { if (boundaries) { boundaries.setStyle(boundaryStyle); } };

  // What was cut: red outline, hatched by an SVG pattern (composer.css: .ob-map-cut).
  var hatch = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  hatch.setAttribute("width", "0");
  hatch.setAttribute("height", "0");
  hatch.setAttribute("aria-hidden", "true");
  hatch.style.position = "absolute";
  hatch.innerHTML = '<defs><pattern id="ob-hatch" width="8" height="8" patternUnits="userSpaceOnUse" ' +
    'patternTransform="rotate(45)"><rect width="8" height="8" fill="#d4351c" fill-opacity="0.12"/>' +
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#d4351c" stroke-width="3"/></pattern></defs>';
  document.body.appendChild(hatch);
  var cutLayer = null;
  showCut = function (geometry) {
    if (cutLayer) { map.removeLayer(cutLayer); cutLayer = null; }
    mapElement.dataset.cut = geometry ? "true" : "";
    if (!geometry) { return; }
    cutLayer = L.geoJSON(geometry, {
      interactive: false,
      style: { color: "#d4351c", weight: 2, dashArray: "6 4", fillOpacity: 1, className: "ob-map-cut" }
    }).addTo(map);
  };
  var savedCut = document.getElementById("ob-clip-cut");
  if (savedCut) { showCut(JSON.parse(savedCut.textContent)); }

  fetch(mapElement.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("boundaries unavailable"); }
      return response.json();
    })
    .then(function (data) {
      var features = (data.features || []).filter(function (feature) {
        return feature.properties && Object.prototype.hasOwnProperty.call(inScope, feature.properties.code);
      });
      boundaries = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: boundaryStyle, interactive: false
      }).addTo(map);
      var bounds = boundaries.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([54, -2.5], 7); }
      mapElement.dataset.loaded = "true";
    })
    .catch(function () {
      map.setView([54, -2.5], 7);
      mapElement.dataset.loaded = "error";
    });

  // Drawing: one shape at a time, in the mode the radio buttons say (send to / leave out).
  var status = form.querySelector("[data-draw-status]");
  var buttons = {};
  form.querySelectorAll("[data-draw]").forEach(function (button) { buttons[button.dataset.draw] = button; });
  var radiusWrapper = form.querySelector("[data-radius-wrapper]");
  var radiusInput = form.querySelector("[data-radius]");
  var sketch = L.layerGroup().addTo(map);
  var drawn = L.featureGroup().addTo(map);
  var tool = null;
  var vertices = [];
  var guide = null;
  var centre = null;
  var circlePreview = null;

  function target() {
    var mode = form.querySelector("[data-draw-mode]:checked");
    return mode ? mode.value : "areas";
  }

  function say(message) { status.textContent = message; }

  function resetSketch() {
    sketch.clearLayers();
    vertices = [];
    guide = null;
    centre = null;
    circlePreview = null;
  }

  function stopDrawing(message) {
    tool = null;
    resetSketch();
    mapElement.classList.remove("ob-composer-map--drawing");
    buttons.finish.hidden = true;
    buttons.cancel.hidden = true;
    radiusWrapper.hidden = true;
    if (message !== undefined) { say(message); }
  }

  function startDrawing(kind) {
    stopDrawing();
    tool = kind;
    mapElement.classList.add("ob-composer-map--drawing");
    buttons.finish.hidden = false;
    buttons.cancel.hidden = false;
    if (kind === "circle") {
      radiusWrapper.hidden = false;
      say("Click the centre of the circle on the map.");
    } else {
      say("Click the map to add corners. Click the first corner, press Finish or the Enter key to close it.");
    }
  }

  function layerFor(json, key) {
    var style = { color: COLOURS[key], weight: 2, fillOpacity: 0.15, dashArray: key === "exclude_areas" ? "6 4" : null };
    if (json.type === "Circle") {
      return L.circle([json.center[1], json.center[0]], L.extend({ radius: json.radius_m }, style));
    }
    return L.geoJSON(json, { style: style });
  }

  function describe(json) {
    if (json.type === "Circle") {
      var r = json.radius_m;
      return "Circle, radius " + (r >= 1000 ? (r / 1000).toLocaleString("en-GB") + " km" : r + " m");
    }
    return "Polygon, " + (json.coordinates[0].length - 1) + " corners";
  }

  var list = form.querySelector("[data-shape-list]");

  function renderList() {
    list.innerHTML = "";
    var total = 0;
    ["areas", "exclude_areas"].forEach(function (key) {
      shapes[key].forEach(function (item, index) {
        total += 1;
        var li = document.createElement("li");
        li.textContent = describe(item.json) + (key === "areas" ? " (send to)" : " (leave out)");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button-small button-secondary";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", "Remove " + describe(item.json).toLowerCase());
        remove.addEventListener("click", function () {
          drawn.removeLayer(item.layer);
          shapes[key].splice(index, 1);
          renderList();
          say("Shape removed.");
          recount();
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
    });
    if (!total) {
      var none = document.createElement("li");
      none.textContent = "None yet.";
      list.appendChild(none);
    }
  }

  function addShape(json, key, quiet) {
    var layer = layerFor(json, key).addTo(drawn);
    shapes[key].push({ json: json, layer: layer });
    renderList();
    if (!quiet) { recount(); }
  }

  function finishPolygon() {
    if (vertices.length < 3) {
      say("A polygon needs at least three corners: " + vertices.length + " so far.");
      return;
    }
    var ring = vertices.map(function (p) { return [round(p.lng), round(p.lat)]; });
    ring.push(ring[0]);
    addShape({ type: "Polygon", coordinates: [ring] }, target());
    stopDrawing("Polygon added with " + vertices.length + " corners.");
  }

  function finishCircle(radius) {
    if (!centre) { say("Click the centre of the circle first."); return; }
    radius = Math.round(radius);
    if (!(radius > 0 && radius <= 50000)) { say("The radius must be between 1 and 50,000 metres."); return; }
    addShape({ type: "Circle", center: [round(centre.lng), round(centre.lat)], radius_m: radius }, target());
    stopDrawing("Circle added with a radius of " + radius.toLocaleString("en-GB") + " metres.");
  }

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function finish() {
    if (tool === "polygon") { finishPolygon(); } else if (tool === "circle") { finishCircle(Number(radiusInput.value)); }
  }

  map.on("click", function (event) {
    if (tool === "polygon") {
      vertices.push(event.latlng);
      var first = vertices.length === 1;
      var marker = L.circleMarker(event.latlng, {
        radius: first ? 7 : 5, color: COLOURS[target()], fillOpacity: 1,
        interactive: first, bubblingMouseEvents: false, className: first ? "ob-vertex--first" : ""
      }).addTo(sketch);
      if (first) {
        marker.on("click", function () {
          if (vertices.length >= 3) { finishPolygon(); } else { say("Add at least three corners first."); }
        });
      }
      if (guide) { guide.setLatLngs(vertices); } else {
        guide = L.polyline(vertices, { color: COLOURS[target()], weight: 2, dashArray: "4 4", interactive: false }).addTo(sketch);
      }
      say(vertices.length + (vertices.length === 1 ? " corner" : " corners") + ". " +
        (vertices.length >= 3 ? "Click the first corner, press Finish or Enter to close the polygon." : "Keep clicking."));
    } else if (tool === "circle") {
      if (!centre) {
        centre = event.latlng;
        L.circleMarker(centre, { radius: 5, color: COLOURS[target()], fillOpacity: 1, interactive: false }).addTo(sketch);
        circlePreview = L.circle(centre, {
          radius: Number(radiusInput.value) || 500, color: COLOURS[target()], weight: 2, dashArray: "4 4", interactive: false
        }).addTo(sketch);
        say("Now click the edge of the circle, or type the radius in metres and press Finish.");
      } else {
        finishCircle(centre.distanceTo(event.latlng));
      }
    }
  });

  radiusInput.addEventListener("input", function () {
    if (circlePreview && Number(radiusInput.value) > 0) { circlePreview.setRadius(Number(radiusInput.value)); }
  });

  buttons.polygon.addEventListener("click", function () { startDrawing("polygon"); });
  buttons.circle.addEventListener("click", function () { startDrawing("circle"); });
  buttons.finish.addEventListener("click", finish);
  buttons.cancel.addEventListener("click", function () { stopDrawing("Drawing stopped."); });
  buttons.clear.addEventListener("click", function () {
    stopDrawing("All drawn shapes cleared.");
    drawn.clearLayers();
    shapes.areas = [];
    shapes.exclude_areas = [];
    renderList();
    recount();
  });

  document.addEventListener("keydown", function (event) {
    if (!tool || event.target.tagName === "TEXTAREA") { return; }
    if (event.key === "Enter") {
      event.preventDefault(); // never submit the form half-way through a shape
      finish();
    } else if (event.key === "Escape") {
      stopDrawing("Drawing stopped.");
    }
  });

  // The shapes already saved with a draft (or posted back with a form that had errors).
  try {
    var saved = hidden.value ? JSON.parse(hidden.value) : {};
    ["areas", "exclude_areas"].forEach(function (key) {
      ((saved[key] || {}).shapes || []).forEach(function (json) { addShape(json, key, true); });
    });
  } catch (error) {
    say("The shapes saved earlier could not be read: draw them again.");
  }
  recount();
})();
