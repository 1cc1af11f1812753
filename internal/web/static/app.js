// Mercato consoles: progressive enhancement only. Every page reads without this file; it draws
// the usage chart from the table beside it (uPlot), and nothing else.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll("table[data-chart]").forEach(function (table) {
      var box = document.getElementById(table.dataset.chart);
      if (!box || box.dataset.drawn) return;
      var xs = [], ys = [];
      table.querySelectorAll("tbody tr[data-t]").forEach(function (tr) {
        xs.push(Number(tr.dataset.t));
        ys.push(Number(tr.dataset.v));
      });
      if (!xs.length) return;
      box.dataset.drawn = "1";
      var daily = table.dataset.unit === "day";
      var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#c7000b";
      var width = function () { return Math.max(box.clientWidth, 280); };
      var opts = {
        width: width(),
        height: 280,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // Half a bar of room at each end, so the first and last bars are whole.
        scales: { x: { time: true, range: function (u, min, max) { var h = (daily ? 86400 : 3600) / 2; return [min - h, max + h]; } },
          y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
        axes: [
          { stroke: "#5c6370", grid: { stroke: "#eef0f3" } },
          { stroke: "#5c6370", grid: { stroke: "#eef0f3" }, size: 60 }
        ],
        series: [
          {},
          {
            label: box.dataset.label || "",
            stroke: accent,
            width: 2,
            fill: "rgba(199,0,11,0.08)",
            paths: uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [daily ? 0.6 : 0.8, 40] }) : undefined,
            points: { show: false }
          }
        ]
      };
      var plot = new uPlot(opts, [xs, ys], box);
      window.addEventListener("resize", function () { plot.setSize({ width: width(), height: 280 }); });
    });
  }

  document.addEventListener("DOMContentLoaded", drawCharts);
  document.addEventListener("htmx:afterSettle", drawCharts);
})();
