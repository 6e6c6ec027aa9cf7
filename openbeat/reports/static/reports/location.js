// The location page's map: a pin for where it happened, put there with a click or, with the keyboard, Enter
// (the pin goes in the middle of the map). The pin's position goes into the form's hidden lat/lon inputs;
// without this script (or Leaflet) the page still works with the postcode and address fields.
(function () {
  "use strict";
  var block = document.querySelector("[data-report-pin]");
  if (!block || typeof L === "undefined") { return; }
  var element = block.querySelector("[data-report-pin-map]");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var status = document.getElementById("pin-status");
  var remove = document.getElementById("pin-remove");
  block.hidden = false;
  var map = L.map(element, { scrollWheelZoom: false, keyboard: true });
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
  }
  var marker = null;

  function place(latlng, announce) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { keyboard: false, alt: "The pin", interactive: false }).addTo(map);
    }
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    remove.hidden = false;
    if (announce) { status.textContent = "Pin put on the map. Press Continue when it is in the right place."; }
  }

  function clear() {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = "";
    lon.value = "";
    remove.hidden = true;
    status.textContent = "No pin on the map.";
  }

  map.on("click", function (event) { place(event.latlng, true); });
  element.addEventListener("keydown", function (event) {
    if (event.target !== element || (event.key !== "Enter" && event.key !== " ")) { return; }
    // Enter on the map puts the pin down; it must not also send the form.
    event.preventDefault();
    place(map.getCenter(), true);
  });
  remove.addEventListener("click", function () { clear(); element.focus(); });

  var brand = getComputedStyle(document.documentElement).getPropertyValue("--ob-brand").trim() || "#1d3f72";
  var start = lat.value && lon.value ? L.latLng(parseFloat(lat.value), parseFloat(lon.value)) : null;
  if (start) {
    place(start, false);
    status.textContent = "There is a pin on the map.";
  }
  fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("boundaries unavailable"); }
      return response.json();
    })
    .then(function (data) {
      var layer = L.geoJSON(data, { interactive: false, style: { color: brand, weight: 2, fillOpacity: 0.08 } }).addTo(map);
      var bounds = layer.getBounds();
      if (start) {
        map.setView(start, 16);
      } else if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [10, 10] });
      }
      element.dataset.loaded = "true";
    })
    .catch(function () {
      element.dataset.loaded = "error";
      if (start) { map.setView(start, 16); } else { map.setView([54, -2.5], 7); }
    });
})();
