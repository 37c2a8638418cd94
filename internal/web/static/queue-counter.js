// The counter's screen: it works with plain form posts; this script adds
// (1) a live refresh of the ticket being served, the held tickets and the
// line, from the queue's Server-Sent Events, without taking the focus
// away or closing a form being filled in; (2) on a registered counter
// device (no staff session), actions through the JSON API with the
// device's X-Device-CSRF header.
(function () {
  "use strict";
  var root = document.getElementById("qc");
  var live = document.getElementById("qc-live");
  if (!root || !live) { return; }
  var device = root.getAttribute("data-mode") === "device";
  var announce = document.getElementById("qc-announce");

  // (1) Live refresh.
  var pending = false, timer = null, loading = false;
  function busy() {
    if (live.querySelector("details[open]")) { return true; }
    var a = document.activeElement;
    return !!(a && live.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName));
  }
  function refresh() {
    if (busy() || loading) { pending = true; return; }
    pending = false;
    loading = true;
    fetch("/queue/counter?part=live", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        loading = false;
        if (html === null) { return; }
        if (busy()) { pending = true; return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("qc-live");
        if (!fresh) { return; }
        var a = document.activeElement;
        var focusID = a && live.contains(a) ? a.id : "";
        var before = live.getAttribute("data-announce");
        live.innerHTML = fresh.innerHTML;
        live.setAttribute("data-announce", fresh.getAttribute("data-announce") || "");
        if (focusID) {
          var el = document.getElementById(focusID) || document.getElementById("qc-next");
          if (el) { el.focus(); }
        }
        var now = live.getAttribute("data-announce");
        if (announce && now && now !== before) { announce.textContent = now; }
        if (pending) { schedule(); }
      })
      .catch(function () { loading = false; });
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  live.addEventListener("toggle", function () { if (pending) { schedule(); } }, true);
  live.addEventListener("focusout", function () { if (pending) { schedule(); } });
  if (window.EventSource) {
    var first = true;
    var es = new EventSource("/api/v1/queue/events");
    // The first "board" frame is what the page already shows; a later one
    // follows a reconnection, when changes may have been missed.
    es.addEventListener("board", function () {
      if (first) { first = false; return; }
      schedule();
    });
    es.addEventListener("queue", schedule);
    window.addEventListener("pagehide", function () { es.close(); });
  }

  // (2) A registered device acts through the API.
  if (!device) { return; }
  var counter = parseInt(root.getAttribute("data-counter") || "0", 10);
  var english = {};
  try { english = JSON.parse(root.getAttribute("data-errors") || "{}"); } catch (e) { english = {}; }
  var errorBox = document.getElementById("qc-jserror");
  function showError(code, message) {
    if (!errorBox) { return; }
    errorBox.textContent = english[code] || message || code;
    errorBox.hidden = false;
    errorBox.focus();
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var api = form.getAttribute("data-api");
    if (!api || !root.contains(form)) { return; }
    e.preventDefault();
    var data = new FormData(form);
    var btn = e.submitter;
    var body = null;
    var action = "next";
    if (api.indexOf("/actions") > 0) {
      action = (btn && btn.name === "action") ? btn.value : (data.get("action") || "");
      body = { action: action, counter: counter };
      var rev = parseInt(data.get("rev") || "0", 10);
      if (rev) { body.rev = rev; }
      var to = String(data.get("to") || "");
      if (to.indexOf("g:") === 0) { body.group = to.slice(2); }
      if (to.indexOf("c:") === 0) { body.to = parseInt(to.slice(2), 10); }
      if (data.get("dossier")) { body.dossier = String(data.get("dossier")); }
    }
    var headers = { "X-Device-CSRF": String(data.get("csrf") || ""), "Accept": "application/json" };
    if (body) { headers["Content-Type"] = "application/json"; }
    fetch(api, { method: "POST", credentials: "same-origin", headers: headers, body: body ? JSON.stringify(body) : null })
      .then(function (r) {
        if (r.status === 204) { location.assign("/queue/counter?did=none"); return null; }
        return r.json().then(function (j) {
          if (!r.ok) {
            var err = (j && j.error) || {};
            showError(err.code || String(r.status), err.message);
            return;
          }
          location.assign("/queue/counter?did=" + encodeURIComponent(action) + "&t=" + encodeURIComponent(j.id));
        });
      })
      .catch(function () { showError("network", ""); });
  });
})();
