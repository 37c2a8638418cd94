// motcua display board. The page is drawn by the server (and refreshes
// itself every 10 s without JavaScript); this script keeps it live from the
// queue's event stream (/api/v1/queue/events), which the browser reconnects
// by itself. Each call or recall plays a chime (WebAudio, no sound file),
// then is spoken in Vietnamese, and the counter's number blinks for a few
// seconds. A TV that starts without a person touching it needs Chromium's
// --autoplay-policy=no-user-gesture-required, or one press of "Turn on
// sound".
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.EventSource) { return; }
  var t = function (name) { return root.getAttribute("data-t-" + name) || ""; };
  var lang = document.documentElement.lang === "en" ? "en" : "vi";
  var agency = root.getAttribute("data-agency");
  var url = "/api/v1/queue/events" + (agency ? "?agency=" + encodeURIComponent(agency) : "");
  var counters = root.querySelector("[data-board-counters]");
  var recent = root.querySelector("[data-board-recent]");
  var waiting = root.querySelector("[data-board-waiting]");
  var announceEl = root.querySelector("[data-board-announce]");
  var offlineEl = root.querySelector("[data-board-offline]");
  var soundBtn = root.querySelector("[data-board-sound]");
  var clock = root.querySelector("[data-board-clock]");
  var flashing = {};
  var audio = null;
  var es = null;
  var retry = null;
  var offlineTimer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function hhmm(ms) {
    try {
      return new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Ho_Chi_Minh" }).format(new Date(ms));
    } catch (e) {
      var d = new Date(ms);
      return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }
  }

  function waitText(seconds) {
    if (!seconds) { return "—"; }
    var m = Math.max(Math.ceil(seconds / 60), 1);
    if (m >= 90) { return t("hours").replace("{n}", String(Math.floor((m + 15) / 60))); }
    return t("minutes").replace("{n}", String(m));
  }

  function renderCounters(list) {
    var seen = {};
    list.forEach(function (c) {
      var key = String(c.number);
      seen[key] = true;
      var li = counters.querySelector('[data-counter="' + key + '"]');
      if (!li) {
        li = el("li", "board-counter");
        li.setAttribute("data-counter", key);
        li.appendChild(el("span", "bc-name", t("counter") + " " + key));
        li.appendChild(el("span", "bc-number"));
        counters.appendChild(li);
      }
      li.classList.toggle("is-closed", !c.open);
      var text = c.current ? c.current : (c.open ? t("idle") : t("closed"));
      var num = li.querySelector(".bc-number");
      if (num.textContent !== text) { num.textContent = text; }
      li.classList.toggle("is-called", !!flashing[key] && flashing[key] > Date.now());
    });
    Array.prototype.slice.call(counters.children).forEach(function (li) {
      if (!seen[li.getAttribute("data-counter")]) { li.remove(); }
    });
  }

  function renderRecent(list) {
    recent.textContent = "";
    if (!list.length) { recent.appendChild(el("li", "br-empty", t("no-calls"))); return; }
    list.slice(0, 6).forEach(function (c) {
      var li = el("li");
      li.appendChild(el("span", "br-number", c.label));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "br-to", t("counter") + " " + c.counter));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "br-time", hhmm(c.at)));
      recent.appendChild(li);
    });
  }

  function renderWaiting(list) {
    waiting.textContent = "";
    list.forEach(function (g) {
      var tr = el("tr");
      tr.setAttribute("data-group", g.code);
      var th = el("th");
      th.setAttribute("scope", "row");
      th.appendChild(el("span", "bw-prefix", g.prefix));
      th.appendChild(document.createTextNode(" " + (lang === "en" && g.name_en ? g.name_en : g.name)));
      tr.appendChild(th);
      tr.appendChild(el("td", "bw-count", String(g.waiting)));
      tr.appendChild(el("td", "bw-wait", waitText(g.waiting ? g.estimated_wait_seconds : 0)));
      waiting.appendChild(tr);
    });
  }

  function render(board) {
    if (!board) { return; }
    renderCounters(board.counters || []);
    renderRecent(board.recent || []);
    renderWaiting(board.waiting || []);
  }

  // Sound: a two-note chime, then the words.
  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    try {
      if (!audio) { audio = new Ctx(); }
      if (audio.state === "suspended" && audio.resume) { audio.resume().catch(function () {}); }
    } catch (e) { audio = null; }
    return audio;
  }

  function chime() {
    var ctx = audioContext();
    if (!ctx || ctx.state !== "running") { return 0; }
    try {
      var now = ctx.currentTime;
      [[880, 0], [659.25, 0.4]].forEach(function (n) {
        var o = ctx.createOscillator();
        var g = ctx.createGain();
        o.type = "sine";
        o.frequency.value = n[0];
        g.gain.setValueAtTime(0.0001, now + n[1]);
        g.gain.exponentialRampToValueAtTime(0.5, now + n[1] + 0.03);
        g.gain.exponentialRampToValueAtTime(0.0001, now + n[1] + 0.7);
        o.connect(g);
        g.connect(ctx.destination);
        o.start(now + n[1]);
        o.stop(now + n[1] + 0.75);
      });
      return 1200;
    } catch (e) { return 0; }
  }

  function say(text, done) {
    var synth = window.speechSynthesis;
    var finished = false;
    var finish = function () { if (!finished) { finished = true; done(); } };
    if (!text || !synth || typeof window.SpeechSynthesisUtterance !== "function") { finish(); return; }
    try {
      var u = new window.SpeechSynthesisUtterance(text);
      u.lang = "vi-VN";
      u.rate = 0.85;
      var voices = synth.getVoices ? synth.getVoices() || [] : [];
      var vi = voices.filter(function (v) { return (v.lang || "").toLowerCase().indexOf("vi") === 0; });
      if (voices.length && !vi.length) { finish(); return; }
      if (vi.length) { u.voice = vi[0]; }
      u.onend = finish;
      u.onerror = finish;
      synth.speak(u);
      setTimeout(finish, 4000 + text.length * 120);
    } catch (e) { finish(); }
  }

  // Announcements are said one after the other.
  var queue = [];
  var speaking = false;
  function next() {
    if (speaking || !queue.length) { return; }
    speaking = true;
    var text = queue.shift();
    setTimeout(function () {
      say(text, function () { speaking = false; setTimeout(next, 600); });
    }, chime());
  }

  function flash(counter) {
    var key = String(counter);
    flashing[key] = Date.now() + 6500;
    var li = counters.querySelector('[data-counter="' + key + '"]');
    if (li) {
      li.classList.remove("is-called");
      void li.offsetWidth; // restart the blinking
      li.classList.add("is-called");
    }
    setTimeout(function () {
      if (flashing[key] <= Date.now()) {
        var l = counters.querySelector('[data-counter="' + key + '"]');
        if (l) { l.classList.remove("is-called"); }
      }
    }, 6600);
  }

  function announce(ev) {
    if (!ev || (ev.kind !== "called" && ev.kind !== "recalled")) { return; }
    if (ev.counter) { flash(ev.counter); }
    if (announceEl) { announceEl.textContent = ev.speech || ""; }
    if (ev.speech) {
      queue.push(ev.speech);
      next();
    }
  }

  function setOffline(on) {
    clearTimeout(offlineTimer);
    if (!on) { offlineEl.hidden = true; return; }
    // A moment's reconnection is not worth a notice.
    offlineTimer = setTimeout(function () { offlineEl.hidden = false; }, 1500);
  }

  function connect() {
    clearTimeout(retry);
    es = new EventSource(url);
    es.addEventListener("open", function () { setOffline(false); });
    es.addEventListener("error", function () {
      setOffline(true);
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        retry = setTimeout(connect, 5000);
      }
    });
    es.addEventListener("board", function (e) {
      try { render(JSON.parse(e.data).board); setOffline(false); } catch (err) { /* a broken frame: the next one has the whole board */ }
    });
    es.addEventListener("queue", function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      render(f.board);
      announce(f.event);
    });
  }

  if (soundBtn) {
    var ctx = window.AudioContext || window.webkitAudioContext;
    if (ctx) {
      setTimeout(function () {
        var a = audioContext();
        if (!a || a.state !== "running") { soundBtn.hidden = false; }
      }, 300);
    }
    soundBtn.addEventListener("click", function () {
      var a = audioContext();
      if (a && a.resume) { a.resume().catch(function () {}); }
      soundBtn.hidden = true;
      chime();
      say(t("sound-on"), function () {});
    });
  }

  if (clock) {
    setInterval(function () { clock.textContent = hhmm(Date.now()); }, 15000);
  }

  window.addEventListener("pagehide", function () { if (es) { es.close(); } });
  connect();
})();
