// Progressive enhancement of /map: when Leaflet loaded, draw the streams on tiles.
// Without Leaflet (no script, blocked or not installed) the SVG outline and the table stay.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var status = document.getElementById("map-status");
  var data = document.getElementById("map-data");
  if (!box || !data || typeof window.L === "undefined") {
    return;
  }
  var points = JSON.parse(data.textContent);
  box.hidden = false;
  var map = L.map(box, { scrollWheelZoom: false });
  var tiles = L.tileLayer(box.dataset.tileUrl, {
    attribution: box.dataset.tileAttribution,
    maxZoom: 18,
  });
  var failed = 0;
  tiles.on("tileerror", function () {
    failed += 1;
    if (failed === 1) {
      // Tiles are decoration: say so, and keep the outline and the list that carry the data.
      status.textContent = "Map tiles could not load; the markers and the list below still show every stream.";
      status.hidden = false;
    }
  });
  tiles.addTo(map);
  var bounds = [];
  points.forEach(function (point) {
    var marker = L.circleMarker([point.lat, point.lon], {
      radius: 7,
      weight: 2,
      color: point.kind === "demand" ? "#7a1f5c" : "#0b5563",
      fillOpacity: point.kind === "demand" ? 0 : 0.8,
    });
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    marker.bindPopup(link);
    // Names are publishers' text: give Leaflet DOM nodes, never HTML strings.
    var tip = document.createElement("span");
    tip.textContent = point.name + " (" + point.kind + ")";
    marker.bindTooltip(tip);
    marker.addTo(map);
    bounds.push([point.lat, point.lon]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 9 });
  } else {
    map.setView([62, 10], 4);
  }
  var outline = document.getElementById("map-outline");
  if (outline) {
    outline.hidden = true;
  }
})();
