// cohesion-bn expert view: live sums, verbal labels, and the ranked-node CPT preview.
// Help only: the server checks every answer again (ranges, numbers, sums).
(function () {
  "use strict";
  var VERBAL = [];
  document.querySelectorAll("#verbal-scale option").forEach(function (o) {
    VERBAL.push([parseFloat(o.value), o.getAttribute("label")]);
  });
  var TOL = 0.01;

  function num(s) {
    if (s === null || s === undefined) { return NaN; }
    s = String(s).trim();
    if (s === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) { return NaN; }
    return parseFloat(s);
  }
  function word(p) {
    var best = null, d = Infinity;
    VERBAL.forEach(function (v) { var e = Math.abs(v[0] - p); if (e < d) { d = e; best = v[1]; } });
    return best || "";
  }

  function updateDist(fs) {
    var inputs = fs.querySelectorAll("input.prob");
    var total = 0, filled = 0, bad = false;
    inputs.forEach(function (inp) {
      var row = inp.closest("tr");
      var label = row.querySelector(".verbal");
      var bar = row.querySelector("td.bar span");
      var x = num(inp.value);
      if (inp.value.trim() === "") { label.textContent = ""; bar.style.width = "0"; return; }
      if (isNaN(x) || x < 0 || x > 1) {
        label.textContent = "a number from 0 to 1"; bad = true; bar.style.width = "0"; return;
      }
      filled += 1; total += x;
      label.textContent = "≈ " + word(x);
      bar.style.width = Math.round(x * 100) + "%";
    });
    var cell = fs.querySelector("td.sum");
    if (!cell) { return; }
    if (filled === 0) { cell.textContent = ""; cell.className = "sum"; return; }
    var ok = !bad && filled === inputs.length && Math.abs(total - 1) <= TOL;
    cell.textContent = total.toFixed(3) + (ok ? " ✓" : (filled < inputs.length ? " (fill every state)" : " — must be 1"));
    cell.className = "sum " + (ok ? "good" : "bad");
  }

  function normalise(fs) {
    var inputs = Array.prototype.slice.call(fs.querySelectorAll("input.prob"));
    var xs = inputs.map(function (i) { var x = num(i.value); return isNaN(x) || x < 0 ? 0 : x; });
    var total = xs.reduce(function (a, b) { return a + b; }, 0);
    if (total <= 0) { return; }
    var rounded = xs.map(function (x) { return Math.round(x / total * 1000) / 1000; });
    var drift = 1 - rounded.reduce(function (a, b) { return a + b; }, 0);
    var k = rounded.indexOf(Math.max.apply(null, rounded));
    rounded[k] = Math.round((rounded[k] + drift) * 1000) / 1000;
    inputs.forEach(function (inp, j) { inp.value = String(rounded[j]); });
    updateDist(fs);
  }

  document.querySelectorAll("fieldset.distribution").forEach(function (fs) {
    fs.addEventListener("input", function () { updateDist(fs); });
    var b = fs.querySelector("button.normalise");
    if (b) { b.addEventListener("click", function () { normalise(fs); }); }
    updateDist(fs);
  });

  // Ranked nodes: ask the server for the table the weights imply.
  var form = document.getElementById("node-form");
  var url = form && form.getAttribute("data-preview");
  var target = document.getElementById("preview-table");
  if (!url || !target) { return; }
  var timer = null;
  function cell(tag, text) { var c = document.createElement(tag); c.textContent = text; return c; }
  function render(data) {
    target.textContent = "";
    if (data.error) { target.appendChild(cell("p", "No preview yet: " + data.error)); return; }
    var t = document.createElement("table");
    var head = document.createElement("tr");
    head.appendChild(cell("th", "parents"));
    data.states.forEach(function (s) { head.appendChild(cell("th", s)); });
    t.appendChild(head);
    data.columns.forEach(function (col) {
      var tr = document.createElement("tr");
      var th = cell("th", col.label); th.style.textAlign = "left"; tr.appendChild(th);
      col.p.forEach(function (p) { tr.appendChild(cell("td", p.toFixed(3))); });
      t.appendChild(tr);
    });
    target.appendChild(t);
  }
  function refresh() {
    var weights = {};
    form.querySelectorAll("input.weight").forEach(function (i) {
      weights[i.getAttribute("data-parent")] = i.value.trim() === "" ? null : num(i.value);
    });
    var fn = form.querySelector("select.function"), sp = form.querySelector("select.spread");
    var missing = [];
    Object.keys(weights).forEach(function (p) { if (weights[p] === null || isNaN(weights[p])) { missing.push("weight of " + p); } });
    if (!fn || !fn.value) { missing.push("how the factors combine"); }
    if (!sp || !sp.value) { missing.push("how tightly"); }
    if (missing.length) { render({error: "give " + missing.join(", ")}); return; }
    fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                body: JSON.stringify({weights: weights, "function": fn.value, spread: sp.value}),
                credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () { render({error: "the server did not answer"}); });
  }
  form.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el.matches("input.weight, select.function, select.spread")) {
      clearTimeout(timer); timer = setTimeout(refresh, 250);
    }
  });
  form.addEventListener("change", function (ev) {
    if (ev.target.matches("select.function, select.spread")) { clearTimeout(timer); timer = setTimeout(refresh, 50); }
  });
  refresh();
})();
