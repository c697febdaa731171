// Sortable tables: a click on a column's header sorts the rows by it (again: the other way);
// a cell's data-v, when present, is the number it sorts by. Shared by every page.
(function () {
  "use strict";
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        const asc = !th.classList.contains("asc");
        table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = function (r) {
          const c = r.cells[col];
          return c.dataset.v !== undefined ? parseFloat(c.dataset.v) : c.textContent;
        };
        rows.sort(function (a, b) {
          const x = key(a), y = key(b);
          const d = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
          return asc ? d : -d;
        });
        body.append.apply(body, rows);
      });
    });
  });

})();
