// The planning page's frontier: one point per distinct best plan over the blends λ, the chosen one
// highlighted, the greedy plan beside it. The slider (or a click on a point) moves along the
// frontier, fills the plan's table and the blend the "Choose this plan" form sends.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("planning-data").textContent);
  const { money, moneyCompact, number } = window.TandemFormats;
  const currency = data.currency;
  const slider = document.getElementById("blend-slider");
  const blendInput = document.querySelector("[name=blend]");
  const blendLabel = document.querySelector("[data-testid=blend-value]");
  const body = document.getElementById("plan-features-body");
  const el = document.getElementById("chart-frontier");
  const chart = echarts.init(el);
  const points = data.points;

  // The best plan at λ is the frontier point of the largest blend not above it (points keep their lowest λ).
  const pointAt = (blend) => {
    let found = points[0];
    points.forEach((p) => { if (p.blend <= blend + 1e-9) found = p; });
    return found;
  };
  const escape = (text) => echarts.format.encodeHTML(String(text));

  function fill(point) {
    const rows = point.feature_ids.map((id) => ({ id, ...data.features[id] }));
    rows.sort((a, b) => b.revenue - a.revenue || b.strategic - a.strategic);
    body.innerHTML = rows.map((f) =>
      `<tr><td data-label="Feature"><a href="${f.url}">${escape(f.title)}</a>${f.must_have ? ` <span class="badge text-bg-secondary" title="${escape(f.because.join("; "))}">must-have</span>` : ""}</td>` +
      `<td data-label="Product">${escape(f.product)}</td><td data-label="Team">${escape(f.team)}</td>` +
      `<td data-label="Effort" class="text-end">${number(f.effort, 1)}</td><td data-label="Revenue" class="text-end">${money(f.revenue, currency)}</td>` +
      `<td data-label="Strategic" class="text-end">${number(f.strategic, 1)}</td></tr>`).join("") ||
      '<tr><td colspan="6" class="text-muted">The plan holds no feature at this blend.</td></tr>';
    document.getElementById("optimal-count").textContent = number(point.feature_ids.length);
    document.getElementById("optimal-revenue").textContent = moneyCompact(point.revenue, currency);
    document.getElementById("optimal-strategic").textContent = number(point.strategic, 1);
  }

  function draw(blend) {
    const current = pointAt(blend);
    chart.setOption({
      color: ["#2e86ab", "#f18f01", "#c73e1d"],
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const point = p.data.point;
          return `<b>${escape(p.seriesName)}</b><br>λ from ${number(point.blend, 2)}<br>Revenue ${money(point.revenue, currency)}<br>Strategic ${number(point.strategic, 1)}<br>${number(point.feature_ids.length)} features`;
        },
      },
      xAxis: { type: "value", name: "Strategic value", nameLocation: "middle", nameGap: 24, scale: true },
      yAxis: { type: "value", name: "Revenue", scale: true, axisLabel: { formatter: (v) => moneyCompact(v, currency) } },
      series: [
        { name: "Best plans", type: "line", symbolSize: 9, cursor: "pointer",
          data: points.map((p) => ({ value: [p.strategic, p.revenue], point: p })) },
        { name: "Chosen blend", type: "scatter", symbolSize: 18,
          data: [{ value: [current.strategic, current.revenue], point: current }] },
        { name: "Greedy plan", type: "scatter", symbol: "diamond", symbolSize: 12,
          data: [{ value: [data.greedy.strategic, data.greedy.revenue], point: data.greedy }] },
      ],
    });
    fill(current);
    if (blendInput) blendInput.value = String(blend);
    if (blendLabel) blendLabel.textContent = number(blend, 2);
  }

  slider.addEventListener("input", () => draw(Number(slider.value)));
  chart.on("click", (params) => {
    if (params.seriesIndex !== 0) return;
    slider.value = params.data.point.blend;
    draw(params.data.point.blend);
  });
  draw(Number(slider.value));
  window.addEventListener("resize", () => chart.resize());
})();
