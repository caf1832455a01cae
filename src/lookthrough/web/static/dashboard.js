// The home map: an ECharts choropleth of the user's region, drilling province → city → county.
(function () {
  "use strict";
  var el = document.getElementById("lt-map");
  if (!el || !window.echarts) { return; }
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var metricSelect = document.getElementById("map-metric");
  var upButton = document.getElementById("map-up");
  var title = document.getElementById("map-title");
  var table = document.querySelector("#map-table tbody");
  var tableMetric = document.getElementById("map-table-metric");
  var registered = {};
  var state = { region: el.dataset.region, stats: null };
  // A page may point the map at another endpoint of the same shape (the risk map does).
  var api = el.dataset.api || "/api/v1/stats/map";
  var colours = (el.dataset.colours || "#e8f1fb,#7fb0e6,#1d4ed8").split(",");
  window.ltMap = { chart: chart, state: state };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + " " + r.status); }
        return r.json();
      });
  }

  function ensureMap(stats) {
    if (!stats.geo_url) { return Promise.resolve(null); }
    var name = "lt-" + stats.region_code;
    if (registered[name]) { return Promise.resolve(name); }
    return getJSON(stats.geo_url).then(function (geo) {
      window.echarts.registerMap(name, geo);
      registered[name] = true;
      return name;
    });
  }

  // The page's own (translated) label for the metric; the API's label is Chinese.
  function metricLabel(stats) {
    return el.dataset["label" + stats.metric.charAt(0).toUpperCase() + stats.metric.slice(1)] ||
      stats.metric_label;
  }

  function fillTable(stats) {
    table.innerHTML = "";
    tableMetric.textContent = metricLabel(stats);
    var rows = stats.children.slice();
    if (stats.unassigned > 0) {
      rows.push({ name: el.dataset.labelUnassigned, value: stats.unassigned, code: "" });
    }
    rows.forEach(function (cell) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      if (cell.code && cell.has_boundary && stats.level !== "county") {
        var a = document.createElement("a");
        a.href = "#"; a.textContent = cell.name;
        a.addEventListener("click", function (e) { e.preventDefault(); load(cell.code); });
        name.appendChild(a);
      } else { name.textContent = cell.name; }
      var value = document.createElement("td");
      value.className = "text-end";
      value.textContent = cell.value.toLocaleString();
      tr.appendChild(name); tr.appendChild(value);
      table.appendChild(tr);
    });
  }

  function draw(stats, mapName) {
    var max = 1;
    var data;
    if (stats.level === "county") {
      data = [{ name: stats.region_name, value: stats.total, code: stats.region_code }];
      max = Math.max(1, stats.total);
    } else {
      data = stats.children.filter(function (c) { return c.has_boundary; }).map(function (c) {
        max = Math.max(max, c.value);
        return { name: c.name, value: c.value, code: c.code };
      });
    }
    chart.clear();
    if (!mapName) {
      chart.setOption({ title: { text: el.dataset.labelEmpty, left: "center", top: "middle",
        textStyle: { fontSize: 14, color: "#667382" } } });
      return;
    }
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        return p.name + "<br>" + metricLabel(stats) + "：" + (p.value || 0).toLocaleString();
      } },
      visualMap: { min: 0, max: max, left: 10, bottom: 10, calculable: true, inRange: { color: colours } },
      series: [{ type: "map", map: mapName, roam: true, name: metricLabel(stats),
        layoutCenter: ["50%", "50%"], layoutSize: "100%",
        label: { show: true, fontSize: 11 }, emphasis: { label: { show: true } },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        data: data }]
    });
  }

  function load(region) {
    return getJSON(api + "?region=" + encodeURIComponent(region) +
                   "&metric=" + encodeURIComponent(metricSelect.value))
      .then(function (stats) {
        state.region = stats.region_code; state.stats = stats;
        title.textContent = stats.region_name;
        upButton.classList.toggle("d-none", !stats.parent_code);
        fillTable(stats);
        return ensureMap(stats).then(function (mapName) {
          draw(stats, mapName);
          el.dataset.ready = stats.region_code;
        });
      })
      .catch(function (err) { el.dataset.error = String(err); });
  }

  chart.on("click", function (params) {
    var stats = state.stats;
    if (!stats || stats.level === "county" || !params.data || !params.data.code) { return; }
    load(params.data.code);
  });
  upButton.addEventListener("click", function () {
    if (state.stats && state.stats.parent_code) { load(state.stats.parent_code); }
  });
  metricSelect.addEventListener("change", function () { load(state.region); });
  // Never to a 0-wide container (mid-resize): ECharts' view matrix would not invert
  // (see profile_graph.js).
  window.addEventListener("resize", function () {
    if (el.clientWidth > 0 && el.clientHeight > 0) { chart.resize(); }
  });
  load(state.region);
})();
