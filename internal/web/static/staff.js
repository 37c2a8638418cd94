// The staff console's keyboard: "/" goes to the page's search box, Alt+N/I/T
// are the browser's access keys on the navigation links; confirmations.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) { return; }
    var search = document.querySelector("[data-search]");
    if (search) { e.preventDefault(); search.focus(); search.select && search.select(); }
  });
  // A QR code read by a USB scanner arrives as a status-page address: keep
  // only the dossier code.
  document.querySelectorAll("[data-code-input]").forEach(function (input) {
    input.addEventListener("change", function () {
      var m = input.value.match(/\/tra-cuu\/([^?\s]+)/);
      if (m) { input.value = decodeURIComponent(m[1]); }
    });
  });
  // "Select all" boxes of the leader's desk.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']").forEach(function (c) { c.checked = box.checked; });
    });
  });
  // Live fee: certified copies cost by the page.
  var fee = document.querySelector("[data-fee]");
  if (fee) {
    var recompute = function () {
      var pages = parseInt((document.getElementById("pages") || {}).value || "1", 10) || 1;
      var copies = parseInt((document.getElementById("copies") || {}).value || "1", 10) || 1;
      var tiers = JSON.parse(fee.getAttribute("data-tiers") || "[]");
      var cap = parseInt(fee.getAttribute("data-cap") || "0", 10);
      if (!tiers.length) { return; }
      var per = 0;
      tiers.forEach(function (t) {
        var hi = t.to ? Math.min(t.to, pages) : pages;
        if (hi >= t.from) { per += (hi - t.from + 1) * t.amount; }
      });
      if (cap && per > cap) { per = cap; }
      fee.textContent = (per * copies).toLocaleString("vi-VN") + " đồng";
    };
    ["pages", "copies"].forEach(function (id) { var el = document.getElementById(id); if (el) { el.addEventListener("input", recompute); } });
  }
})();
