// Draws the win rate against each competitor by fiscal quarter from the figures the page embeds
// with json_script; a point opens the closed deals behind it (the deal list filtered by competitor
// and close date).
(function () {
  "use strict";
  const el = document.getElementById("chart-competitor-win-rate");
  if (!el) return;
  const data = JSON.parse(document.getElementById("competitor-win-rate-data").textContent);
  const chart = echarts.init(el);
  chart.setOption({
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, type: "scroll" },
    tooltip: {
      trigger: "item",
      formatter: (params) => {
        const point = data.series[params.seriesIndex].points[params.dataIndex];
        // ECharts puts a formatter's string in as HTML; a competitor's name is free text.
        const name = echarts.format.encodeHTML(params.seriesName);
        const rate = point.rate === null ? "no closed deal" : `${point.rate}%`;
        return `<b>${name}</b> · ${data.quarters[params.dataIndex]}<br>Win rate ${rate}<br>${point.won} won, ${point.lost} lost`;
      },
    },
    xAxis: { type: "category", data: data.quarters },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: (v) => `${v}%` } },
    series: data.series.map((s) => ({
      type: "line",
      name: s.name,
      connectNulls: true,
      symbolSize: 8,
      cursor: "pointer",
      data: s.points.map((p) => p.rate),
    })),
  });
  chart.on("click", (params) => {
    const point = data.series[params.seriesIndex].points[params.dataIndex];
    if (point && point.url) window.location.href = point.url;
  });
  window.addEventListener("resize", () => chart.resize());
})();
