// The manager's board: what is waiting now, the counters and the day's
// figures refresh themselves from the queue's Server-Sent Events. The page
// works without this (reload it to see the latest).
(function () {
  "use strict";
  var live = document.getElementById("qm-live");
  if (!live || !window.EventSource) { return; }
  var announce = document.getElementById("qm-announce");
  var params = new URLSearchParams(location.search);
  var query = "?part=live";
  if (params.get("agency")) { query += "&agency=" + encodeURIComponent(params.get("agency")); }
  var timer = null, loading = false, again = false;
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch("/queue/manager" + query, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        loading = false;
        if (html !== null) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("qm-live");
          if (fresh) {
            var a = document.activeElement;
            var focusID = a && live.contains(a) ? a.id : "";
            var before = live.getAttribute("data-announce");
            live.innerHTML = fresh.innerHTML;
            live.setAttribute("data-announce", fresh.getAttribute("data-announce") || "");
            if (focusID && document.getElementById(focusID)) { document.getElementById(focusID).focus(); }
            var now = live.getAttribute("data-announce");
            if (announce && now && now !== before) { announce.textContent = now; }
          }
        }
        if (again) { again = false; schedule(); }
      })
      .catch(function () { loading = false; });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  var root = document.getElementById("qm");
  var agency = (root && root.getAttribute("data-agency")) || params.get("agency");
  var es = new EventSource("/api/v1/queue/events" + (agency ? "?agency=" + encodeURIComponent(agency) : ""));
  var first = true;
  es.addEventListener("board", function () {
    if (first) { first = false; return; }
    schedule();
  });
  es.addEventListener("queue", schedule);
  window.addEventListener("pagehide", function () { es.close(); });
})();
