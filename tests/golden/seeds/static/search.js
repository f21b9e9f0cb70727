// Loads the Pagefind search UI when the site is served over http(s).
// Opened from disk (file://) the page keeps its explanation: browsers refuse the index's requests there.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || (location.protocol !== "http:" && location.protocol !== "https:")) {
    return;
  }
  var bundle = new URL(box.getAttribute("data-bundle"), location.href).href;
  var siteRoot = new URL(box.getAttribute("data-root"), location.href).pathname;
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  function start(shards) {
    var offline = document.getElementById("search-offline");
    if (offline) {
      offline.hidden = true;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: siteRoot,
      mergeIndex: shards.map(function (shard) { return { bundlePath: bundle + shard }; }),
      showSubResults: true,
      showImages: false,
      autofocus: true
    });
    var input = box.querySelector("input[type=text], input[type=search]");
    if (input) {
      input.setAttribute("aria-label", box.getAttribute("data-label"));
    }
    var query = new URLSearchParams(location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  }
  script.onload = function () {
    // A large site's index comes in shards (shards.json lists them), merged here.
    fetch(bundle + "shards.json")
      .then(function (response) { return response.ok ? response.json() : []; })
      .catch(function () { return []; })
      .then(function (shards) { start(Array.isArray(shards) ? shards : []); });
  };
  document.head.appendChild(script);
})();
