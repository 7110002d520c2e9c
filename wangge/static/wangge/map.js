// Draws an area and its children from /api/v1/areas/CODE/geojson with Leaflet; no tile server.
(function () {
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  const palette = ["#2e90fa", "#12b76a", "#f79009", "#7a5af8", "#ee46bc", "#06aed4"];
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      let i = 0;
      const layer = L.geoJSON(data, {
        style: (f) => f.properties.role === "self"
          ? { color: "#c8102e", weight: 3, fill: false }
          : { color: "#344054", weight: 1, fillColor: palette[i++ % palette.length], fillOpacity: f.properties.grid_kind && f.properties.grid_kind !== "regular" ? 0.6 : 0.3 },
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#344054", weight: 1, fillColor: "#fdb022", fillOpacity: 0.9 }),
        onEachFeature: (f, l) => {
          l.bindTooltip(f.properties.name, { sticky: true });
          if (f.properties.role === "child") l.on("click", () => { window.location = "/areas/" + f.properties.code + "/"; });
        },
      }).addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
      el.dataset.loaded = String(data.features.length);
    });
})();
