// The filter box of the grouped communities index. Without JavaScript the box stays
// hidden and the full grouped list is the page; with it, typing hides the communities
// (and whole subdistricts) whose names do not contain the text.
(function () {
  "use strict";
  var box = document.getElementById("community-filter-box");
  var input = document.getElementById("community-filter");
  var status = document.getElementById("community-filter-status");
  if (!box || !input) { return; }
  box.hidden = false;
  var groups = document.querySelectorAll("section.group");
  input.addEventListener("input", function () {
    var q = input.value.trim();
    var shown = 0;
    groups.forEach(function (g) {
      var whole = q === "" || (g.getAttribute("data-name") || "").indexOf(q) >= 0;
      var any = false;
      g.querySelectorAll("tbody tr").forEach(function (tr) {
        var hit = whole || (tr.getAttribute("data-name") || "").indexOf(q) >= 0;
        tr.hidden = !hit;
        if (hit) { any = true; shown += 1; }
      });
      g.hidden = !any;
    });
    status.textContent = q === "" ? "" : "找到" + shown + "个社区";
  });
})();
