// 我要反映: where the problem is. Tap the map (the grids of the resident's community, no tiles) or use the
// phone's position; /api/v1/locate names the grid at once. Nothing here may stop the form: without Leaflet,
// a map, a position or an answer from the server, the resident still sends it with the address or the home
// grid, and every failure is said in plain words.
(function () {
  "use strict";
  const form = document.querySelector("form[data-pick]");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const lat = $("lat"), lng = $("lng"), said = $("picked"), mapEl = $("pick-map"), here = $("use-here");
  const hideMap = () => { mapEl.hidden = true; if ($("map-hint")) $("map-hint").hidden = true; };

  const GEO_REFUSED = {
    1: "没能用上您的位置：手机没有允许本网页定位。可以在地图上点一下出事的地方，或在下面填写地址。",
    2: "暂时确定不了您的位置。请在地图上点一下出事的地方，或在下面填写地址。",
    3: "定位时间太长了。可以再按一次「使用当前位置」，或在地图上点一下、填写地址。",
  };

  function say(text, tone) {
    if (!said) return;
    said.textContent = text;
    said.className = "picked" + (tone ? " " + tone : "");
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  let map = null, marker = null, asked = 0;

  function forget() {
    lat.value = "";
    lng.value = "";
    if (marker && map) map.removeLayer(marker);
    marker = null;
  }

  function place(la, ln, fromHere) {
    const mine = ++asked; // only the latest tap or position may speak
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    if (map) {
      if (marker) marker.setLatLng([la, ln]);
      else marker = L.circleMarker([la, ln], { pane: "picked", radius: 13, color: "#fff", weight: 3, fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
      if (fromHere) map.panTo([la, ln]);
    }
    say("正在查找这个位置属于哪个网格……");
    getJSON(`/api/v1/locate?lat=${lat.value}&lng=${lng.value}`).then((d) => {
      if (mine !== asked) return;
      if (d && d.found && d.grid) {
        say(`✓ 已选好位置：${d.grid.name}`, "ok");
      } else {
        forget();
        say(fromHere
          ? "您现在的位置不在本区的网格里。请在地图上点一下出事的地方，或在下面填写地址。"
          : "这个位置不在任何网格里，请换个地方点，或在下面填写地址。", "warn");
      }
    }).catch(() => {
      if (mine !== asked) return;
      say("位置已记下（暂时查不到网格名称，不影响提交）。", "ok");
    });
  }

  function drawMap() {
    if (!mapEl) return;
    if (!window.L || !mapEl.dataset.geojson) { hideMap(); return; }
    getJSON(mapEl.dataset.geojson).then((data) => {
      const features = (data && data.features) || [];
      if (!features.length) throw new Error("no grids");
      map = L.map(mapEl, { attributionControl: false, zoomSnap: 0.25 });
      map.createPane("picked").style.zIndex = 700; // the chosen point above the grids' names
      const layer = L.geoJSON(data, {
        style: (f) => (f.properties && f.properties.home
          ? { color: "#c8102e", weight: 3, fillColor: "#c8102e", fillOpacity: 0.08 }
          : { color: "#475467", weight: 1.5, fillColor: "#98a2b3", fillOpacity: 0.06 }),
        onEachFeature: (f, l) => {
          const p = f.properties || {};
          // 专属网格 (a school, a market) sit inside a grid: their names go below their middle, small.
          const nested = (p.code || "").length > 15;
          l.bindTooltip(p.home ? `${p.name}（您家）` : p.name, {
            permanent: true,
            direction: nested ? "bottom" : "center",
            className: "grid-label" + (p.home ? " home" : "") + (nested ? " nested" : ""),
          });
        },
      }).addTo(map);
      // Her own grid large in the middle, the neighbours' edges around it; all of them without a home.
      const home = layer.getLayers().filter((l) => l.feature && l.feature.properties && l.feature.properties.home);
      map.fitBounds(home.length ? L.featureGroup(home).getBounds().pad(0.3) : layer.getBounds(), { padding: [8, 8] });
      map.on("click", (e) => place(e.latlng.lat, e.latlng.lng, false));
      if (lat.value && lng.value) place(parseFloat(lat.value), parseFloat(lng.value), false); // a form sent back
    }).catch(() => {
      hideMap();
      if (!lat.value) say("地图暂时打不开。请按「使用当前位置」，或在下面填写地址；不填就按您家所在的网格处理。", "warn");
    });
  }

  if (here) {
    here.addEventListener("click", () => {
      if (!navigator.geolocation) { say(GEO_REFUSED[2], "warn"); return; }
      here.disabled = true;
      say("正在取得您的位置，请稍等……");
      navigator.geolocation.getCurrentPosition(
        (pos) => { here.disabled = false; place(pos.coords.latitude, pos.coords.longitude, true); },
        (err) => { here.disabled = false; say(GEO_REFUSED[err && err.code] || GEO_REFUSED[2], "warn"); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  }

  const photos = $("photos"), chosen = $("photos-chosen");
  if (photos && chosen) {
    photos.addEventListener("change", () => {
      const n = photos.files ? photos.files.length : 0;
      chosen.textContent = n ? `已选 ${n} 张照片` : "";
      chosen.className = n > 6 ? "h5-message error" : "h5-dim";
      if (n > 6) chosen.textContent = `选了 ${n} 张，最多只能传 6 张，请重新选`;
    });
  }

  const send = $("send");
  form.addEventListener("submit", () => { // one tap sends once
    if (send) { send.disabled = true; send.textContent = "正在提交……"; }
  });
  window.addEventListener("pageshow", () => { // back to this page: the button works again
    if (send) { send.disabled = false; send.textContent = "提交"; }
  });

  try { drawMap(); } catch (e) { if (mapEl) hideMap(); }
})();
