// The facilitator's screen, progressive enhancement only: every few seconds it fetches the
// workshop's figures (ratings.json) and writes them into the cells marked [data-figure], so the
// room sees ratings arrive without the page reloading under anyone. Without JavaScript the
// Refresh button serves (never <meta http-equiv=refresh>: WCAG 2.2.1).
(function () {
  "use strict";
  var region = document.querySelector("[data-workshop-figures]");
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute("data-url");
  var delay = 4000;
  function put(key, value) {
    var cell = region.querySelector('[data-figure="' + key + '"]');
    if (cell && cell.textContent !== String(value)) { cell.textContent = String(value); }
  }
  function median(value) { return value === null ? "\u2013" : String(Math.round(value * 10) / 10); }
  function show(figures) {
    put("participants", figures.participants);
    figures.assets.forEach(function (asset) {
      ["social", "economic"].forEach(function (scale) {
        var numbers = asset[scale];
        put(asset.slug + ":" + scale + ":count", numbers.count);
        put(asset.slug + ":" + scale + ":median", median(numbers.median));
        numbers.distribution.forEach(function (n, index) { put(asset.slug + ":" + scale + ":" + (index + 1), n); });
      });
      put(asset.slug + ":comments", asset.comments);
    });
    region.setAttribute("data-updated", String(Date.now()));
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (figures) {
        show(figures);
        if (figures.status === "open") { window.setTimeout(poll, delay); }
      })
      .catch(function () { window.setTimeout(poll, delay * 3); });
  }
  window.setTimeout(poll, delay);
})();
