/* Draw every <div class="ptm-chart" data-url="..." data-spec="..."> on the page.
 *
 * data-url is a Datasette JSON URL (a canned query's or a model page part's .json?_shape=array):
 * its rows become the chart's data. data-spec is a Vega-Lite spec without data, written by the
 * server (plugins/ptm_findings.py derives a finding's spec from its canned query's header;
 * plugins/ptm_models.py has the model page's). Optional "ptm_marks" in the spec: the paper's
 * numbers, [{key, column, value, label}], each drawn on the row whose first column is `key`
 * (the first row when key is null), as a red diamond.
 *
 * No inline script and no eval: Vega runs with its expression interpreter (vega-interpreter),
 * so a Content-Security-Policy without 'unsafe-eval' or 'unsafe-inline' works.
 */
(function () {
  "use strict";

  function marksLayer(spec, rows) {
    var marks = spec.ptm_marks || [];
    delete spec.ptm_marks;
    if (!marks.length || !rows.length) return null;
    var first = Object.keys(rows[0])[0];
    var enc = spec.encoding;
    var valueAxis = enc.x && enc.x.field && marks[0].column === enc.x.field ? "x" : "y";
    var categoryAxis = valueAxis === "x" ? "y" : "x";
    var values = [];
    marks.forEach(function (m) {
      var row = m.key === null ? rows[0] : rows.find(function (r) { return String(r[first]) === String(m.key); });
      if (!row || enc[valueAxis].field !== m.column) return;
      var v = {};
      v[enc[categoryAxis].field] = row[enc[categoryAxis].field];
      v[m.column] = m.value;
      v.ptm_label = m.label;
      values.push(v);
    });
    if (!values.length) return null;
    var markEnc = {};
    markEnc[categoryAxis] = {field: enc[categoryAxis].field, type: enc[categoryAxis].type};
    markEnc[valueAxis] = {field: enc[valueAxis].field, type: "quantitative"};
    markEnc.tooltip = [{field: "ptm_label", type: "nominal", title: "paper"}];
    return {
      data: {values: values},
      mark: {type: "point", shape: "diamond", filled: true, size: 90, color: "#d62728"},
      encoding: markEnc
    };
  }

  function draw(el) {
    var spec;
    try {
      spec = JSON.parse(el.getAttribute("data-spec"));
    } catch (e) {
      el.setAttribute("data-chart-error", "bad spec");
      return;
    }
    fetch(el.getAttribute("data-url"), {headers: {Accept: "application/json"}})
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (rows) {
        if (!rows.length) {  // no axes without data: say so (the answer beside it says why)
          el.setAttribute("data-chart-empty", "1");
          el.textContent = "No chart: the query returns no rows in this database.";
          return;
        }
        var base = Object.assign({}, spec);
        var extra = marksLayer(base, rows);
        var height = base.height || 180;
        if (height.step) {  // a step per category of the y axis, as a number: "fit" and "step" do not mix
          var categories = new Set(rows.map(function (r) { return String(r[base.encoding.y.field]); }));
          height = Math.max(60, height.step * categories.size);
        }
        var full = {
          $schema: "https://vega.github.io/schema/vega-lite/v5.json",
          data: {values: rows},
          width: base.width || "container",
          height: height,
          // the width follows the page's column
          autosize: {type: "fit-x", contains: "padding"},
          config: {view: {stroke: null}, axis: {labelLimit: 160, titleFontWeight: "normal"}}
        };
        delete base.width;
        delete base.height;
        if (extra) {
          full.layer = [base, extra];
        } else {
          Object.assign(full, base);
        }
        var vgSpec = vegaLite.compile(full).spec;
        var view = new vega.View(vega.parse(vgSpec, null, {ast: true}), {
          expr: vega.expressionInterpreter,
          renderer: "svg",
          container: el,
          hover: true
        });
        return view.runAsync().then(function () {
          el.setAttribute("data-chart-drawn", String(rows.length));
        });
      })
      .catch(function (e) {
        el.setAttribute("data-chart-error", String(e && e.message || e));
        el.textContent = "The chart could not be drawn; the text beside it gives the same answer.";
      });
  }

  function drawAll() {
    if (typeof vega === "undefined" || typeof vegaLite === "undefined") return;
    document.querySelectorAll(".ptm-chart[data-url][data-spec]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
