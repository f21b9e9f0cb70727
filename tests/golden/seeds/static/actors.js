/* build-site: the filter box of actors/index.html. The lists are complete without it:
   the box is `hidden` in the HTML and only shown here. */
(function () {
  "use strict";
  var box = document.querySelector("[data-actor-filter]");
  if (!box) { return; }
  var input = box.querySelector("input");
  var status = box.querySelector(".filter-status");
  var groups = Array.prototype.slice.call(document.querySelectorAll(".actor-group"));
  function normalise(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var items = [];
  groups.forEach(function (group) {
    Array.prototype.forEach.call(group.querySelectorAll(".actor-list > li"), function (item) {
      items.push({ item: item, group: group, text: normalise(item.textContent) });
    });
  });
  var timer = null;
  function apply() {
    var words = normalise(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    var visible = new Map();
    items.forEach(function (entry) {
      var match = words.every(function (word) { return entry.text.indexOf(word) !== -1; });
      entry.item.hidden = !match;
      if (match) { shown += 1; visible.set(entry.group, true); }
    });
    groups.forEach(function (group) { group.hidden = !visible.get(group); });
    status.textContent = words.length ? shown + " of " + items.length + " shown" : "";
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(apply, 80);
  });
  box.hidden = false;
})();
