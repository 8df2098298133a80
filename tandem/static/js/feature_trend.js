// Draws a feature's asks per week (the last 13 weeks) from the numbers the page embeds with json_script.
(function () {
  "use strict";
  const el = document.getElementById("chart-ask-trend");
  const data = JSON.parse(document.getElementById("ask-trend-data").textContent);
  const { dateShort, number } = window.TandemFormats;
  const chart = echarts.init(el);
  chart.setOption({
    color: ["#2e86ab"],
    grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", formatter: (p) => `Week of ${dateShort(p[0].axisValue)}<br>${number(p[0].value)} ask${p[0].value === 1 ? "" : "s"}` },
    xAxis: { type: "category", data: data.weeks, axisLabel: { formatter: dateShort } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: "Asks", data: data.asks, barMaxWidth: 24, itemStyle: { borderRadius: [3, 3, 0, 0] } }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
