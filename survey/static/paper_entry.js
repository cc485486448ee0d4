// Keying paper forms at speed. Progressive enhancement only: without this file Tab moves between
// items and Enter saves the form (the server then lists any item not yet keyed, and any bad code).
// With it:
// - a complete code (valid, and the start of no longer code) moves focus to the next item, and
//   Enter moves to the next item instead of saving half a form; on the Save button Enter saves;
// - an entry that can no longer become a valid code ("7" where the codes are 1-5, b and m; a
//   number above the item's maximum) is flagged as it is typed: the box is marked invalid, a
//   message appears under it (and is read out), and focus stays on it so it can be corrected.
//   The server still checks every entry when the form is saved.
(function () {
  "use strict";

  var RESERVED = ["b", "m"]; // left blank, more than one ticked (survey/services/paper.py)

  function init() {
    var form = document.querySelector("form[data-paper-entry]");
    if (!form) { return; }
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[data-entry]"));
    var save = form.querySelector("button[type=submit]");
    var status = document.createElement("div");
    status.className = "govuk-visually-hidden";
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);

    function codesOf(field) {
      return (field.getAttribute("data-codes") || "").split(" ").filter(Boolean);
    }

    function moveOn(field) {
      var next = fields[fields.indexOf(field) + 1] || save;
      next.focus();
      if (next.select) { next.select(); }
    }

    function isComplete(field) {
      var codes = codesOf(field);
      var typed = field.value.trim().toLowerCase();
      if (codes.indexOf(typed) === -1) { return false; }
      // With codes 1 and 10 on one item, "1" waits for Tab rather than jumping too early.
      return !codes.some(function (code) { return code !== typed && code.indexOf(typed) === 0; });
    }

    // Why the typed entry can never be valid, or "" while it is valid or could still become valid.
    function problem(field) {
      var typed = field.value.trim().toLowerCase();
      if (!typed) { return ""; }
      var codes = codesOf(field);
      if (codes.length) {
        var possible = codes.some(function (code) { return code.indexOf(typed) === 0; });
        var shown = codes.filter(function (code) { return RESERVED.indexOf(code) === -1; }).join(", ");
        return possible ? "" : "\u201c" + field.value.trim() + "\u201d is not a code for this question: type " + shown + ", b or m.";
      }
      if (field.hasAttribute("data-max")) {
        if (RESERVED.indexOf(typed) !== -1) { return ""; }
        var min = field.getAttribute("data-min");
        var max = parseInt(field.getAttribute("data-max"), 10);
        if (!/^[0-9]+$/.test(typed)) { return "\u201c" + field.value.trim() + "\u201d is not a whole number: type the number written, b or m."; }
        // Too big can only get bigger; too small may still be the start of a right number.
        if (parseInt(typed, 10) > max) { return typed + " is not between " + min + " and " + max + ": check the form, or type m."; }
      }
      return "";
    }

    function messageFor(field) {
      return document.getElementById("live-" + field.id);
    }

    function flag(field, text) {
      var message = messageFor(field);
      var describedBy = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (text) {
        if (!message) {
          message = document.createElement("p");
          message.id = "live-" + field.id;
          message.className = "govuk-error-message paper-entry-live-error";
          field.parentNode.insertBefore(message, field.nextSibling);
        }
        if (message.textContent !== text) { status.textContent = text; }
        message.textContent = text;
        if (describedBy.indexOf(message.id) === -1) { describedBy.push(message.id); }
        field.setAttribute("aria-describedby", describedBy.join(" "));
        field.setAttribute("aria-invalid", "true");
        field.classList.add("govuk-input--error");
      } else if (message) {
        message.parentNode.removeChild(message);
        field.setAttribute("aria-describedby", describedBy.filter(function (id) { return id !== message.id; }).join(" "));
        if (!document.getElementById("err-" + field.name)) {
          field.removeAttribute("aria-invalid");
          field.classList.remove("govuk-input--error");
        }
      }
    }

    form.addEventListener("input", function (event) {
      var field = event.target;
      if (!field.hasAttribute || !field.hasAttribute("data-entry")) { return; }
      flag(field, problem(field));
      if (field.hasAttribute("data-codes") && isComplete(field)) { moveOn(field); }
    });

    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (event.key === "Enter" && field.hasAttribute && field.hasAttribute("data-entry")) {
        event.preventDefault();
        if (!problem(field)) { moveOn(field); } // a flagged entry keeps focus until it is corrected
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
