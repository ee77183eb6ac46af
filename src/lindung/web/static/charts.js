/* Lindung's charts: each <table data-chart="bar|hbar|line"> gets a chart drawn above it by Chart.js
   (vendored, chart.umd.min.js). The table stays the source and the accessible form of the figures: the
   first cell of each body row labels it, the columns listed in data-chart-series (0-based, default 1)
   give the values, read from each cell's data-value (empty: withheld, not drawn). */
(function () {
  "use strict";
  var COLOURS = ["#0b6e4f", "#e07a1f", "#3465a4", "#8f5ba8", "#c0392b", "#6b7b3a"];

  function values(rows, column) {
    return rows.map(function (row) {
      var cell = row.cells[column];
      var raw = cell ? cell.getAttribute("data-value") : null;
      return raw === null || raw === "" ? null : Number(raw);
    });
  }

  function draw(table) {
    var kind = table.getAttribute("data-chart");
    var columns = (table.getAttribute("data-chart-series") || "1").split(",").map(Number);
    var head = table.tHead ? table.tHead.rows[0].cells : [];
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    if (!rows.length || typeof Chart === "undefined") {
      return;
    }
    var labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    var datasets = columns.map(function (column, i) {
      return {
        label: head[column] ? head[column].textContent.trim() : "",
        data: values(rows, column),
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        tension: 0
      };
    });
    var box = document.createElement("div");
    box.className = "chart";
    box.style.height = (kind === "hbar" ? Math.max(180, rows.length * 24 + 60) : 260) + "px";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.caption ? table.caption.textContent.trim() : "");
    box.appendChild(canvas);
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(box, wrap);
    new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        locale: document.documentElement.lang === "en" ? "en-GB" : "id-ID",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: datasets.length > 1 } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-chart]").forEach(draw);
  });
}());
