// motcua: the phone page of a ticket keeps itself up to date. It listens to
// the queue's events (/api/v1/queue/events) and, when one concerns the
// ticket's service, fetches this same page again and puts its new state in
// place — one wording of every state, the server's, and no per-address API
// limit to meet when many phones share the centre's Wi-Fi. Without
// EventSource it looks again every 15 seconds; without JavaScript the page
// has an "Update now" link.
(function () {
  "use strict";
  var root = document.getElementById("follow");
  var live = document.getElementById("follow-live");
  if (!root || !live || !window.fetch || !window.DOMParser) { return; }
  var group = root.getAttribute("data-group");
  var agency = root.getAttribute("data-agency");
  var es = null;
  var poll = null;
  var pending = null;

  function stop() {
    if (es) { es.close(); es = null; }
    clearInterval(poll);
    clearTimeout(pending);
  }

  function refresh() {
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("follow-live");
        if (!next) { return; }
        var was = live.getAttribute("data-state");
        if (next.innerHTML !== live.innerHTML) {
          live.innerHTML = next.innerHTML;
          live.className = next.className;
        }
        live.setAttribute("data-state", next.getAttribute("data-state") || "");
        if (live.getAttribute("data-state") === "called" && was !== "called" && navigator.vibrate &&
            // Browsers refuse (and complain) until the person has touched the page.
            (!navigator.userActivation || navigator.userActivation.hasBeenActive)) {
          try { navigator.vibrate([400, 150, 400]); } catch (e) { /* no vibration */ }
        }
        if (next.hasAttribute("data-final")) { stop(); }
      })
      .catch(function () { /* offline for a moment: the next event or look tries again */ });
  }

  // soon refreshes a moment later, spread over a second or two so that a
  // room of phones does not ask all at once.
  function soon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 300 + Math.random() * 1200);
  }

  if (live.hasAttribute("data-final")) { return; }
  var note = document.querySelector("[data-follow-live]");
  if (note) { note.hidden = false; }
  if (window.EventSource) {
    es = new EventSource("/api/v1/queue/events" + (agency ? "?agency=" + encodeURIComponent(agency) : ""));
    es.addEventListener("board", soon); // connected or reconnected: catch up
    es.addEventListener("queue", function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (!f.event || !f.event.group || f.event.group === group) { soon(); }
    });
    poll = setInterval(refresh, 60000);
  } else {
    poll = setInterval(refresh, 15000);
  }
  window.addEventListener("pagehide", stop);
})();
