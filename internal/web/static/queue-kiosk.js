// motcua kiosk. The kiosk's steps are plain pages (links and forms) that
// work without this script. With it, the kiosk moves between the same pages
// without reloading — so that, once a person has touched the screen, the
// browser lets it speak each step aloud (speech needs a user gesture first,
// and fails silently where there is no voice) — prints the ticket on the
// receipt printer, and comes back to the start by itself.
(function () {
  "use strict";
  var main = document.getElementById("kiosk-main");
  if (!main || !window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
  var HOME = "/queue/kiosk?lang=vi";
  var IDLE_SECONDS = 120;
  var lang = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  var touched = false;
  var timers = [];
  var busy = false;
  var lastActivity = Date.now();

  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (type) {
    document.addEventListener(type, function () { touched = true; lastActivity = Date.now(); }, { capture: true, passive: true });
  });

  function gesture() {
    return touched || !!(navigator.userActivation && navigator.userActivation.hasBeenActive);
  }

  // speak says text in the page's language, only after the person has
  // touched the screen, and not at all where no voice speaks it.
  function speak(text) {
    var synth = window.speechSynthesis;
    if (!text || !synth || typeof window.SpeechSynthesisUtterance !== "function" || !gesture()) { return; }
    try {
      var u = new window.SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.rate = 0.9;
      var voices = synth.getVoices ? synth.getVoices() || [] : [];
      if (voices.length) {
        var mine = voices.filter(function (v) { return (v.lang || "").toLowerCase().replace("_", "-").indexOf(lang.slice(0, 2)) === 0; });
        if (!mine.length) { return; }
        u.voice = mine[0];
      }
      u.onerror = function () {};
      synth.cancel();
      synth.speak(u);
    } catch (e) { /* no speech on this machine */ }
  }

  function step() { return main.querySelector(".kiosk-step"); }

  function clearTimers() {
    timers.forEach(function (t) { clearInterval(t); clearTimeout(t); });
    timers = [];
  }

  function home() {
    clearTimers();
    window.location.replace(HOME);
  }

  function offline(on) {
    var n = document.querySelector("[data-kiosk-offline]");
    if (n) { n.hidden = !on; }
  }

  // ticket prints the slip once its QR code has loaded, and counts down
  // back to the start (a person who needs longer presses "More time").
  function ticket(s) {
    var printBtn = s.querySelector("[data-kiosk-print]");
    var holdBtn = s.querySelector("[data-kiosk-hold]");
    var cd = s.querySelector("[data-countdown]");
    var n = s.querySelector("[data-countdown-n]");
    if (printBtn) { printBtn.hidden = false; }
    if (holdBtn) { holdBtn.hidden = false; }
    var left = cd ? parseInt(cd.getAttribute("data-countdown"), 10) || 20 : 20;
    if (cd) { cd.hidden = false; }
    timers.push(setInterval(function () {
      left -= 1;
      if (n) { n.textContent = String(Math.max(left, 0)); }
      if (left <= 0) { home(); }
    }, 1000));
    if (holdBtn) {
      holdBtn.addEventListener("click", function () {
        left = Math.max(left, 0) + 40;
        if (n) { n.textContent = String(left); }
      });
    }
    var printed = false;
    var img = s.querySelector(".slip-qr");
    var print = function () {
      if (printed) { return; }
      printed = true;
      try { window.print(); } catch (e) { /* no printer */ }
    };
    if (img && !img.complete) {
      img.addEventListener("load", print);
      img.addEventListener("error", print);
      timers.push(setTimeout(print, 2500));
    } else {
      print();
    }
  }

  // enter starts a step: focus on its heading, say it, and set its timers.
  function enter(focus) {
    clearTimers();
    var s = step();
    if (!s) { return; }
    var listen = document.querySelector("[data-kiosk-listen]");
    if (listen && window.speechSynthesis) { listen.hidden = false; }
    if (focus) {
      var h = main.querySelector("h1");
      if (h) { h.focus(); }
    }
    speak(s.getAttribute("data-speak"));
    var kind = s.getAttribute("data-step");
    if (s.hasAttribute("data-ticket")) {
      ticket(s);
    } else if (kind !== "start" && kind !== "unregistered") {
      lastActivity = Date.now();
      timers.push(setInterval(function () {
        if (Date.now() - lastActivity > IDLE_SECONDS * 1000) { home(); }
      }, 5000));
    }
  }

  // load fetches the next step and puts it in place of this one.
  function load(url, opts) {
    if (busy) { return; }
    busy = true;
    main.setAttribute("aria-busy", "true");
    var init = { credentials: "same-origin", headers: { "Accept": "text/html" } };
    if (opts) { init.method = opts.method; init.body = opts.body; }
    fetch(url, init).then(function (res) {
      return res.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("kiosk-main");
        if (!next) {
          // Not a kiosk page (an error page): show it as it is.
          if (!init.method) { window.location.assign(res.url); return; }
          offline(true);
          return;
        }
        main.innerHTML = next.innerHTML;
        document.title = doc.title;
        offline(false);
        enter(true);
      });
    }).catch(function () {
      offline(true);
    }).then(function () {
      busy = false;
      main.removeAttribute("aria-busy");
    });
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t || !t.closest) { return; }
    if (t.closest("[data-kiosk-listen]")) {
      var s = step();
      if (s) { speak(s.getAttribute("data-speak")); }
      return;
    }
    if (t.closest("[data-kiosk-print]")) {
      try { window.print(); } catch (err) { /* no printer */ }
      return;
    }
    var a = t.closest("a[data-kiosk]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) { return; }
    e.preventDefault();
    load(a.href);
  });

  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f || !f.matches || !f.matches("form[data-kiosk]")) { return; }
    e.preventDefault();
    var params = new URLSearchParams(new FormData(f));
    if ((f.getAttribute("method") || "get").toLowerCase() === "post") {
      load(f.action, { method: "POST", body: params });
    } else {
      load(f.action + (f.action.indexOf("?") < 0 ? "?" : "&") + params.toString());
    }
  });

  enter(false);
})();
