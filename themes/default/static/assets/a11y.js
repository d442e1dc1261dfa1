// 大字版 (large text for older readers): a switch that remembers its state in
// localStorage, which browsers keep for file:// pages too. Without scripts the button
// stays hidden and the page reads at the browser's own text size.
(function () {
  var KEY = "hgj-large";
  var root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function apply(on) {
    root.classList.toggle("large", on);
    var b = document.getElementById("large-switch");
    if (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "标准字号" : "大字版";
    }
  }
  function init() {
    var b = document.getElementById("large-switch");
    if (!b) return;
    b.hidden = false;
    apply(stored());
    b.addEventListener("click", function () {
      var on = !root.classList.contains("large");
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
      apply(on);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
