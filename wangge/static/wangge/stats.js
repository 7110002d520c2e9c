// The statistics page's charts: the trend (submitted, and closed of them, per day or month), the channels
// and categories as bars, and the child areas' closure and satisfaction in percent.
(function () {
  if (!window.echarts) return;
  const charts = [];
  const draw = (id, option) => {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el);
    chart.setOption(Object.assign({ textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" } }, option));
    charts.push(chart);
  };
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  const pct = (v) => (v === null ? null : Math.round(v * 1000) / 10);
  const md = (iso) => { const [, m, d] = iso.split("-"); return `${Number(m)}月${Number(d)}日`; };
  const ym = (iso) => { const [y, m] = iso.split("-"); return `${y}年${Number(m)}月`; };

  const source = document.getElementById("stats-charts");
  if (source) {
    const data = JSON.parse(source.textContent);
    const label = data.by_month ? ym : md;
    draw("trend-chart", {
      grid: { left: 8, right: 36, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", boundaryGap: false, data: data.trend.map((p) => label(p.at)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "提交", type: "line", smooth: false, symbolSize: 5, data: data.trend.map((p) => p.submitted), itemStyle: { color: "#2e90fa" }, areaStyle: { opacity: 0.12 } },
        { name: "其中已办结", type: "line", smooth: false, symbolSize: 5, data: data.trend.map((p) => p.closed), itemStyle: { color: "#12b76a" } },
      ],
    });
    const bars = (id, rows, colour) => draw(id, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { show: false }, splitLine: { show: false } },  // each bar says its count
      yAxis: { type: "category", data: rows.map((r) => r.name).reverse(), axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ name: "提交", type: "bar", data: rows.map((r) => r.n).reverse(), itemStyle: { color: colour }, barMaxWidth: 18, label: { show: true, position: "right" } }],
    });
    bars("channel-chart", data.channels, "#2e90fa");
    bars("category-chart", data.categories.slice(0, 10), "#f79009");
  }

  const ranking = document.getElementById("ranking-data");
  if (ranking) {
    const rows = JSON.parse(ranking.textContent);
    draw("ranking-chart", {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : v + "%") },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 8 ? 35 : 0 } },
      yAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "办结率", type: "bar", data: rows.map((r) => pct(r.closure)), itemStyle: { color: "#2e90fa" } },
        { name: "满意率", type: "bar", data: rows.map((r) => pct(r.satisfaction)), itemStyle: { color: "#12b76a" },
          markLine: { silent: true, symbol: "none", data: [{ yAxis: 90, name: "90%" }], lineStyle: { color: "#d92d20" }, label: { formatter: "90%" } } },
      ],
    });
  }
})();
