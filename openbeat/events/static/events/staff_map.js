// The event form's map: click to place the event (fills latitude and longitude); typing them moves the marker.
(function () {
  "use strict";
  var element = document.querySelector("[data-event-map]");
  if (!element || typeof L === "undefined") { return; }
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  element.hidden = false;
  var map = L.map(element, { scrollWheelZoom: false, keyboard: true });
  element.obMap = map;
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
  }
  var marker = null;
  function typed() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    return isNaN(a) || isNaN(b) ? null : [a, b];
  }
  function place(point, fromMap) {
    if (!marker) { marker = L.marker(point, { keyboard: false }).addTo(map); } else { marker.setLatLng(point); }
    if (fromMap) {
      lat.value = point[0].toFixed(6);
      lon.value = point[1].toFixed(6);
    }
  }
  var start = typed();
  if (start) { map.setView(start, 16); place(start, false); } else { map.setView([53.8, -2.6], 9); }
  map.on("click", function (e) { place([e.latlng.lat, e.latlng.lng], true); });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = typed();
      if (point) { place(point, false); map.setView(point, Math.max(map.getZoom(), 15)); }
    });
  });
})();
