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
  script.onload = function () {
    var offline = document.getElementById("search-offline");
    if (offline) {
      offline.hidden = true;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      // Pagefind's API over every shard of the index, each page found only by words it holds
      bundlePath: bundle + "exact/",
      baseUrl: siteRoot,
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
  };
  document.head.appendChild(script);
})();
