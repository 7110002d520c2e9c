// The H5 location picker: tap the map to choose where the problem is; the grid is looked up at once.
(function () {
  const el = document.getElementById("pick-map");
  if (!el || !window.L || !el.dataset.geojson) { if (el) el.style.display = "none"; return; }
  const map = L.map(el, { attributionControl: false });
  let marker = null;
  fetch(el.dataset.geojson, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
    const layer = L.geoJSON(data, { style: { color: "#344054", weight: 1, fillOpacity: 0.08 } }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
  });
  map.on("click", (e) => {
    const lat = e.latlng.lat.toFixed(6), lng = e.latlng.lng.toFixed(6);
    document.getElementById("lat").value = lat;
    document.getElementById("lng").value = lng;
    if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
    fetch(`/api/v1/locate?lat=${lat}&lng=${lng}`, { credentials: "same-origin" }).then((r) => r.json()).then((d) => {
      document.getElementById("picked").textContent = d.found ? `已选：${d.grid.name}` : "这个位置不在任何网格内，请重新选择";
    });
  });
})();
