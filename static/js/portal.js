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

// Occupation type-ahead as an ARIA combobox: htmx fills the listbox while typing; arrow keys
// move through the options, Enter opens the one chosen, Escape closes the list. Without this
// file (or JavaScript) the search form and its result links work on their own.
(function () {
  "use strict";
  var input = document.querySelector("[data-combobox]");
  if (!input) {
    return;
  }
  var listId = input.getAttribute("data-combobox");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");
  var active = -1;

  function options() {
    var list = document.getElementById(listId);
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }
  function show(index) {
    var all = options();
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function choose(option) {
    if (option && option.getAttribute("data-href")) {
      window.location.assign(option.getAttribute("data-href"));
    }
  }
  // On a phone the on-screen keyboard covers the lower half: the field goes to the top of the
  // window while typing (when the page is long enough, as it is once matches arrive), so the
  // matches below it stay in sight.
  function toTop() {
    if (document.activeElement === input && window.matchMedia("(max-width: 39.99rem)").matches) {
      input.scrollIntoView({ block: "start" });
    }
  }
  input.addEventListener("focus", toTop);
  document.body.addEventListener("htmx:afterSwap", function () {
    input.setAttribute("aria-expanded", options().length ? "true" : "false");
    show(-1);
    toTop();
  });
  input.addEventListener("keydown", function (event) {
    var all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      show(Math.min(active + 1, all.length - 1));
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      show(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0 && all[active]) {
      event.preventDefault();
      choose(all[active]);
    } else if (event.key === "Escape") {
      input.setAttribute("aria-expanded", "false");
      show(-1);
    }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest('[role="option"]') : null;
    if (option) {
      choose(option);
    }
  });
})();

// "Copy the link" and "Share" beside a link shown once (a shared CV): the buttons appear only
// where the browser can do it; without them the link is still there to select and copy.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy], [data-share]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy") || button.getAttribute("data-share"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!source) {
      return;
    }
    var text = source.textContent.trim();
    if (button.hasAttribute("data-copy")) {
      if (!navigator.clipboard || !window.isSecureContext) {
        return;
      }
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(text).then(function () {
          if (status) {
            status.textContent = button.getAttribute("data-done");
          }
        });
      });
    } else {
      if (typeof navigator.share !== "function") {
        return;
      }
      button.addEventListener("click", function () {
        navigator.share({ url: text }).catch(function () {});
      });
    }
    button.hidden = false;
  });
})();

// The hour grid: each day's total follows what is typed, with a warning at once when the day
// passes 8 hours. The server counts the same on submit; without this the total shown is the
// one of the last save.
(function () {
  "use strict";
  var days = document.querySelectorAll("fieldset.hours-day");
  Array.prototype.forEach.call(days, function (day) {
    var total = day.querySelector("[data-day-total]");
    var warning = day.querySelector("[data-day-warning]");
    if (!total) {
      return;
    }
    var separator = total.getAttribute("data-decimal") || ".";
    function update() {
      var sum = 0;
      Array.prototype.forEach.call(day.querySelectorAll("input.ds-input"), function (input) {
        var value = parseFloat(input.value.replace(",", ".").trim());
        if (!isNaN(value) && value > 0) {
          sum += value;
        }
      });
      var text = String(Math.round(sum * 100) / 100).replace(".", separator);
      total.textContent = total.getAttribute("data-day-total").replace("{hours}", text);
      if (warning) {
        warning.textContent = sum > 8 ? warning.getAttribute("data-day-warning") : "";
      }
    }
    day.addEventListener("input", update);
  });
})();

// "My situation": the follow-up question of the option chosen shows at once. Every follow-up
// text stays in the form (hidden, not removed), so a text comes back with its option; without
// this file the follow-up appears after saving.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".situation-question"), function (question) {
    question.addEventListener("change", function (event) {
      var kind = event.target.getAttribute("data-follow-up");
      if (!kind) {
        return;
      }
      Array.prototype.forEach.call(question.querySelectorAll(".follow-up"), function (box) {
        box.hidden = box.getAttribute("data-kind") !== kind;
      });
    });
  });
})();
