// The penetration graph on a problem's chain page: each significant factor (or, when none is,
// the strongest few) linked through its evidence chains to the units it reaches. Red units show
// the problem; clicking a factor scrolls to its row in the factor table.
(function () {
  "use strict";
  var el = document.getElementById("lt-graph");
  if (!el || !window.echarts) { return; }
  var SHOWN_WHEN_NONE = 5;
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  window.ltGraph = { chart: chart };

  function build(run) {
    var shown = run.factors.filter(function (f) { return f.significant; });
    if (!shown.length) { shown = run.factors.slice(0, SHOWN_WHEN_NONE); }
    var nodes = {};
    var links = [];
    var categories = [
      { name: el.dataset.labelFactor || "factor" },
      { name: el.dataset.labelAffected },
      { name: el.dataset.labelOther },
      { name: el.dataset.labelVia }
    ];
    function add(id, name, category, size, rank) {
      var node = nodes[id];
      if (!node) {
        node = nodes[id] = { id: id, name: name, category: category, symbolSize: size };
        if (rank) { node.rank = rank; }
      } else if (category === 1 && node.category === 2) {
        node.category = 1;
      }
      return node;
    }
    shown.forEach(function (f) {
      var factorId = "factor:" + f.rank;
      add(factorId, "#" + f.rank + " " + f.label, 0, 18 + Math.min(30, f.affected * 2), f.rank);
      (f.chains || []).forEach(function (chain) {
        var previous = factorId;
        chain.nodes.slice(1).forEach(function (node, i) {
          var last = i === chain.nodes.length - 2;
          var category = last ? (chain.affected ? 1 : 2) : 3;
          add(node.ref, node.label, category, last ? 10 : 12);
          links.push({ source: previous, target: node.ref, value: chain.edges[i] || "" });
          previous = node.ref;
        });
      });
    });
    return { nodes: Object.keys(nodes).map(function (k) { return nodes[k]; }), links: links,
      categories: categories };
  }

  function draw(run) {
    var data = build(run);
    if (!data.nodes.length) {
      chart.setOption({ title: { text: el.dataset.labelEmpty, left: "center", top: "middle",
        textStyle: { fontSize: 14, color: "#667382" } } });
    } else {
      chart.setOption({
        color: ["#206bc4", "#d63939", "#adb5bd", "#f59f00"],
        tooltip: { formatter: function (p) { return p.dataType === "edge" ? p.data.value : p.name; } },
        legend: [{ data: data.categories.map(function (c) { return c.name; }), top: 0 }],
        series: [{
          type: "graph", layout: "force", roam: true, draggable: true,
          data: data.nodes, links: data.links, categories: data.categories,
          label: { show: true, position: "right", fontSize: 11,
            formatter: function (p) { return p.data.category === 0 || p.data.category === 3 ? p.name : ""; } },
          edgeLabel: { show: false }, lineStyle: { color: "source", opacity: 0.6 },
          force: { repulsion: 120, edgeLength: [30, 80], gravity: 0.08 }
        }]
      });
    }
    el.dataset.nodes = String(data.nodes.length);
    el.dataset.ready = "1";
  }

  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.rank) {
      var row = document.getElementById("factor-" + p.data.rank);
      if (row) { row.scrollIntoView({ behavior: "smooth", block: "center" }); row.classList.add("table-active"); }
    }
  });
  // Never to a 0-wide container (mid-resize): ECharts' view matrix would not invert
  // (see profile_graph.js).
  window.addEventListener("resize", function () {
    if (el.clientWidth > 0 && el.clientHeight > 0) { chart.resize(); }
  });

  fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) { throw new Error(el.dataset.url + " " + r.status); }
      return r.json();
    })
    .then(draw)
    .catch(function (error) { el.dataset.error = String(error); el.dataset.ready = "1"; });
})();
