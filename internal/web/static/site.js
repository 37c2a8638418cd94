// motcua: small progressive enhancements. Every page works without this.
(function () {
  "use strict";
  // "Read aloud": uses the browser's Vietnamese voice where there is one.
  var speech = window.speechSynthesis;
  document.querySelectorAll("[data-read-aloud]").forEach(function (btn) {
    if (!speech) { return; }
    btn.parentElement.hidden = false;
    btn.addEventListener("click", function () {
      if (speech.speaking) { speech.cancel(); return; }
      var target = document.querySelector(btn.getAttribute("data-read-aloud"));
      if (!target) { return; }
      var text = target.innerText.replace(btn.innerText, "");
      var u = new SpeechSynthesisUtterance(text);
      u.lang = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
      var voices = speech.getVoices().filter(function (v) { return v.lang && v.lang.indexOf(u.lang.slice(0, 2)) === 0; });
      if (voices.length) { u.voice = voices[0]; }
      u.rate = 0.9;
      speech.speak(u);
    });
  });
})();
