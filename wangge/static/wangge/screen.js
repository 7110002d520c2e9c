// 一屏知全域: the big screen. Reads /api/v1/screen/CODE on load and every data-refresh seconds (no
// reload), and draws the KPIs, the charts, the map's figures, the rankings, the ticker, the registry and
// the directives. Figures are written as people read them: 81.9%, 2小时55分, 11月27日.
(function () {
  const root = document.getElementById("screen");
  if (!root || !window.echarts) return;
  const REFRESH = Number(root.dataset.refresh || 30);
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  // --- formats ---------------------------------------------------------------------------------
  const pct = (v) => (v == null ? "—" : (Math.round(v * 1000) / 10).toFixed(1) + "%");
  const num = (n) => (n == null ? "—" : Number(n).toLocaleString("zh-CN"));
  function dur(min) {
    if (min == null) return "—";
    const m = Math.round(min);
    if (m < 60) return m + "分";
    if (m < 1440) return Math.floor(m / 60) + "小时" + (m % 60 ? (m % 60) + "分" : "");
    const h = Math.floor((m % 1440) / 60);
    return Math.floor(m / 1440) + "天" + (h ? h + "小时" : "");
  }
  const md = (iso) => { const [, mo, d] = iso.split("-"); return `${Number(mo)}月${Number(d)}日`; };
  const monthLabel = (iso, i) => { const [y, mo] = iso.split("-"); return (i === 0 || mo === "01") ? `${y}年${Number(mo)}月` : `${Number(mo)}月`; };

  // --- the clock -------------------------------------------------------------------------------
  // The district's own time (the server's zone), whatever the wall computer's clock is set to.
  const zone = root.dataset.tz || undefined;
  const dateFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, year: "numeric", month: "long", day: "numeric", weekday: "long" });
  const timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const shortFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
  function tick() {
    const now = new Date();
    $("clock-date").textContent = dateFormat.format(now);
    $("clock-time").textContent = timeFormat.format(now);
  }
  tick();
  setInterval(tick, 1000);

  // --- KPIs ------------------------------------------------------------------------------------
  const KPIS = [
    { key: "accepted", label: "受理量", kind: "count" },
    { key: "closure_rate", label: "办结率", kind: "rate" },
    { key: "on_time_rate", label: "按时办结率", kind: "rate" },
    { key: "satisfaction_rate", label: "满意率", kind: "rate" },
    { key: "callback_rate", label: "回访率", kind: "rate" },
    { key: "response_minutes", label: "响应时长", kind: "duration", lowerBetter: true },
    { key: "solved_in_grid_rate", label: "网格内解决率", kind: "rate" },
    { key: "summons_rate", label: "吹哨报到率", kind: "rate" },
  ];
  const show = (kind, v) => (kind === "rate" ? pct(v) : kind === "duration" ? dur(v) : num(v));
  // The change against the period compared with: [text, "up"|"down"|"flat", "good"|"bad"|""].
  function change(def, now, before) {
    if (now == null || before == null) return ["—", "flat", ""];
    const d = now - before;
    if (Math.abs(d) < 1e-9) return ["持平", "flat", ""];
    const arrow = d > 0 ? "▲" : "▼";
    let text;
    if (def.kind === "rate") text = `${arrow}${Math.abs(Math.round(d * 1000) / 10).toFixed(1)}个百分点`;
    else if (def.kind === "duration") text = `${arrow}${dur(Math.abs(d))}`;
    else if (before && now / before >= 10) text = `${arrow}${Math.round(now / before)}倍`;
    else text = before ? `${arrow}${Math.abs(Math.round((d / before) * 1000) / 10).toFixed(1)}%` : `${arrow}${num(Math.abs(d))}`;
    const better = def.kind === "count" ? "" : (d > 0) !== !!def.lowerBetter ? "good" : "bad";
    return [text, d > 0 ? "up" : "down", better];
  }
  function kpis(headline) {
    const f = headline.figures;
    $("kpis").innerHTML = KPIS.map((def) => {
      const [mText, mDir, mGood] = change(def, f.month[def.key], f.last_month[def.key]);
      const minor = [["今日", "today", "yesterday"], ["本年", "year", "last_year"]].map(([label, a, b]) => {
        const [t, dir, good] = change(def, f[a][def.key], f[b][def.key]);
        return `<div><dt>${label}</dt><dd data-period="${a}">${show(def.kind, f[a][def.key])}</dd><dd class="delta ${dir} ${good}" title="${esc(headline.pairs.find((p) => p.now === a).label)}">${t}</dd></div>`;
      }).join("");
      return `<article class="kpi-card" data-kpi="${def.key}"><h3>${def.label}</h3>` +
        `<p class="big" data-period="month">${show(def.kind, f.month[def.key])}</p>` +
        `<p class="delta ${mDir} ${mGood}"><span>本月 较上月同期</span> ${mText}</p><dl>${minor}</dl></article>`;
    }).join("");
  }

  // --- charts ----------------------------------------------------------------------------------
  const CHANNEL_COLOURS = {
    h5: "#2e90fa", 12345: "#f79009", provincial: "#9e77ed", phone: "#32d583", wechat: "#22ccee",
    grid: "#f670c7", visit: "#fdb022", sensor: "#f97066", staff: "#98a2b3", api: "#667085",
    proactive: "#a6ef67", wish: "#ff9c66",
  };
  const charts = {};
  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init($(id), "dark", { renderer: "canvas" });
    }
    return charts[id];
  }
  // Pixel sizes for the charts, scaled like the page (its root font follows the width: 1 at 1920).
  const px = (n) => Math.round(n * parseFloat(getComputedStyle(document.documentElement).fontSize) / 16);
  const baseOption = () => ({
    backgroundColor: "transparent",
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif", fontSize: px(13) },
    grid: { left: px(8), right: px(12), top: px(34), bottom: px(4), containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontSize: px(13) } },
  });
  // Room for the legend: about how many rows its names take at the chart's width.
  function legendHeight(id, channels) {
    const width = $(id).clientWidth || 400;
    const used = channels.reduce((sum, c) => sum + px(22) + px(11) * c.name.length, 0);
    return px(10) + px(18) * Math.max(1, Math.ceil(used / width));
  }
  function channelBars(id, labels, channels, pick, formatLabel) {
    chart(id).setOption(Object.assign(baseOption(), {
      legend: { top: 0, left: 0, right: 0, itemGap: px(8), itemWidth: px(10), itemHeight: px(8), textStyle: { color: "#cfd8e3", fontSize: px(11) } },
      grid: { left: px(8), right: px(12), top: legendHeight(id, channels), bottom: px(4), containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { formatter: formatLabel, color: "#9fb3c8", fontSize: px(12) } },
      yAxis: { type: "value", splitLine: { lineStyle: { color: "#1d3557" } }, axisLabel: { color: "#9fb3c8", fontSize: px(12) } },
      series: channels.map((c) => ({
        name: c.name, type: "bar", stack: "all", data: c[pick], barMaxWidth: px(22),
        itemStyle: { color: CHANNEL_COLOURS[c.key] || "#98a2b3" },
      })),
    }), { replaceMerge: ["series"] });
  }
  function trends(t) {
    channelBars("chart-days", t.days.map(md), t.channels, "days", (v) => v.replace(/^\d+月/, ""));
    channelBars("chart-months", t.months.map(monthLabel), t.channels, "months", (v) => v);
  }
  function categories(rows) {
    const shown = rows.slice().reverse();
    chart("chart-categories").setOption(Object.assign(baseOption(), {
      legend: { top: 0, itemWidth: px(14), itemHeight: px(9), textStyle: { color: "#cfd8e3", fontSize: px(12) } },
      grid: { left: px(8), right: px(56), top: px(30), bottom: px(4), containLabel: true },
      xAxis: { type: "value", splitLine: { show: false }, axisLabel: { show: false } },
      yAxis: { type: "category", data: shown.map((r) => r.name), axisLabel: { color: "#e6edf5", fontSize: px(14) } },
      series: [
        { name: "本月", type: "bar", data: shown.map((r) => r.count), itemStyle: { color: "#f79009" }, barMaxWidth: px(16),
          label: { show: true, position: "right", color: "#e6edf5", fontSize: px(13), formatter: (p) => {
            const r = shown[p.dataIndex]; const d = r.count - r.before;
            return `${r.count}${d ? (d > 0 ? " ▲" : " ▼") + Math.abs(d) : ""}`;
          } } },
        { name: "上月同期", type: "bar", data: shown.map((r) => r.before), itemStyle: { color: "#344054" }, barMaxWidth: px(16) },
      ],
    }), { replaceMerge: ["series"] });
  }

  // --- map -------------------------------------------------------------------------------------
  const SHADES = ["#12375c", "#1f6fb2", "#f5b93d", "#f2792b", "#d92d20"];
  let drawn = null;
  let overlay = null;
  const mapReady = window.WanggeMap
    ? WanggeMap.draw($("screen-map"), { url: root.dataset.map, theme: "dark", labelDepth: 2, tiles: root.dataset.tiles, attribution: root.dataset.attribution })
      .then((d) => { drawn = d; return d; })
      .catch(() => null)
    : Promise.resolve(null);
  // Five classes by the values' own spread, so a quiet day and a busy one both read.
  function breaks(values) {
    const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
    if (!sorted.length) return [];
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return [...new Set([at(0.2), at(0.4), at(0.6), at(0.8)].map((v) => Math.round(v * 10) / 10))];
  }
  const shade = (v, cuts) => (v == null ? "#0b1a33" : SHADES[Math.min(SHADES.length - 1, cuts.filter((c) => v > c).length + (SHADES.length - 1 - cuts.length))]);
  let fitted = false;
  function mapFigures(m) {
    if (!drawn) return;
    if (!fitted) { drawn.fit(); fitted = true; }  // once the panel has its final size
    const usePer1000 = Object.values(m.grids).some((g) => g.per_1000 != null);
    const value = (g) => (usePer1000 ? g.per_1000 : g.open);
    const cuts = breaks(Object.values(m.grids).map(value));
    $("map-caption").textContent = usePer1000 ? "未办结诉求 · 每千户" : "未办结诉求（件）";
    Object.entries(m.grids).forEach(([code, g]) => {
      const layer = drawn.byCode[code];
      if (!layer) return;
      layer.setStyle({ fillColor: shade(value(g), cuts), fillOpacity: 0.75, color: g.overdue ? "#fda29b" : "#2e90fa", weight: g.overdue ? 1.6 : 0.8 });
      const name = layer.feature ? layer.feature.properties.name : code;
      layer.bindPopup(
        `<b>${esc(name)}</b>${g.head ? `<br>网格长 ${esc(g.head)}` : ""}<br>未办结 ${num(g.open)} 件 · 超时 <b class="${g.overdue ? "bad" : ""}">${num(g.overdue)}</b> 件` +
        `<br>${g.households ? `${num(g.households)} 户 · 每千户 ${g.per_1000} 件` : "户数未登记"}`,
        { className: "screen-popup" }
      );
    });
    const labels = ["≤" + (cuts[0] ?? 0)].concat(cuts.map((c, i) => (i + 1 < cuts.length ? `${c}–${cuts[i + 1]}` : `>${c}`)));
    const offset = SHADES.length - 1 - cuts.length;
    $("map-legend").innerHTML = labels.map((l, i) => `<span><i style="background:${SHADES[i + offset]}"></i>${l}</span>`).join("") +
      `<span><i class="pt"></i>未办结诉求</span><span><i class="pt urgent"></i>紧急</span><span><i class="hot">热</i>未诉先办热点</span>`;
    if (overlay) drawn.map.removeLayer(overlay);
    overlay = L.layerGroup();
    m.points.forEach((p) => L.circleMarker([p.lat, p.lng], p.urgent
      ? { radius: 6, color: "#fff", weight: 1.5, fillColor: "#f04438", fillOpacity: 1, className: "urgent-point", interactive: false }
      : { radius: 3, color: "#fef0c7", weight: 0.5, fillColor: "#fdb022", fillOpacity: 0.9, interactive: false }).addTo(overlay));
    m.hotspots.forEach((h) => {
      if (h.lat == null) return;
      L.marker([h.lat, h.lng], { icon: L.divIcon({ className: "hot-marker", html: "热", iconSize: [22, 22] }) })
        .bindTooltip(`${esc(h.area)} · ${esc(h.category)}<br>${esc(h.reason)}`, { className: "screen-popup" }).addTo(overlay);
    });
    overlay.addTo(drawn.map);
    $("screen-map").dataset.points = String(m.points.length);
    $("screen-map").dataset.shaded = String(Object.keys(m.grids).length);
  }

  // --- rankings, ticker, registry, directives ---------------------------------------------------
  // All the rows when they fit, else the best and the worst with a gap between: [rank, row or null].
  function bestAndWorst(rows, fit) {
    if (rows.length <= fit) return rows.map((r, i) => [i + 1, r]);
    const half = Math.floor((fit - 1) / 2);
    return rows.slice(0, half).map((r, i) => [i + 1, r]).concat([[null, null]], rows.slice(-half).map((r, i) => [rows.length - half + 1 + i, r]));
  }
  const rateCell = (v, low) => `<td class="num${v != null && v < low ? " bad" : ""}">${pct(v)}</td>`;
  function rankAreas(rows) {
    if (!rows.length) { $("rank-areas").innerHTML = '<p class="empty">本月还没有下级数据</p>'; return; }
    const n = rows.length;
    $("rank-areas").innerHTML = `<table class="screen-table"><thead><tr><th>#</th><th>区域</th><th class="num">受理</th><th class="num">办结率</th><th class="num">满意率</th><th class="num">退单率</th><th class="num">吹哨报到</th><th class="num">超时</th></tr></thead><tbody>` +
      bestAndWorst(rows, 9).map(([rank, r]) => (r == null ? '<tr class="gap"><td colspan="8">…</td></tr>'
        : `<tr class="${rank <= 3 ? "best" : rank > n - 3 && n > 5 ? "worst" : ""}"><td>${rank}</td><td>${esc(r.name)}</td><td class="num">${num(r.accepted)}</td>${rateCell(r.closure_rate, 0.8)}${rateCell(r.satisfaction_rate, 0.9)}<td class="num">${pct(r.return_rate)}</td>${rateCell(r.summons_rate, 0.9)}<td class="num${r.overdue ? " bad" : ""}">${num(r.overdue)}</td></tr>`)).join("") +
      "</tbody></table>";
  }
  function rankUnits(rows) {
    if (!rows.length) { $("rank-units").innerHTML = '<p class="empty">本月还没有单位主办的诉求</p>'; return; }
    const n = rows.length;
    const shown = bestAndWorst(rows, 9);
    $("rank-units").innerHTML = `<table class="screen-table"><thead><tr><th>#</th><th>单位</th><th class="num">主办</th><th class="num">办结率</th><th class="num">满意率</th><th class="num">退单率</th><th class="num">吹哨未报到</th></tr></thead><tbody>` +
      shown.map(([rank, r]) => (r == null ? '<tr class="gap"><td colspan="7">…</td></tr>'
        : `<tr class="${rank > n - 2 && n > 4 ? "worst" : ""}"><td>${rank}</td><td>${esc(r.name)}</td><td class="num">${num(r.accepted)}</td>${rateCell(r.closure_rate, 0.8)}${rateCell(r.satisfaction_rate, 0.9)}<td class="num">${pct(r.return_rate)}</td><td class="num${r.missed ? " bad" : ""}">${num(r.missed)}</td></tr>`)).join("") +
      "</tbody></table>";
  }
  const seen = new Set();
  let firstTicker = true;
  function ticker(t) {
    $("ticker").innerHTML = t.newest.map((r) => {
      const fresh = !firstTicker && !seen.has(r.id);
      seen.add(r.id);
      return `<li class="${fresh ? "fresh" : ""}${r.urgent ? " urgent" : ""}" data-ticket="${r.id}"><time>${esc(r.time)}</time><span class="chan">${esc(r.channel)}</span><span class="what">${r.category ? `<b>${esc(r.category)}</b> ` : ""}${esc(r.title)}</span><small>${esc(r.area)}</small></li>`;
    }).join("") || '<li class="empty">暂无诉求</li>';
    firstTicker = false;
    $("escalations").innerHTML = t.escalations.map((r) =>
      `<li><time>${esc(r.time)}</time><span class="chan up">${esc(r.level)}</span><span class="what">${esc(r.title)}</span><small>${esc(r.area)}</small></li>`
    ).join("") || '<li class="empty">没有升级中的诉求</li>';
  }
  function registry(r) {
    $("registry").innerHTML =
      `<div class="figs"><p><b>${num(r.households)}</b>户</p><p><b>${num(r.residents)}</b>人</p>` +
      `<p class="visits">走访超期 <b class="${r.visits_overdue ? "bad" : ""}">${num(r.visits_overdue)}</b>户<br>近期到期 <b>${num(r.visits_due)}</b>户</p></div>` +
      `<ul class="care">${r.care.map((c) => `<li class="level-${esc(c.key)}"><span>${esc(c.name)}</span><b>${num(c.count)}</b></li>`).join("")}</ul>`;
  }
  function directives(rows) {
    $("directives").innerHTML = rows.slice(0, 3).map((d) =>
      `<li class="${d.overdue && d.rate < 1 ? "late" : ""}"><span class="title">${esc(d.title)}</span><span class="bar"><i style="width:${Math.round(d.rate * 100)}%"></i></span><span class="rate">${num(d.reported)}/${num(d.total)} · ${pct(d.rate)}</span></li>`
    ).join("") || '<li class="empty">近30天没有下达到本区域的指令</li>';
  }
  function emergency(e) {
    const el = $("emergency");
    el.hidden = !e;
    if (e) {
      el.innerHTML = `⚠ <b>${esc(e.area)}处于应急状态</b>：${esc(e.reason)}（${esc(shortFormat.format(new Date(e.since)))}起）`;
    }
  }

  // --- refresh ---------------------------------------------------------------------------------
  let refreshes = 0;
  let last = "";
  let latest = null;
  function refresh() {
    return fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then((d) => {
        latest = d;
        kpis(d.headline);
        trends(d.trends);
        categories(d.categories);
        $("rank-level").textContent = d.rankings.level || "下级";
        // The standings are read once a minute (stats/screen.py): say when, or nothing.
        const drawnUp = d.rankings.text ? " · " + d.rankings.text + " 排定" : "";
        $("rank-at").textContent = drawnUp;
        $("categories-at").textContent = drawnUp;
        rankAreas(d.rankings.areas);
        rankUnits(d.rankings.units);
        ticker(d.ticker);
        registry(d.registry);
        directives(d.directives);
        emergency(d.emergency);
        mapReady.then(() => mapFigures(d.map));
        last = d.generated_text;
        refreshes += 1;
        root.dataset.refreshes = String(refreshes);
        $("refreshed").className = "screen-refreshed";
        $("refreshed").textContent = `数据更新于 ${last} · 每${REFRESH}秒自动刷新`;
      })
      .catch(() => {
        $("refreshed").className = "screen-refreshed failed";
        $("refreshed").textContent = `刷新失败，${REFRESH}秒后重试${last ? `（上次更新 ${last}）` : ""}`;
      });
  }
  // A wall of another size: the charts drawn again at its scale, the map fitted again.
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      Object.values(charts).forEach((c) => c.resize());
      if (latest) { trends(latest.trends); categories(latest.categories); }
      if (drawn) drawn.fit();
    }, 150);
  });
  window.wanggeScreen = { charts, refresh };
  refresh();
  setInterval(refresh, REFRESH * 1000);
})();
