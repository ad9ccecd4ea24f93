// cohesion-bn facilitator view: poll the live dashboard (server-rendered, escaped HTML).
(function () {
  "use strict";
  var live = document.getElementById("live");
  var stamp = document.getElementById("updated");
  if (!live) { return; }
  var url = live.getAttribute("data-url");
  var busy = false;
  function openNodes() {
    var open = {};
    live.querySelectorAll("details[open]").forEach(function (d) { open[d.getAttribute("data-node")] = true; });
    return open;
  }
  function poll() {
    if (busy) { return; }
    busy = true;
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var keep = openNodes();
        live.innerHTML = html;
        live.querySelectorAll("details").forEach(function (d) { if (keep[d.getAttribute("data-node")]) { d.open = true; } });
        if (stamp) { stamp.textContent = "Updated " + new Date().toLocaleTimeString() + "."; }
      })
      .catch(function (e) { if (stamp) { stamp.textContent = "Update failed (" + e.message + "); retrying."; } })
      .then(function () { busy = false; });
  }
  poll();
  setInterval(poll, 3000);
})();
