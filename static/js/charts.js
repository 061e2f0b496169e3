/* The dashboards' charts (数据看板), drawn with the vendored ECharts from the JSON the page carries.
 *
 * Each chart is a box `<div data-chart="ID" role="img" aria-label="…">` and a `<script type="application/json"
 * id="ID">` (Django's json_script) holding its spec:
 *   {kind: "bar", horizontal: bool, unit: "次", categories: [...], flags: [bool…] (categories to mark), flag_label,
 *    series: [{name, type: "bar"|"scatter", stack, color, symbol, symbolSize, data: [{value, url, color}]}],
 *    height}
 * Clicking a bar or a point opens its `url`: the list of records that make the number (the same link as in the data
 * table under the chart, which keyboard and screen-reader users follow). Charts resize with their box (phones,
 * the sidebar, the 大字 mode). No inline handlers: this file attaches everything.
 */
(function () {
  "use strict";

  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var INK = "#212529";
  var MUTED = "#495057";
  var FLAG = "#b02a37";

  function number(value, unit) {
    if (value === null || value === undefined || value === "-") { return ""; }
    var text = Number(value).toLocaleString("zh-CN", {maximumFractionDigits: 2});
    return unit ? text + " " + unit : text;
  }

  function axisNumber(unit) {
    return function (value) {
      if (unit === "元" && Math.abs(value) >= 10000) {
        return (value / 10000).toLocaleString("zh-CN", {maximumFractionDigits: 1}) + "万";
      }
      return Number(value).toLocaleString("zh-CN");
    };
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // The legend wraps (every series stays named on a phone); the plot starts below its rows.
  function legendRows(spec, width) {
    var rows = 1, used = 0;
    spec.series.forEach(function (s) {
      var item = 25 + 5 + 12 * String(s.name).length + 14;
      if (used && used + item > width) { rows += 1; used = 0; }
      used += item;
    });
    return rows;
  }

  function option(spec, width) {
    var horizontal = !!spec.horizontal;
    var flags = spec.flags || [];
    var narrow = width < 576;
    var legend = spec.series.length > 1;
    // a vertical value axis writes its unit above the plot: room for it under the legend
    var top = (legend ? 20 + 22 * legendRows(spec, width) : 28) + (horizontal ? 0 : 16);
    var category = {
      type: "category",
      data: spec.categories,
      inverse: horizontal,  // the first row on top
      axisTick: {alignWithLabel: true},
      axisLine: {lineStyle: {color: MUTED}},
      axisLabel: {
        color: INK,
        fontSize: 12,
        interval: 0,
        hideOverlap: !horizontal,
        rotate: !horizontal && spec.categories.length > 8 && narrow ? 45 : 0,
        width: horizontal ? (narrow ? 110 : 300) : undefined,
        overflow: horizontal ? "truncate" : undefined,
        formatter: flags.length ? function (value, index) {
          return flags[index] ? "{flag|▲ " + value + "}" : value;
        } : undefined,
        rich: {flag: {color: FLAG, fontWeight: "bold", fontSize: 12}}
      }
    };
    var value = {
      type: "value",
      name: spec.unit || "",
      nameTextStyle: {color: MUTED},
      minInterval: spec.unit === "元" ? 0 : 1,
      axisLabel: {color: MUTED, formatter: axisNumber(spec.unit)},
      splitLine: {lineStyle: {color: "#dee2e6"}}
    };
    var series = spec.series.map(function (s) {
      var scatter = s.type === "scatter";
      return {
        name: s.name,
        type: scatter ? "scatter" : "bar",
        stack: s.stack || undefined,
        barMaxWidth: 26,
        barMinHeight: 0,
        symbol: s.symbol || undefined,
        symbolSize: s.symbolSize || 12,
        z: scatter ? 5 : 2,
        cursor: "pointer",
        itemStyle: scatter ? {color: s.color, borderColor: "#fff", borderWidth: 1}
                           : {color: s.color, borderColor: "#fff", borderWidth: s.stack ? 1 : 0},
        emphasis: {focus: "series"},
        data: s.data.map(function (d) {
          var item = {value: d.value, url: d.url || ""};
          if (d.color) { item.itemStyle = {color: d.color}; }
          // an empty segment draws nothing (its white border would cut the axis line)
          if (!scatter && !d.value) { item.itemStyle = Object.assign(item.itemStyle || {}, {borderWidth: 0}); }
          return item;
        })
      };
    });
    return {
      animation: !reducedMotion(),
      textStyle: {fontFamily: FONT, color: INK},
      color: spec.series.map(function (s) { return s.color; }),
      legend: {show: legend, top: 0, left: 0, type: "plain", textStyle: {color: INK, fontSize: 12}, itemGap: 14},
      tooltip: {
        trigger: "axis",
        confine: true,
        axisPointer: {type: "shadow"},
        formatter: function (items) {
          if (!items.length) { return ""; }
          var index = items[0].dataIndex;
          var lines = ["<strong>" + escapeHtml(items[0].name) + "</strong>"];
          if (flags[index]) { lines.push('<span style="color:' + FLAG + '">▲ ' + escapeHtml(spec.flag_label || "") + "</span>"); }
          items.forEach(function (item) {
            lines.push(item.marker + escapeHtml(item.seriesName) + "：" + number(item.value, spec.unit));
          });
          return lines.join("<br>");
        }
      },
      grid: {left: 8, right: 24, top: top, bottom: 8, containLabel: true},
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series
    };
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) { return; }
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    var chart = window.echarts.init(box, null, {renderer: "canvas"});
    var width = box.clientWidth;
    chart.setOption(option(spec, width));
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) { window.location.assign(url); }
    });
    function resize() {
      if (box.clientWidth !== width) {  // labels and the legend's rows follow the width
        width = box.clientWidth;
        chart.setOption(option(spec, width), {notMerge: true});
      }
      chart.resize();
    }
    if (window.ResizeObserver) {
      new window.ResizeObserver(resize).observe(box);
    } else {
      window.addEventListener("resize", resize);
    }
  }

  function start() {
    if (!window.echarts) { return; }  // the data tables stay: every number is there and linked
    var boxes = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < boxes.length; i++) { draw(boxes[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
