// The scorecards' charts: each metric's breakdown as horizontal bars; a bar opens the records behind it.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("scorecards-data").textContent);
  const charts = [];
  document.querySelectorAll("[data-metric]").forEach((el) => {
    const metric = data.metrics[el.dataset.metric];
    if (!metric || !metric.bars.length) return;
    const bars = metric.bars;
    const chart = echarts.init(el);
    chart.setOption({
      color: ["#2e86ab"],
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        // ECharts puts a formatter's string in as HTML; labels are free text.
        formatter: (params) => {
          const bar = bars[params[0].dataIndex];
          return `<b>${echarts.format.encodeHTML(bar.label)}</b><br>${echarts.format.encodeHTML(bar.text)}`;
        },
      },
      xAxis: { type: "value", axisLabel: { show: false }, splitLine: { show: false } },
      yAxis: { type: "category", inverse: true, data: bars.map((b) => b.label), axisLabel: { overflow: "truncate", width: 110 } },
      series: [{ type: "bar", data: bars.map((b) => b.value), barMaxWidth: 14, cursor: "pointer" }],
    });
    chart.on("click", (params) => { const url = bars[params.dataIndex].url; if (url) window.location.href = url; });
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
