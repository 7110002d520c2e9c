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
      if (el.dataset.buildings) drawBuildings(map, el);
    });

  // 看图知户况: each building coloured by its most urgent household, ringed when it has open requests;
  // a click lists its households.
  const COLOURS = { red: "#d92d20", orange: "#f79009", yellow: "#fac515", blue: "#2e90fa", green: "#12b76a" };
  const LEVELS = { red: "红色", orange: "橙色", yellow: "黄色", blue: "蓝色", green: "绿色" };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  function drawBuildings(map, el) {
    fetch(el.dataset.buildings, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((rows) => {
        rows.forEach((b) => {
          const marker = L.circleMarker([b.lat, b.lng], {
            radius: 7,
            color: b.open_tickets ? "#7a271a" : "#344054",
            weight: b.open_tickets ? 4 : 1,
            fillColor: COLOURS[b.care_level] || COLOURS.green,
            fillOpacity: 0.95,
          }).addTo(map);
          marker.bindTooltip(`${esc(b.name)} · ${b.households}户 · ${LEVELS[b.care_level] || ""}${b.open_tickets ? " · 诉求" + b.open_tickets + "件" : ""}`);
          marker.on("click", () => {
            fetch(`/api/v1/households?area=${encodeURIComponent(b.code)}&page_size=200`, { credentials: "same-origin" })
              .then((r) => r.json())
              .then((page) => {
                const unitOf = (h) => (h.area_name && h.area_name !== b.name ? h.area_name + " " : "");
                const items = page.items.map((h) => `<li><span class="dot level-${esc(h.care_level)}"></span><a href="/households/${h.id}/">${esc(unitOf(h))}${esc(h.door_no)}</a> ${h.resident_count}人</li>`).join("");
                marker.bindPopup(`<b>${esc(b.name)}</b>${b.open_tickets ? "<br>未办结诉求 " + b.open_tickets + " 件" : ""}<ul class="popup-households">${items}</ul>`, { maxHeight: 240, autoPanPadding: [24, 24] }).openPopup();
              });
          });
        });
        el.dataset.buildingsLoaded = String(rows.length);
      });
  }
})();

// A ticket's place: its grid's outline and, when it has one, the reported point.
(function () {
  const el = document.getElementById("ticket-map");
  if (!el || !window.L) return;
  const map = L.map(el, { attributionControl: false, zoomControl: false, scrollWheelZoom: false });
  const point = el.dataset.lat ? L.latLng(Number(el.dataset.lat), Number(el.dataset.lng)) : null;
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : { features: [] }))
    .then((data) => {
      const grid = data.features.filter((f) => f.properties.role === "self");
      const layer = L.geoJSON(grid, { style: { color: "#c8102e", weight: 2, fillOpacity: 0.06 } }).addTo(map);
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      else if (point) map.setView(point, 17);
      el.dataset.loaded = "1";
    })
    .catch(() => { if (point) map.setView(point, 17); });
  if (point) L.circleMarker(point, { radius: 8, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
})();
