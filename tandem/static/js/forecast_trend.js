// Draws the quarter's forecast trend (one point per weekly snapshot, then now) from the numbers the
// page embeds with json_script; a click on a point opens the deals behind its series.
(function () {
  "use strict";
  const el = document.getElementById("chart-forecast-trend");
  if (!el) return;
  const data = JSON.parse(document.getElementById("forecast-trend-data").textContent);
  const { dateShort, money, moneyCompact } = window.TandemFormats;
  const currency = data.currency;
  const label = (week) => (week === "now" ? "Now" : dateShort(week));
  const series = [
    { key: "call", name: "Call (commit)", link: "call", color: "#2e86ab", dashed: false },
    { key: "forecast", name: data.forecastLabel, link: "call", color: "#f18f01", dashed: true },
    { key: "won", name: "Closed won", link: "won", color: "#3b9b5c", dashed: false },
    { key: "weighted", name: "Weighted pipeline", link: "weighted", color: "#8f5fbf", dashed: false },
  ];
  const chart = echarts.init(el);
  const encode = echarts.format.encodeHTML;
  chart.setOption({
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, data: series.map((s) => s.name) },
    tooltip: {
      trigger: "axis",
      formatter: (points) => {
        const i = points[0].dataIndex;
        const week = data.weeks[i];
        const head = week === "now" ? "Now (live)" : `Week of ${dateShort(week)}${data.numbers[i] >= 1 ? ` (week ${data.numbers[i]})` : ""}`;
        const lines = points.map((p) => `${p.marker}${encode(p.seriesName)}: <b>${money(p.value, currency)}</b>`);
        return [encode(head), ...lines].join("<br>");
      },
    },
    xAxis: { type: "category", data: data.weeks.map(label), boundaryGap: false },
    yAxis: { type: "value", axisLabel: { formatter: (v) => moneyCompact(v, currency) } },
    series: series.map((s) => ({
      type: "line",
      name: s.name,
      data: data[s.key].map((v) => (v === null ? null : Number(v))),
      connectNulls: false,
      symbolSize: 7,
      lineStyle: { type: s.dashed ? "dashed" : "solid", width: 2 },
      itemStyle: { color: s.color },
      cursor: "pointer",
    })),
  });
  chart.on("click", (params) => {
    const s = series[params.seriesIndex];
    if (s && data.links[s.link]) window.location.href = data.links[s.link];
  });
  window.addEventListener("resize", () => chart.resize());
})();
