// Keying paper forms at speed. Progressive enhancement only: without this file Tab moves between
// items and Enter saves the form (the server then lists any item not yet keyed).
// With it, a complete code (valid, and the start of no longer code) moves focus to the next item,
// and Enter moves to the next item instead of saving half a form; on the Save button Enter saves.
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("form[data-paper-entry]");
    if (!form) { return; }
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[data-entry]"));
    var save = form.querySelector("button[type=submit]");

    function moveOn(field) {
      var next = fields[fields.indexOf(field) + 1] || save;
      next.focus();
      if (next.select) { next.select(); }
    }

    function isComplete(field) {
      var codes = (field.getAttribute("data-codes") || "").split(" ").filter(Boolean);
      var typed = field.value.trim().toLowerCase();
      if (codes.indexOf(typed) === -1) { return false; }
      // With codes 1 and 10 on one item, "1" waits for Tab rather than jumping too early.
      return !codes.some(function (code) { return code !== typed && code.indexOf(typed) === 0; });
    }

    form.addEventListener("input", function (event) {
      var field = event.target;
      if (field.hasAttribute("data-codes") && isComplete(field)) { moveOn(field); }
    });

    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (event.key === "Enter" && field.hasAttribute && field.hasAttribute("data-entry")) {
        event.preventDefault();
        moveOn(field);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
