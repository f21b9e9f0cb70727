/* build-site: an offline filter box for long lists. The page works without it:
   the box is `hidden` in the HTML and only shown here. */
(function () {
  "use strict";
  function normalise(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function setUp(box) {
    var list = document.getElementById(box.getAttribute("data-filter"));
    var input = box.querySelector("input");
    var status = box.querySelector(".filter-status");
    if (!list || !input) { return; }
    var items = Array.prototype.slice.call(list.children);
    var texts = items.map(function (item) { return normalise(item.textContent); });
    var timer = null;
    function apply() {
      var words = normalise(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item, i) {
        var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = words.length ? shown + " of " + items.length + " shown" : "";
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(apply, 80);
    });
    box.hidden = false;
  }
  document.querySelectorAll("[data-filter]").forEach(setUp);
})();
