// The "draw an area" widget (areas/widgets.py): turns a GeoJSON textarea into a Leaflet map on which the user
// clicks corners to draw one polygon. Finish by clicking the first corner, "Finish shape" or Enter; "Undo last
// corner", "Clear" and Escape (stop drawing) as the buttons say. The textarea keeps the GeoJSON (WGS84, closed
// ring), so the form posts it as before, and pasting GeoJSON still works. Configuration comes from data-
// attributes (no inline script, so the strict CSP holds). Without this script the textarea is all there is.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var EARTH_M = 6378137;
  var RAD = Math.PI / 180;

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  // The area of a ring of [lon, lat] on the sphere, in square metres (as Leaflet.draw's geodesicArea).
  function ringArea(ring) {
    var total = 0;
    for (var i = 0; i < ring.length - 1; i++) {
      var a = ring[i];
      var b = ring[i + 1];
      total += (b[0] - a[0]) * RAD * (2 + Math.sin(a[1] * RAD) + Math.sin(b[1] * RAD));
    }
    return Math.abs(total * EARTH_M * EARTH_M / 2);
  }

  function geometryArea(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.reduce(function (sum, rings) {
      return sum + rings.reduce(function (part, ring, index) {
        return part + (index === 0 ? 1 : -1) * ringArea(ring);
      }, 0);
    }, 0);
  }

  function sizeText(m2) {
    var km2 = m2 / 1e6;
    if (km2 >= 10) { return "about " + Math.round(km2).toLocaleString("en-GB") + " km²"; }
    if (km2 >= 0.1) { return "about " + (Math.round(km2 * 10) / 10).toLocaleString("en-GB") + " km²"; }
    if (km2 >= 0.01) { return "about " + (Math.round(km2 * 100) / 100).toLocaleString("en-GB") + " km²"; }
    if (m2 >= 100) { return "about " + (Math.round(m2 / 100) * 100).toLocaleString("en-GB") + " m²"; }
    return "less than 100 m²";
  }

  function describe(geometry) {
    if (geometry.type === "Polygon") {
      var corners = geometry.coordinates[0].length - 1;
      return "Polygon, " + corners + (corners === 1 ? " corner, " : " corners, ") + sizeText(geometryArea(geometry));
    }
    return "Shape in " + geometry.coordinates.length + " parts, " + sizeText(geometryArea(geometry));
  }

  // A geometry, Feature or one-feature FeatureCollection, as the server reads it (schemes/geometry.py); null
  // when the text is not a (Multi)Polygon the map can show.
  function parse(text) {
    var data;
    try { data = JSON.parse(text); } catch (error) { return null; }
    if (data && data.type === "FeatureCollection") { data = (data.features || []).length === 1 ? data.features[0] : null; }
    if (data && data.type === "Feature") { data = data.geometry; }
    if (!data || (data.type !== "Polygon" && data.type !== "MultiPolygon") || !Array.isArray(data.coordinates)) {
      return null;
    }
    return data;
  }

  // Shoelace on longitude/latitude: positive when the ring (not closed) runs anticlockwise.
  function signedArea(ring) {
    var total = 0;
    for (var i = 0; i < ring.length; i++) {
      var a = ring[i];
      var b = ring[(i + 1) % ring.length];
      total += a[0] * b[1] - b[0] * a[1];
    }
    return total / 2;
  }

  function setUp(root) {
    var textarea = document.getElementById(root.dataset.target);
    var mapElement = root.querySelector("[data-draw-map]");
    var status = root.querySelector("[data-draw-status]");
    if (!textarea || !mapElement) { return; }
    root.querySelector("[data-draw-panel]").hidden = false;
    var brand = getComputedStyle(document.documentElement).getPropertyValue("--ob-brand").trim() || "#1d3f72";

    var map = L.map(mapElement, { scrollWheelZoom: false, doubleClickZoom: false, keyboard: true });
    mapElement.obMap = map; // for the browser tests, which click at map positions
    if (root.dataset.tileUrl) {
      L.tileLayer(root.dataset.tileUrl, { maxZoom: 18, attribution: root.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([54, -2.5], 7);

    var boundaries = null;
    var existing = null;
    var shape = null; // the finished shape, as in the textarea
    var sketch = L.layerGroup().addTo(map);
    var markers = [];
    var vertices = [];
    var guide = null;

    function say(message) { status.textContent = message; }

    var saved = document.getElementById(root.dataset.target + "-existing");
    if (saved) {
      existing = L.geoJSON(JSON.parse(saved.textContent), {
        interactive: false, style: { color: "#505a5f", weight: 2, dashArray: "6 4", fillOpacity: 0.05 }
      }).addTo(map);
    }

    function fit() {
      var layer = shape || existing || boundaries;
      var bounds = layer ? layer.getBounds() : null;
      if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
    }

    function show(geometry) {
      if (shape) { map.removeLayer(shape); shape = null; }
      if (geometry) {
        shape = L.geoJSON(geometry, { interactive: false, style: { color: brand, weight: 3, fillOpacity: 0.2 } }).addTo(map);
        if (existing) { map.removeLayer(existing); }
      } else if (existing) {
        existing.addTo(map);
      }
    }

    function resetSketch() {
      sketch.clearLayers();
      markers = [];
      vertices = [];
      guide = null;
    }

    function progress() {
      var n = vertices.length;
      if (!n) { return "No corners yet: click the map to add the first."; }
      return n + (n === 1 ? " corner" : " corners") + ". " +
        (n >= 3 ? "Click the first corner, press Finish shape or Enter to close the shape." : "Keep clicking the map.");
    }

    function finish() {
      if (vertices.length < 3) {
        say("A shape needs at least three corners: " + vertices.length + " so far. Click the map to add corners.");
        return false;
      }
      var ring = vertices.map(function (p) { return [round(p.lng), round(p.lat)]; });
      // GeoJSON (RFC 7946) wants the outer ring anticlockwise: keep the first corner first, turn the rest.
      if (signedArea(ring) < 0) { ring = [ring[0]].concat(ring.slice(1).reverse()); }
      ring.push(ring[0].slice());
      var geometry = { type: "Polygon", coordinates: [ring] };
      textarea.value = JSON.stringify(geometry);
      resetSketch();
      show(geometry);
      say("Shape finished: " + describe(geometry) + ".");
      return true;
    }

    function stop() {
      if (!vertices.length) { return; }
      resetSketch();
      say("Drawing stopped." + (shape ? " The finished shape is kept." : ""));
    }

    function undo() {
      if (!vertices.length) { say("There is no corner to undo."); return; }
      vertices.pop();
      sketch.removeLayer(markers.pop());
      if (guide) { guide.setLatLngs(vertices); }
      say("Last corner removed. " + progress());
    }

    function clear() {
      resetSketch();
      textarea.value = "";
      show(null);
      say(existing ? "Cleared. The area saved now stays unless you draw a new one." : "Cleared. Click the map to draw the area.");
    }

    map.on("click", function (event) {
      vertices.push(event.latlng);
      var first = vertices.length === 1;
      var marker = L.circleMarker(event.latlng, {
        radius: first ? 8 : 5, color: brand, weight: 3, fillColor: first ? "#ffffff" : brand, fillOpacity: 1,
        interactive: first, bubblingMouseEvents: false, className: first ? "ob-draw-area__first" : ""
      }).addTo(sketch);
      markers.push(marker);
      if (first) { marker.on("click", finish); }
      if (guide) { guide.setLatLngs(vertices); } else {
        guide = L.polyline(vertices, { color: brand, weight: 2, dashArray: "4 4", interactive: false }).addTo(sketch);
      }
      say(progress());
    });

    root.querySelector("[data-draw-action=finish]").addEventListener("click", finish);
    root.querySelector("[data-draw-action=undo]").addEventListener("click", undo);
    root.querySelector("[data-draw-action=clear]").addEventListener("click", clear);

    document.addEventListener("keydown", function (event) {
      if (!vertices.length || event.target.tagName === "TEXTAREA") { return; }
      if (event.key === "Escape") {
        stop();
      } else if (event.key === "Enter" && !event.target.closest("button, a, select, summary")) {
        event.preventDefault(); // never submit the form half-way through a shape
        finish();
      }
    });

    // A shape of three corners or more not yet finished when the form is sent is finished, not lost.
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () { if (vertices.length >= 3) { finish(); } });
    }

    // Pasted or typed GeoJSON is shown on the map as soon as it is a shape.
    textarea.addEventListener("change", function () {
      if (!textarea.value.trim()) { show(null); say("The box is empty."); return; }
      var geometry = parse(textarea.value);
      if (geometry) {
        show(geometry);
        fit();
        say("Shape from the box: " + describe(geometry) + ".");
      } else {
        say("The map cannot show the text in the box as a shape. It is checked when you save.");
      }
    });

    // What the form was sent with (a page with errors keeps it), else the area saved now.
    var typed = textarea.value.trim() ? parse(textarea.value) : null;
    if (typed) {
      show(typed);
      say("Shape drawn: " + describe(typed) + ".");
    }
    fit();

    fetch(root.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("boundaries unavailable"); }
        return response.json();
      })
      .then(function (data) {
        boundaries = L.geoJSON(data, {
          interactive: false, style: { color: "#1d3f72", weight: 1, fillOpacity: 0.03 }
        }).addTo(map);
        boundaries.bringToBack();
        // Only while the user has nothing on the map yet: never move it under their clicks.
        if (!shape && !existing && !vertices.length) { fit(); }
        mapElement.dataset.loaded = "true";
      })
      .catch(function () { mapElement.dataset.loaded = "error"; });
  }

  // Form media may be put in the page's head (Wagtail's admin does): wait for the form to be there.
  function start() { document.querySelectorAll("[data-draw-area]").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
