// Risk pages: the distribution and trend charts of the risk dashboard, and the indicator
// editor's test chart (drawn when htmx swaps the result in). The map itself is dashboard.js.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var COLOURS = ["#dc2626", "#f97316", "#eab308", "#3b82f6"];  // 红 橙 黄 蓝: levels I–IV

  function parse(el, name) {
    try { return JSON.parse(el.dataset[name] || "[]"); } catch (e) { return []; }
  }

  function fields(el) {
    var rows = parse(el, "rows"), names = parse(el, "names");
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 110, right: 20, top: 30, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
      series: [1, 2, 3, 4].map(function (level, i) {
        return { name: names[i], type: "bar", stack: "all", itemStyle: { color: COLOURS[i] },
          data: rows.map(function (r) { return r.levels[level] || 0; }) };
      })
    });
    el.dataset.ready = "1";
    // Never to a 0-wide container (mid-resize): ECharts' view matrix would not invert
    // (see profile_graph.js).
    window.addEventListener("resize", function () {
      if (el.clientWidth > 0 && el.clientHeight > 0) { chart.resize(); }
    });
  }

  function trend(el) {
    var points = parse(el, "points"), names = parse(el, "names");
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: points.map(function (p) { return p.as_of; }) },
      yAxis: { type: "value" },
      series: [1, 2, 3].map(function (level, i) {
        return { name: names[i], type: "line", itemStyle: { color: COLOURS[i] },
          data: points.map(function (p) { return p.levels[level] || 0; }) };
      })
    });
    el.dataset.ready = "1";
  }

  function testChart(el) {
    var data = {};
    try { data = JSON.parse(el.dataset.chart || "{}"); } catch (e) { return; }
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 10, top: 10, bottom: 40 },
      xAxis: { type: "category", data: data.labels || [], axisLabel: { rotate: 20 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", name: el.dataset.label, data: data.counts || [],
                 itemStyle: { color: "#1d4ed8" } }]
    });
    el.dataset.ready = "1";
  }

  var f = document.getElementById("risk-fields");
  if (f) { fields(f); }
  var t = document.getElementById("risk-trend");
  if (t) { trend(t); }
  document.body.addEventListener("htmx:afterSwap", function () {
    var c = document.getElementById("test-chart");
    if (c && !c.dataset.ready) { testChart(c); }
  });
})();
