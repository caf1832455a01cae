// The file's relation graph (ECharts): click a node to expand its neighbours, hop by hop.
(function () {
  "use strict";
  var el = document.getElementById("lt-graph");
  if (!el || !window.echarts) { return; }
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var info = document.getElementById("graph-info");
  var notes = document.getElementById("graph-notes");
  var centre = "e" + el.dataset.entity;
  var state = { nodes: {}, edges: {}, expanded: {}, loads: 0, pos: {} };
  window.ltGraph = { chart: chart, state: state, expand: expand };
  var CATEGORIES = ["centre", "entity", "person"];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + " " + r.status); }
        return r.json();
      });
  }

  function urlFor(id) {
    var n = id.slice(1);
    return id.charAt(0) === "p" ? "/api/v1/profiles/persons/" + n + "/graph"
                                : "/api/v1/profiles/" + n + "/graph";
  }

  function note(text) {
    var li = document.createElement("li");
    li.className = "text-muted";
    li.textContent = text;
    notes.appendChild(li);
  }

  // Where ECharts has drawn each node so far: every redraw starts from there, and a new node
  // from beside the node it was expanded from (a node with no position at all trips ECharts).
  function remember() {
    var model = chart.getModel();
    var series = model && model.getSeriesByIndex(0);
    if (!series) { return; }
    var data = series.getData();
    for (var i = 0; i < data.count(); i++) {
      var item = data.getRawDataItem(i);
      var xy = data.getItemLayout(i);
      if (item && xy && isFinite(xy[0]) && isFinite(xy[1])) { state.pos[item.id] = [xy[0], xy[1]]; }
    }
  }

  function place(id, from) {
    if (state.pos[id]) { return; }
    var origin = state.pos[from] || [0, 0];
    var angle = Math.random() * 2 * Math.PI;
    var radius = from === id ? 0 : 60 + Math.random() * 60;
    state.pos[id] = [origin[0] + radius * Math.cos(angle), origin[1] + radius * Math.sin(angle)];
  }

  function merge(graph) {
    remember();
    place(graph.centre, graph.centre);
    graph.nodes.forEach(function (n) {
      if (!state.nodes[n.id]) { state.nodes[n.id] = n; }
      place(n.id, graph.centre);
    });
    graph.edges.forEach(function (e) {
      state.edges[e.source + ">" + e.target + ":" + e.kind] = e;
    });
    if (graph.hidden > 0) { note(el.dataset.labelHidden.replace("%(n)s", graph.hidden)); }
    if (graph.truncated) { note(el.dataset.labelTruncated); }
  }

  function draw() {
    var ids = Object.keys(state.nodes);
    var edges = Object.keys(state.edges).map(function (k) { return state.edges[k]; });
    if (ids.length <= 1 && edges.length === 0) {
      chart.setOption({ title: { text: el.dataset.labelEmpty, left: "center", top: "middle",
        textStyle: { fontSize: 14, color: "#667382" } } });
      return;
    }
    chart.setOption({
      title: { show: false },
      tooltip: { formatter: function (p) {
        return p.dataType === "edge" ? p.data.label + (p.data.weight > 1 ? " × " + p.data.weight : "")
                                     : p.data.name;
      } },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 220, edgeLength: [60, 140] },
        categories: CATEGORIES.map(function (c) { return { name: c }; }),
        // Names below their node, dark on a white halo: readable over the node and the lines.
        label: { show: true, position: "bottom", distance: 4, fontSize: 11, color: "#1f2937",
                 textBorderColor: "#ffffff", textBorderWidth: 3, formatter: function (p) {
          return p.data.name.length > 14 ? p.data.name.slice(0, 13) + "…" : p.data.name;
        } },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
        edgeLabel: { show: true, fontSize: 10, formatter: function (p) { return p.data.label; } },
        lineStyle: { color: "source", curveness: 0.1 },
        data: ids.map(function (id) {
          var n = state.nodes[id];
          var cat = id === centre ? 0 : (n.kind === "person" ? 2 : 1);
          return { id: id, name: n.name, category: cat, url: n.url, kind: n.kind,
                   x: state.pos[id][0], y: state.pos[id][1],
                   symbolSize: id === centre ? 46 : (state.expanded[id] ? 34 : 26),
                   symbol: n.kind === "person" ? "diamond" : "circle" };
        }),
        links: edges.map(function (e) {
          return { source: e.source, target: e.target, label: e.label, weight: e.weight,
                   lineStyle: { type: e.derived ? "dashed" : "solid",
                                width: Math.min(1 + Math.log(e.weight || 1), 5) } };
        })
      }]
    }, { replaceMerge: ["series"] });
  }

  function show(id) {
    var n = state.nodes[id];
    info.textContent = "";
    if (!n) { return; }
    var title = document.createElement("div");
    title.className = "fw-bold";
    title.textContent = n.name;
    info.appendChild(title);
    if (n.url) {
      var a = document.createElement("a");
      a.href = n.url; a.textContent = el.dataset.labelOpen;
      info.appendChild(a);
    }
  }

  function expand(id) {
    if (state.expanded[id]) { return Promise.resolve(); }
    state.expanded[id] = true;
    return getJSON(urlFor(id)).then(function (graph) {
      merge(graph);
      state.loads += 1;
      draw();
      el.dataset.ready = String(state.loads);
    }).catch(function (err) { state.expanded[id] = false; el.dataset.error = String(err); });
  }

  chart.on("click", function (p) {
    if (p.dataType !== "node") { return; }
    show(p.data.id);
    expand(p.data.id);
  });
  chart.on("dblclick", function (p) {
    if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; }
  });
  document.getElementById("graph-reset").addEventListener("click", function () {
    state.nodes = {}; state.edges = {}; state.expanded = {}; state.pos = {};
    notes.textContent = "";
    chart.clear();
    expand(centre);
  });
  // While the window is being resized (a full-page screenshot does it too) the container can
  // be laid out for a moment 0 px wide. chart.resize() at that moment gives the graph's View
  // coordinate system a 0-wide view rect: its transform has determinant 0, the matrix inverse
  // is null and ECharts throws "Cannot read properties of null (reading '0')" from inside
  // createViewCoordSysSimply. So only resize to a real size; the resize event that restores
  // the width brings the chart back to it.
  window.addEventListener("resize", function () {
    if (el.clientWidth > 0 && el.clientHeight > 0) { chart.resize(); }
  });
  expand(centre);
})();
