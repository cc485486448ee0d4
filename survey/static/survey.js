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

// Move focus to the error summary so screen-reader users hear what went wrong.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});
