// The area page's map and the ticket page's map, both on the map component (areamap.js): the area with
// its streets, communities and grids and their names; a click on a part opens the child area it lies in.
(function () {
  const el = document.getElementById("map");
  if (!el || !window.WanggeMap) return;
  // A district names its streets and communities at once, anything smaller its children; more on zoom.
  const depth = el.dataset.level === "district" ? 2 : 1;
  WanggeMap.draw(el, { url: el.dataset.map, labelDepth: depth, tiles: el.dataset.tiles, attribution: el.dataset.attribution }).then((d) => {
    const code = el.dataset.code;
    const children = d.features.filter((f) => f.properties.parent === code).map((f) => f.properties.code);
    d.features.forEach((f) => {
      const layer = d.byCode[f.properties.code];
      if (!layer || f.properties.role === "self") return;
      if (f.properties.grid_kind && f.properties.grid_kind !== "regular") layer.setStyle({ fillColor: "#f79009", fillOpacity: 0.35 });
      layer.bindTooltip(f.properties.name, { sticky: true });
      const child = children.find((c) => f.properties.code.startsWith(c));
      if (child) layer.on("click", () => { window.location = "/areas/" + child + "/"; });
    });
    if (el.dataset.buildings) drawBuildings(d.map, el);
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
  if (!el || !window.WanggeMap) return;
  const point = el.dataset.lat ? L.latLng(Number(el.dataset.lat), Number(el.dataset.lng)) : null;
  WanggeMap.draw(el, { url: el.dataset.map, zoomControl: false, labelDepth: 0, tiles: el.dataset.tiles, attribution: el.dataset.attribution })
    .then((d) => {
      d.map.scrollWheelZoom.disable();
      if (!d.features.length && point) d.map.setView(point, 17);
      if (point) L.circleMarker(point, { radius: 8, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1 }).addTo(d.map);
    });
})();
