// Draws the lead funnel from the counts the page embeds with json_script.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("funnel-data").textContent);
  const { number } = window.TandemFormats;
  const el = document.getElementById("chart-funnel");
  if (!el) return;
  const groups = data.groups;
  const chart = echarts.init(el);
  chart.setOption({
    color: ["#1f3a5f", "#2e86ab", "#f18f01", "#6a994e"],
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (params) => {
        const g = groups[params[0].dataIndex];
        // ECharts puts a formatter's string in as HTML; a campaign or a rep's name is free text.
        return `<b>${echarts.format.encodeHTML(g.label)}</b><br>` +
          `${number(g.leads)} leads<br>` +
          `${number(g.qualified)} qualified (${g.qualified_rate})<br>` +
          `${number(g.converted)} converted (${g.converted_rate} of qualified)<br>` +
          `${number(g.won)} won (${g.won_rate} of converted)`;
      },
    },
    xAxis: { type: "category", data: groups.map((g) => g.label), axisLabel: { interval: 0, overflow: "truncate", width: 110 } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number(v) } },
    series: [
      { type: "bar", name: "Leads", data: groups.map((g) => g.leads), barMaxWidth: 28 },
      { type: "bar", name: "Qualified", data: groups.map((g) => g.qualified), barMaxWidth: 28 },
      { type: "bar", name: "Converted", data: groups.map((g) => g.converted), barMaxWidth: 28 },
      { type: "bar", name: "Won", data: groups.map((g) => g.won), barMaxWidth: 28 },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
