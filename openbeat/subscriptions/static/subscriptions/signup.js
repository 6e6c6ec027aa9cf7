// Progressive enhancement for the In the Know sign-up. Every page works without it.
(function () {
  "use strict";

  // Questions that only matter after one answer ("Do you want text messages?" Yes) are hidden until it is chosen.
  document.querySelectorAll("[data-itk-reveal-when]").forEach(function (block) {
    var rule = block.dataset.itkRevealWhen.split("=");
    var radios = document.querySelectorAll("input[name='" + rule[0] + "']");
    function update() {
      var chosen = document.querySelector("input[name='" + rule[0] + "']:checked");
      var show = chosen !== null && chosen.value === rule[1];
      block.classList.toggle("ob-conditional--hidden", !show);
      radios.forEach(function (radio) {
        if (radio.value === rule[1]) { radio.setAttribute("aria-controls", block.id); }
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });

  // The neighbourhood picker's map: selecting a neighbourhood ticks its checkbox, which stays the real control.
  document.querySelectorAll("[data-itk-area-map]").forEach(function (element) {
    if (typeof L === "undefined") { return; }
    element.hidden = false;
    document.querySelectorAll(".ob-map-hint").forEach(function (hint) { hint.hidden = false; });
    var map = L.map(element, { scrollWheelZoom: false, keyboard: true });
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    var brand = getComputedStyle(document.documentElement).getPropertyValue("--ob-brand").trim() || "#1d3f72";
    function box(code) {
      return document.querySelector("input[name='neighbourhoods'][value='" + CSS.escape(code) + "']");
    }
    function style(checkbox) {
      if (!checkbox) { return { color: "#505a5f", weight: 2, dashArray: "4", fillOpacity: 0.05 }; }
      return { color: brand, weight: checkbox.checked ? 4 : 2, fillColor: checkbox.checked ? "#00703c" : brand,
        fillOpacity: checkbox.checked ? 0.45 : 0.1 };
    }
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("boundaries unavailable"); }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (feature) { return style(box(feature.properties.code)); },
          onEachFeature: function (feature, featureLayer) {
            var checkbox = box(feature.properties.code);
            featureLayer.bindTooltip(feature.properties.name + (checkbox ? "" : " (your home)"), { sticky: true });
            if (!checkbox) { return; }
            featureLayer.on("click", function () {
              checkbox.checked = !checkbox.checked;
              checkbox.dispatchEvent(new Event("change", { bubbles: true }));
            });
            checkbox.addEventListener("change", function () {
              featureLayer.setStyle(style(checkbox));
              var details = checkbox.closest("details");
              if (details && checkbox.checked) { details.open = true; }
            });
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        // The shapes (drawn once the map has a view) answer the mouse only. Chromium makes a shape with a
        // tooltip a Tab stop that does nothing on Enter: take them out of the tab order; the list of neighbourhoods beside the map
        // is the keyboard route.
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
