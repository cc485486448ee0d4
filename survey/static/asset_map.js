// The asset map (templates/_asset_map.html): Leaflet draws the map element's GeoJSON (data-geojson) as circle
// markers, sized by the share of respondents who use each asset and coloured by its evidence grade
// (the colours are the key's swatches, from asset_map.css). Tiles come from the server in
// data-tile-url; with none configured, or when they fail to load, the markers sit on the map's plain
// background. No inline script: the Content Security Policy allows none.
(function () {
  "use strict";
  var element = document.querySelector("[data-asset-map]");
  if (!element || !window.L) {
    return;
  }
  var collection = JSON.parse(element.getAttribute("data-geojson"));
  var colours = {};
  document.querySelectorAll("[data-map-key]").forEach(function (swatch) {
    colours[swatch.getAttribute("data-map-key")] = window.getComputedStyle(swatch).backgroundColor;
  });

  // Area proportional to the share of users: 6 px for none (or unknown), 22 px for everyone.
  function radius(share) {
    return typeof share === "number" ? 6 + 16 * Math.sqrt(Math.max(0, Math.min(1, share))) : 6;
  }

  // Text only (names are the asset log's free text): built as DOM nodes, never as HTML.
  function popup(properties) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = properties.name;
    box.appendChild(name);
    var lines = [properties.location, properties.postcode];
    if (typeof properties.user_share === "number") {
      lines.push("Used by " + Math.round(properties.user_share * 100) + "% of respondents");
    }
    lines.forEach(function (text) {
      if (text) {
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(text));
      }
    });
    return box;
  }

  var map = L.map(element, { scrollWheelZoom: false });
  var tiles = element.getAttribute("data-tile-url");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") }).addTo(map);
  }
  var markers = L.geoJSON(collection, {
    pointToLayer: function (feature, latlng) {
      var properties = feature.properties;
      return L.circleMarker(latlng, {
        className: "app-asset-map__marker",
        radius: radius(properties.user_share),
        color: "#0b0c0c",
        weight: 2,
        fillColor: colours[properties.evidence] || colours.unknown,
        fillOpacity: 0.9,
      }).bindPopup(popup(properties));
    },
  }).addTo(map);
  map.fitBounds(markers.getBounds(), { padding: [30, 30], maxZoom: 16 });
})();
