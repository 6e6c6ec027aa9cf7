// Draws neighbourhood boundaries on a Leaflet map. Configuration comes from data- attributes on the
// map element (no inline script, so the strict CSP holds). Boundaries are drawn whether or not tiles load.
(function () {
  "use strict";
  document.querySelectorAll("[data-ob-map]").forEach(function (element) {
    var map = L.map(element, { scrollWheelZoom: false, keyboard: true });
    var tiles = element.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    var brand = getComputedStyle(document.documentElement).getPropertyValue("--ob-brand").trim() || "#1d3f72";
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("boundaries unavailable"); }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: { color: brand, weight: 2, fillOpacity: 0.12 },
          onEachFeature: function (feature, featureLayer) {
            var props = feature.properties || {};
            if (props.url && element.dataset.linkFeatures !== undefined) {
              featureLayer.bindTooltip(props.name, { sticky: true });
              featureLayer.on("click", function () { window.location.href = props.url; });
            }
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        // The shapes (drawn once the map has a view) answer the mouse only. Chromium makes a shape with a
        // tooltip a Tab stop that does nothing on Enter: take them out of the tab order; the page's list of
        // neighbourhoods is the keyboard route.
        layer.eachLayer(function (shape) {
          var path = shape.getElement && shape.getElement();
          if (path) { path.setAttribute("tabindex", "-1"); }
        });
        element.dataset.loaded = "true";
      })
      .catch(function () {
        element.dataset.loaded = "error";
        map.setView([54, -2.5], 7);
      });
  });
})();
