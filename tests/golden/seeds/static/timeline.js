/* build-site: offline filters for the timeline (by actor and by kind of event).
   The page works without it: the full list is in the HTML and the form stays hidden. */
(function () {
  "use strict";
  function setUp(form) {
    var list = document.getElementById(form.getAttribute("data-timeline"));
    if (!list) { return; }
    var actor = form.querySelector("select[name=actor]");
    var kind = form.querySelector("select[name=type]");
    var status = form.querySelector(".filter-status");
    var items = Array.prototype.slice.call(list.children);
    function apply() {
      var wantActor = actor.value;
      var wantKind = kind.value;
      var shown = 0;
      items.forEach(function (item) {
        var actors = (item.getAttribute("data-actors") || "").split(" ");
        var match = (!wantActor || actors.indexOf(wantActor) !== -1) &&
          (!wantKind || item.getAttribute("data-type") === wantKind);
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = (wantActor || wantKind) ? shown + " of " + items.length + " events shown" : "";
    }
    actor.addEventListener("change", apply);
    kind.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.hidden = false;
  }
  document.querySelectorAll("form[data-timeline]").forEach(setUp);
})();
