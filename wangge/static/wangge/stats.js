// The statistics page's ranking as bars: closure and satisfaction per child area, in percent.
(function () {
  const el = document.getElementById("ranking-chart");
  const data = document.getElementById("ranking-data");
  if (!el || !data || !window.echarts) return;
  const rows = JSON.parse(data.textContent);
  const chart = echarts.init(el);
  const pct = (v) => (v === null ? null : Math.round(v * 1000) / 10);
  chart.setOption({
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : v + "%") },
    xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 8 ? 35 : 0 } },
    yAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "办结率", type: "bar", data: rows.map((r) => pct(r.closure)), itemStyle: { color: "#2e90fa" } },
      { name: "满意率", type: "bar", data: rows.map((r) => pct(r.satisfaction)), itemStyle: { color: "#12b76a" },
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 90, name: "90%" }], lineStyle: { color: "#d92d20", type: "dashed" }, label: { formatter: "90%" } } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
