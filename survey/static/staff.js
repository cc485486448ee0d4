// Staff screens, progressive enhancement only (every page works without it).
// A progress page ([data-job-progress]) fetches itself every few seconds and swaps in the new
// progress region, so nothing reloads under the reader and focus stays where it is; without
// JavaScript the page offers a Refresh button instead (never <meta http-equiv=refresh>).
(function () {
  "use strict";
  var region = document.querySelector("[data-job-progress]");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  // The Refresh button's form is hidden, not the button: GOV.UK's button styles would override [hidden].
  function refreshForm(scope) {
    var button = scope.querySelector("[data-refresh-button]");
    return button ? button.form : null;
  }
  var initial = refreshForm(region);
  if (initial) { initial.hidden = true; }
  var delay = 3000;
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-job-progress]");
        if (!fresh) { return; }
        // A job that fails says so in an error summary at the top of <main> (GOV.UK's place for it),
        // outside the region: bring it in; its role="alert" announces it.
        var summary = page.querySelector("main > .govuk-error-summary");
        var main = document.querySelector("main");
        if (summary && main && !main.querySelector(":scope > .govuk-error-summary")) {
          main.insertBefore(document.importNode(summary, true), main.firstChild);
          document.title = page.title;
        }
        var hidden = refreshForm(fresh);
        if (hidden) { hidden.hidden = true; }
        region.innerHTML = fresh.innerHTML;
        if (fresh.getAttribute("data-job-progress") === "running") { window.setTimeout(poll, delay); }
        else { region.setAttribute("data-job-progress", "finished"); }
      })
      .catch(function () {
        var again = refreshForm(region);
        if (again) { again.hidden = false; }
      });
  }
  if (region.getAttribute("data-job-progress") === "running") { window.setTimeout(poll, delay); }
})();
