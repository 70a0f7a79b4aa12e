// Tables that do not fit a narrow screen become stacked cards: each row a card, each cell
// labelled with its column's header (data-label, shown by tracker.css). Without JavaScript
// such a table scrolls inside its own box instead, never the page.
(function () {
  var narrow = window.matchMedia("(max-width: 640px)");

  function headers(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!row) { return null; }
    var labels = [];
    Array.prototype.forEach.call(row.cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(cell.textContent.trim()); }
    });
    return labels;
  }

  function label(table, labels) {
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var text = labels[column] || "";
          if (text && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", text); }
          if (!cell.querySelector(":scope > .cell-value")) {
            // One box for the cell's content, beside its label (the label may wrap).
            var value = document.createElement("span");
            value.className = "cell-value";
            while (cell.firstChild) { value.appendChild(cell.firstChild); }
            cell.appendChild(value);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }

  function update() {
    document.querySelectorAll("table.table").forEach(function (table) {
      table.classList.remove("stacked");
      if (!narrow.matches) { return; }
      var box = table.parentElement;
      if (table.scrollWidth <= (box ? box.clientWidth : window.innerWidth) + 1) { return; }
      var labels = headers(table);
      if (!labels) { return; }
      label(table, labels);
      table.classList.add("stacked");
    });
  }

  document.addEventListener("DOMContentLoaded", update);
  if (narrow.addEventListener) { narrow.addEventListener("change", update); }
})();
