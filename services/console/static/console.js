// The console's only script (no third-party code): follows a roster's generation until it is done, and
// copies a lawyer's calendar link.
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-poll");
    var bar = box.querySelector("progress");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          // logged out meanwhile (sent to the log-in page): show that page instead of polling on
          if (r.redirected) { window.location.reload(); return undefined; }
          return r.ok ? r.json() : null;  // null: the system is busy; try again shortly
        })
        .then(function (state) {
          if (state === undefined) { return; }
          if (state === null) { setTimeout(tick, 5000); return; }
          if (bar) { bar.value = state.progress || 0; bar.textContent = Math.round((state.progress || 0) * 100) + "%"; }
          if (state.busy) { setTimeout(tick, 1000); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    setTimeout(tick, 1000);
  }
  function copier(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector(".copy-status");
    function say(text) { if (status) { status.textContent = text; } }
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var copied = function () { say(button.getAttribute("data-copied")); };
      var failed = function () { say(button.getAttribute("data-failed")); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(copied, failed);
      } else {  // plain http on an office network: the older way, with the text selected
        try { if (document.execCommand("copy")) { copied(); } else { failed(); } } catch (e) { failed(); }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("button[data-copy]").forEach(copier);
  });
})();
