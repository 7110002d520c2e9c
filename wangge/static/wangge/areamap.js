// The map component: an area's vector base from /api/v1/areas/CODE/map (the outline; streets,
// communities and grids with their names; deeper names appear as one zooms in), on a deployment's own
// tile server when one is configured (WANGGE_MAP_TILES) and on a plain background otherwise. The area
// page, the ticket page and the big screen draw on it.
(function () {
  const LEVELS = ["district", "street", "community", "grid"];
  const THEMES = {
    light: {
      self: { color: "#c8102e", weight: 3, fill: false },
      street: { color: "#475467", weight: 2, fillColor: "#eaecf0", fillOpacity: 0.25 },
      community: { color: "#667085", weight: 1.2, fillColor: "#f2f4f7", fillOpacity: 0.2 },
      grid: { color: "#98a2b3", weight: 0.8, dashArray: "3 3", fillColor: "#ffffff", fillOpacity: 0.15 },
    },
    dark: {
      self: { color: "#7cd4fd", weight: 3, fill: false },
      street: { color: "#7cd4fd", weight: 2, fillOpacity: 0 },
      community: { color: "#53b1fd", weight: 1.2, opacity: 0.8, fillOpacity: 0 },
      grid: { color: "#2e90fa", weight: 0.8, opacity: 0.7, fillColor: "#0b1a33", fillOpacity: 0.55 },
    },
  };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  function draw(el, options) {
    const opts = Object.assign({ theme: "light", labelDepth: 1, zoomControl: true }, options || {});
    const theme = THEMES[opts.theme] || THEMES.light;
    const map = L.map(el, { attributionControl: !!opts.tiles, zoomControl: opts.zoomControl, zoomSnap: 0.25 });
    if (opts.tiles) L.tileLayer(opts.tiles, { attribution: opts.attribution || "", maxZoom: 19 }).addTo(map);
    return fetch(opts.url, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { features: [] }))
      .then((data) => {
        const features = data.features || [];
        const self = features.find((f) => f.properties.role === "self");
        const top = self ? LEVELS.indexOf(self.properties.level) : 0;
        const byCode = {};
        const layers = {};
        const labels = {};
        // Wider areas first, so that grids lie on top and take the clicks.
        LEVELS.forEach((level) => {
          const ofLevel = features.filter((f) => f.properties.level === level);
          if (!ofLevel.length) return;
          layers[level] = L.geoJSON(ofLevel, {
            style: (f) => (f.properties.role === "self" ? theme.self : theme[level]),
            onEachFeature: (f, layer) => { byCode[f.properties.code] = layer; },
          }).addTo(map);
          labels[level] = L.layerGroup(
            ofLevel.filter((f) => f.properties.role !== "self" && f.properties.label).map((f) =>
              L.marker(f.properties.label, {
                interactive: false,
                keyboard: false,
                icon: L.divIcon({ className: `map-label level-${level}`, html: `<span>${esc(f.properties.name)}</span>`, iconSize: null }),
              })
            )
          );
        });
        const bounds = self ? L.geoJSON(self).getBounds() : L.featureGroup(Object.values(layers)).getBounds();
        const fit = () => {  // again when the container has changed its size
          map.invalidateSize();
          if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
        };
        fit();
        const base = map.getZoom();
        // The child level's names at the first zoom, one level deeper per step in.
        const showLabels = () => {
          const deeper = Math.floor(map.getZoom() - base + 0.01);
          LEVELS.forEach((level, i) => {
            if (!labels[level]) return;
            const depth = i - top;
            const shown = depth >= 1 && depth <= opts.labelDepth + Math.max(0, deeper);
            if (shown && !map.hasLayer(labels[level])) labels[level].addTo(map);
            if (!shown && map.hasLayer(labels[level])) map.removeLayer(labels[level]);
          });
        };
        map.on("zoomend", showLabels);
        showLabels();
        el.dataset.loaded = String(features.length);
        el.dataset.grids = String(features.filter((f) => f.properties.level === "grid").length);
        return { map, layers, byCode, features, theme, fit };
      });
  }

  window.WanggeMap = { draw };
})();
