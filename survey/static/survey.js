// Progressive enhancement only: every page works without this file.
// A second submit of the same form (a double click, an impatient tap) is ignored in the
// browser; the server also stores one response however many requests arrive.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.submitted === "yes") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "yes";
});

// Asset questions: "How often" appears under an asset as soon as "Yes" is chosen. Without this
// script the server shows the page again with those questions (js=0 tells it they were not seen).
function showFollowups(form) {
  var flag = form.querySelector("[data-js-flag]");
  if (flag) { flag.value = "1"; }
  form.querySelectorAll("[data-followup-for]").forEach(function (block) {
    var chosen = form.querySelector('input[name="' + block.dataset.followupFor + '"]:checked');
    block.classList.toggle("app-followup--hidden", !(chosen && chosen.value === "1"));
  });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-followup-for]")) {
      showFollowups(form);
      form.addEventListener("change", function () { showFollowups(form); });
    }
  });
  // Move focus to the error summary (first in <main>) so screen-reader users hear what went wrong
  // (GOV.UK Frontend does this itself when its JavaScript runs; this covers browsers too old for it,
  // where a summary without tabindex could not take the focus).
  var summary = document.querySelector(".govuk-error-summary");
  if (summary && document.activeElement !== summary) {
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }
});
