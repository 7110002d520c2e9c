// Small behaviours of the field pages, kept out of the templates (the Content-Security-Policy allows no
// inline script).
(function () {
  "use strict";
  // A photo input says how many photos it holds (six at most).
  document.addEventListener("change", (e) => {
    const input = e.target.closest("input[type=file][data-count]");
    if (!input) return;
    const out = document.getElementById(input.dataset.count);
    const n = input.files ? input.files.length : 0;
    out.className = n > 6 ? "field-error" : "muted";
    out.textContent = n > 6 ? `选了 ${n} 张，最多只能传 6 张，请重新拍` : n ? `已选 ${n} 张照片` : "";
  });
  // 入户走访: the visit form takes the phone's position when it may (a hidden field, empty until then).
  const point = document.getElementById("point");
  if (point && !point.value && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition((p) => {
      point.value = p.coords.latitude.toFixed(6) + "," + p.coords.longitude.toFixed(6);
      document.getElementById("where").textContent = "已附上当前位置";
    }, () => {}, { timeout: 8000 });
  }
  // 今日走访: 离我最近 orders the households by the phone's position.
  document.getElementById("nearest")?.addEventListener("click", () => {
    const note = document.getElementById("locating");
    note.hidden = false;
    navigator.geolocation.getCurrentPosition(
      (p) => { location.search = "?near=" + p.coords.latitude.toFixed(6) + "," + p.coords.longitude.toFixed(6); },
      () => { note.textContent = "无法获取位置，请在手机设置中允许定位"; },
      { enableHighAccuracy: true, timeout: 10000 });
  });
})();
