// Draws the attainment page's charts from the figures it embeds with json_script; a bar opens the
// deals behind it (the deal list filtered by rep, or by competitor, segment or lead source).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("attainment-data").textContent);
  const { money: formatMoney, moneyCompact, number } = window.TandemFormats;
  const currency = data.attainment.currency;
  const money = (value) => formatMoney(value, currency);
  const charts = [];
  const open = (url) => { if (url) window.location.href = url; };

  const repsEl = document.getElementById("chart-attainment");
  if (repsEl) {
    const reps = data.attainment.reps;
    const chart = echarts.init(repsEl);
    repsEl.style.height = Math.max(260, reps.length * 28 + 60) + "px";
    chart.resize();
    chart.setOption({
      color: ["#2e86ab", "#f18f01"],
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (params) => {
          const rep = reps[params[0].dataIndex];
          // ECharts puts a formatter's string in as HTML; a name is free text.
          return `<b>${echarts.format.encodeHTML(rep.name)}</b><br>Won ${money(rep.won)}<br>Quota ${money(rep.quota)}<br>Attainment ${rep.attainment}`;
        },
      },
      xAxis: { type: "value", axisLabel: { formatter: (v) => moneyCompact(v, currency) } },
      yAxis: { type: "category", inverse: true, data: reps.map((r) => r.name), axisLabel: { overflow: "truncate", width: 120 } },
      series: [
        { type: "bar", name: "Won", data: reps.map((r) => r.won), barMaxWidth: 14, cursor: "pointer" },
        { type: "bar", name: "Quota", data: reps.map((r) => r.quota), barMaxWidth: 14, cursor: "pointer" },
      ],
    });
    chart.on("click", (params) => open(reps[params.dataIndex].url));
    charts.push(chart);
  }

  const rateEl = document.getElementById("chart-win-rate");
  const chooser = document.getElementById("win-rate-by");
  if (rateEl) {
    const chart = echarts.init(rateEl);
    const draw = (by) => {
      const rows = data.win_rates[by].rows;
      chart.setOption({
        color: ["#6a994e"],
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: (params) => {
            const row = rows[params[0].dataIndex];
            return `<b>${echarts.format.encodeHTML(row.label)}</b><br>Win rate ${row.rate_text}<br>${number(row.won)} won, ${number(row.lost)} lost`;
          },
        },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: (v) => `${number(v)}%` } },
        yAxis: { type: "category", inverse: true, data: rows.map((r) => r.label), axisLabel: { overflow: "truncate", width: 120 } },
        series: [{ type: "bar", name: "Win rate", data: rows.map((r) => r.rate), barMaxWidth: 20, cursor: "pointer" }],
      }, true);
      chart.off("click");
      chart.on("click", (params) => open(rows[params.dataIndex].url));
    };
    draw(chooser ? chooser.value : "competitor");
    if (chooser) chooser.addEventListener("change", () => draw(chooser.value));
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
