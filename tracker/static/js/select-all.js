// "Select all" checkboxes: <input type="checkbox" data-select-all="NAME"> toggles every
// checkbox named NAME. The page works without it (each entry can be ticked by hand).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () { return document.querySelectorAll('input[type="checkbox"][name="' + name + '"]'); };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
    });
  });
});
