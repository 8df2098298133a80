// Draws the pipeline dashboard from the numbers the page embeds with json_script.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const { money: formatMoney, moneyCompact, number } = window.TandemFormats;
  const money = (value) => formatMoney(value, data.currency);
  const short = (value) => moneyCompact(value, data.currency);
  const colors = ["#2e86ab", "#1f3a5f", "#f18f01", "#c73e1d", "#6a994e"];
  const charts = [];
  const open = (url) => { if (url) window.location.href = url; };

  const stagesEl = document.getElementById("chart-stages");
  if (stagesEl) {
    const chart = echarts.init(stagesEl);
    chart.setOption({
      color: colors,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (params) => {
          const stage = data.stages[params[0].dataIndex];
          // ECharts puts a formatter's string in as HTML; a stage name is an admin's free text.
          return `<b>${echarts.format.encodeHTML(stage.name)}</b><br>${money(stage.total)}<br>${number(stage.count)} deal${stage.count === 1 ? "" : "s"}`;
        },
      },
      xAxis: { type: "value", axisLabel: { formatter: short } },
      yAxis: { type: "category", inverse: true, data: data.stages.map((s) => s.name) },
      series: [{ type: "bar", name: "Open pipeline", data: data.stages.map((s) => s.total), barMaxWidth: 28,
                 itemStyle: { borderRadius: [0, 4, 4, 0] }, cursor: "pointer" }],
    });
    // A bar opens the open deals in its stage.
    chart.on("click", (params) => open(data.stages[params.dataIndex].url));
    charts.push(chart);
  }

  const monthsEl = document.getElementById("chart-close-months");
  if (monthsEl) {
    const months = data.close_months;
    const categoryColors = { commit: "#1f3a5f", best_case: "#2e86ab", pipeline: "#9cc5e0", omitted: "#c9ced6" };
    const chart = echarts.init(monthsEl);
    chart.setOption({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (params) => {
          const lines = params.filter((p) => months.series[p.seriesIndex].points[p.dataIndex].count)
            .map((p) => {
              const point = months.series[p.seriesIndex].points[p.dataIndex];
              return `${p.marker}${p.seriesName}: ${money(point.total)} (${number(point.count)} deal${point.count === 1 ? "" : "s"})`;
            });
          return `<b>${months.months[params[0].dataIndex]}</b><br>${lines.join("<br>") || "No open deal"}`;
        },
      },
      xAxis: { type: "category", data: months.months },
      yAxis: { type: "value", axisLabel: { formatter: short } },
      series: months.series.map((s) => ({
        type: "bar", stack: "close", name: s.name, color: categoryColors[s.category], barMaxWidth: 40, cursor: "pointer",
        data: s.points.map((p) => p.total),
      })),
    });
    // A segment opens the open deals of its forecast category closing in its month.
    chart.on("click", (params) => open(months.series[params.seriesIndex].points[params.dataIndex].url));
    charts.push(chart);
  }

  const quartersEl = document.getElementById("chart-quarters");
  const hasQuota = data.quarters.some((q) => q.quota !== null);
  const chart = echarts.init(quartersEl);
  chart.setOption({
    color: colors,
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: money },
    xAxis: { type: "category", data: data.quarters.map((q) => q.label) },
    yAxis: { type: "value", axisLabel: { formatter: short } },
    series: [
      { type: "bar", name: "Won", data: data.quarters.map((q) => q.won), barMaxWidth: 36, itemStyle: { borderRadius: [4, 4, 0, 0] } },
      ...(hasQuota ? [{ type: "line", name: "Quota", data: data.quarters.map((q) => q.quota), color: "#f18f01",
                        symbolSize: 8, lineStyle: { width: 3 } }] : []),
    ],
  });
  charts.push(chart);
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
