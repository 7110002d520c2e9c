// 上报问题 (网格发现) on the grid worker's phone: the place by a tap on the map of their own grids or by the
// phone's position, the grid named at once (/api/v1/locate) and the 所在网格 choice following it; photos
// from the camera added one by one up to six, each shown small. Nothing here may stop the form: without
// Leaflet, a position or the server's answer the worker still sends it with the grid chosen below.
(function () {
  "use strict";
  const form = document.querySelector("form[data-report]");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const lat = $("lat"), lng = $("lng"), said = $("picked"), mapEl = $("pick-map"), here = $("use-here");
  const area = $("area");
  const MAX_PHOTOS = 6;

  const GEO_REFUSED = {
    1: "手机没有允许本网页定位。请在地图上点一下问题所在的位置，或在下面选择网格。",
    2: "暂时确定不了您的位置（信号弱或定位关闭）。请在地图上点一下，或在下面选择网格。",
    3: "定位超时了。可以再按一次「使用当前位置」，或在地图上点一下。",
  };

  function say(text, tone) {
    said.textContent = text;
    said.className = "picked" + (tone ? " " + tone : "");
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function chooseGrid(code) {
    // The fallback choice follows the point when the point lies in one of the worker's grids.
    if (!area || !code || area.value === code) return true;
    const option = Array.from(area.options).find((o) => o.value === code);
    if (!option) return false;
    area.value = code;
    area.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
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
      else marker = L.circleMarker([la, ln], { pane: "picked", radius: 12, color: "#fff", weight: 3, fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
      if (fromHere) map.panTo([la, ln]);
    }
    say("正在查找这个位置属于哪个网格……");
    getJSON(`/api/v1/locate?lat=${lat.value}&lng=${lng.value}`).then((d) => {
      if (mine !== asked) return;
      if (d && d.found && d.grid) {
        if (chooseGrid(d.grid.code)) say(`✓ 位置已选好：${d.grid.name}`, "ok");
        else say(`✓ 位置在${d.grid.name}（不是您负责的网格），提交后交给该网格办理`, "warn");
      } else {
        forget();
        say(fromHere
          ? "您现在的位置不在任何网格里。请在地图上点一下问题所在的位置，或按下面选的网格上报。"
          : "这个位置不在任何网格里，请在网格范围内点一下，或按下面选的网格上报。", "warn");
      }
    }).catch(() => {
      if (mine !== asked) return;
      say("位置已记下（暂时查不到网格名称，不影响提交）。", "ok");
    });
  }

  function drawMap() {
    const data = JSON.parse(($("grids-data") || {}).textContent || "null");
    const features = (data && data.features) || [];
    if (!window.L || !features.length) throw new Error("no map");
    // One finger scrolls the page past the map (the whole grid is in view; + and − zoom): a map that
    // took every swipe would trap the thumb above the 提交 button.
    map = L.map(mapEl, { attributionControl: false, zoomSnap: 0.25, dragging: !L.Browser.mobile, scrollWheelZoom: false });
    map.createPane("picked").style.zIndex = 700; // the chosen point above the grids' names
    const layer = L.geoJSON(data, {
      style: (f) => (f.properties && f.properties.home
        ? { color: "#c8102e", weight: 3, fillColor: "#c8102e", fillOpacity: 0.06 }
        : { color: "#475467", weight: 1.5, dashArray: "4 4", fillColor: "#98a2b3", fillOpacity: 0.08 }),
      onEachFeature: (f, l) => {
        const p = f.properties || {};
        const nested = (p.code || "").length > 15; // a 专属网格 inside the grid: its name small, below
        // the grid's name above the middle, a nested one's below it, so the two never overlap
        l.bindTooltip(p.name, { permanent: true, direction: nested ? "bottom" : "top", offset: nested ? [0, 14] : [0, -18], className: "grid-label" + (nested ? " nested" : "") });
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [6, 6] });
    map.on("click", (e) => place(e.latlng.lat, e.latlng.lng, false));
    mapEl.dataset.ready = "1";
    if (lat.value && lng.value) place(parseFloat(lat.value), parseFloat(lng.value), false); // a form sent back
  }

  try { drawMap(); } catch (e) {
    mapEl.hidden = true;
    $("map-hint").hidden = true;
  }

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

  // Each camera shot is added to the ones before (the input alone would keep only the last pick).
  const photos = $("photos"), thumbs = $("thumbs");
  const kept = window.DataTransfer ? new DataTransfer() : null;
  function showThumbs(note) {
    thumbs.textContent = "";
    const files = photos.files ? Array.from(photos.files) : [];
    files.forEach((file, i) => {
      const box = document.createElement("span");
      box.className = "thumb";
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = `照片${i + 1}`;
      box.appendChild(img);
      if (kept) {
        const drop = document.createElement("button");
        drop.type = "button";
        drop.className = "drop";
        drop.setAttribute("aria-label", `去掉照片${i + 1}`);
        drop.textContent = "×";
        drop.addEventListener("click", () => { kept.items.remove(i); photos.files = kept.files; showThumbs(""); });
        box.appendChild(drop);
      }
      thumbs.appendChild(box);
    });
    const count = document.createElement("span");
    count.className = note ? "field-error" : "muted";
    count.textContent = note || (files.length ? `已选 ${files.length} 张` : "");
    thumbs.appendChild(count);
  }
  photos.addEventListener("change", () => {
    let note = "";
    if (kept) {
      for (const file of Array.from(photos.files || [])) {
        if (kept.files.length >= MAX_PHOTOS) { note = `最多${MAX_PHOTOS}张，多出的没有加上`; break; }
        kept.items.add(file);
      }
      photos.files = kept.files;
    } else if (photos.files && photos.files.length > MAX_PHOTOS) {
      note = `选了 ${photos.files.length} 张，最多只能传 ${MAX_PHOTOS} 张，请重新拍`;
    }
    showThumbs(note);
  });

  const send = $("send");
  form.addEventListener("submit", () => { send.disabled = true; send.textContent = "正在提交……"; }); // one tap sends once
  window.addEventListener("pageshow", () => { send.disabled = false; send.textContent = "提交上报"; });
})();
