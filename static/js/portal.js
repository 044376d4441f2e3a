// Warns before an idle session ends, so nobody loses their place; pages work without this file.
(function () {
  "use strict";
  var WARN_BEFORE_SECONDS = 120;
  var meta = document.querySelector('meta[name="portal-idle-seconds"]');
  var dialog = document.getElementById("idle-warning");
  if (!meta || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var idleSeconds = parseInt(meta.getAttribute("content"), 10);
  if (!(idleSeconds > WARN_BEFORE_SECONDS)) {
    return;
  }
  var timer = null;
  function arm() {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(function () {
      if (!dialog.open) {
        dialog.showModal();
      }
    }, (idleSeconds - WARN_BEFORE_SECONDS) * 1000);
  }
  // Every htmx request renews the session on the server, so it renews the warning too.
  document.body.addEventListener("htmx:afterRequest", arm);
  var form = dialog.querySelector("form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    }).then(function () {
      dialog.close();
      arm();
    });
  });
  arm();
})();

// After a refused form, move focus to the error summary so screen readers announce it.
(function () {
  "use strict";
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
})();
