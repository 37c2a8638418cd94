// Returning results: read the receipt's QR code with the device's camera,
// where the browser can (the BarcodeDetector API with QR codes, and a
// camera). Only then does the "Scan with the camera" button appear; elsewhere
// the code is typed, or read by a USB scanner that types it.
(function () {
  "use strict";
  var row = document.querySelector("[data-scan-camera]");
  if (!row || !("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var input = document.getElementById(row.getAttribute("data-scan-camera"));
  var status = document.querySelector("[data-scan-status]");
  if (!input) { return; }
  var formats = [];
  var button = null, box = null, stream = null, video = null, timer = null, running = false;

  function say(attr) { if (status) { status.textContent = attr ? (row.getAttribute(attr) || "") : ""; } }

  function stop() {
    running = false;
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (box) { box.remove(); box = null; video = null; }
    button.textContent = row.getAttribute("data-label");
  }

  function found(text) {
    stop();
    input.value = text;
    // staff.js keeps only the dossier code of a status-page address.
    input.dispatchEvent(new Event("change", { bubbles: true }));
    say("data-msg-found");
    if (input.form) {
      if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
    }
  }

  function start() {
    running = true;
    button.textContent = row.getAttribute("data-label-stop");
    Promise.resolve().then(function () {
      var detector = new BarcodeDetector({ formats: formats });
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        if (!running) { s.getTracks().forEach(function (t) { t.stop(); }); return; }
        stream = s;
        box = document.createElement("div");
        video = document.createElement("video");
        video.muted = true;
        video.setAttribute("playsinline", "");
        video.setAttribute("aria-hidden", "true");
        video.width = 320;
        video.srcObject = s;
        box.appendChild(video);
        row.insertAdjacentElement("afterend", box);
        say("data-msg-scanning");
        // Look for a code from the first frames on; while the video is not
        // playing yet detect fails, and is tried again.
        var playing = video.play();
        if (playing && playing.catch) { playing.catch(function () {}); }
        var tick = function () {
          if (!running || !video) { return; }
          var detecting;
          try { detecting = detector.detect(video); } catch (e) { detecting = Promise.reject(e); }
          detecting.then(function (codes) {
            if (codes.length && codes[0].rawValue) { found(codes[0].rawValue); return; }
            timer = setTimeout(tick, 250);
          }, function () { timer = setTimeout(tick, 500); });
        };
        tick();
      });
    }).catch(function () {
      stop();
      say("data-msg-error");
    });
  }

  // Some browsers have the API without a reader for QR codes (Chromium on
  // Linux): no button there either.
  var supported = BarcodeDetector.getSupportedFormats ? BarcodeDetector.getSupportedFormats() : Promise.resolve([]);
  supported.then(function (list) {
    formats = ["qr_code", "code_128", "code_39"].filter(function (f) { return list.indexOf(f) >= 0; });
    if (formats.indexOf("qr_code") < 0) { return; }
    button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.setAttribute("data-scan-button", "");
    button.textContent = row.getAttribute("data-label");
    row.appendChild(button);
    button.addEventListener("click", function () {
      if (running) { stop(); say(""); } else { start(); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && running) { stop(); say(""); button.focus(); }
    });
  }, function () {});
})();
