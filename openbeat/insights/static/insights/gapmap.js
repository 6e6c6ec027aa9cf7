// The gap map's choropleth. Bands follow the table's "against the rate" column; colour is never the only
// cue (the table beside the map carries every figure). Configuration from data- attributes: CSP holds.
(function () {
  "use strict";
  var BANDS = ["#b10e1e", "#f4a259", "#9fc5a8", "#2e7d4f"];
  function band(props, flagShare) {
    if (props.no_population_data || props.share_of_force_rate === null) { return null; }
    if (props.flagged) { return 0; }
    if (props.share_of_force_rate < 1) { return 1; }
    if (props.share_of_force_rate <= 1.5) { return 2; }
    return 3;
  }
  document.querySelectorAll("[data-ob-gapmap]").forEach(function (element) {
    var map = L.map(element, { scrollWheelZoom: false, keyboard: true });
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("figures unavailable"); }
        return response.json();
      })
      .then(function (data) {
        data.features = data.features.filter(function (f) { return f.geometry; });
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var b = band(feature.properties);
            return b === null
              ? { color: "#505a5f", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6, dashArray: "4 4" }
              : { color: "#0b0c0c", weight: 1, fillColor: BANDS[b], fillOpacity: 0.7 };
          },
          onEachFeature: function (feature, featureLayer) {
            var p = feature.properties;
            var rate = p.per_1000 === null ? "no population data" : p.per_1000 + " per 1,000";
            if (p.kind === "score") { rate = p.too_few_responses ? "too few responses" : "score " + p.value; }
            featureLayer.bindTooltip(p.name + ": " + rate, { sticky: true });
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([54, -2.5], 7); }
        // Shapes with a tooltip become Tab stops that do nothing on Enter; the table beside the map holds the
        // same figures and is the keyboard route.
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
