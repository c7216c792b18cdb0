// Tables an officer can sort and filter: a click on a heading sorts by that column (again: the other way), numbers
// by their value (1.250.000 ₫ and 12.5% read as numbers), text in Vietnamese order; a filter box above a table
// keeps the rows that contain what is typed; both hold when the page puts new rows in (Tables.changed). For every
// table with data-sortable (the report, the overview, reconciliation).
"use strict";

const Tables = (() => {
  const numeric = (text) => {
    const t = text.replace(/\s|₫|%/g, "");
    if (!/^-?[\d.,]+$/.test(t)) {
      return null;
    }
    // 1.250.000 (thousands with dots) or 12.5 (a share with one decimal).
    return /^-?\d{1,3}(\.\d{3})+$/.test(t) ? Number(t.replace(/\./g, "")) : Number(t.replace(",", "."));
  };
  const collator = new Intl.Collator("vi");

  // A cell orders by its data-sort when it has one (a day or a time written for people), else by its text.
  const key = (cell) => cell?.dataset.sort ?? cell?.textContent ?? "";

  function order(table) {
    const column = Number(table.dataset.sortColumn);
    if (table.dataset.sortColumn === undefined) {
      return;
    }
    const up = table.dataset.sortDirection === "ascending";
    const body = table.tBodies[0];
    const rows = [...body.rows];
    rows.sort((a, b) => {
      const x = key(a.cells[column]);
      const y = key(b.cells[column]);
      const nx = numeric(x);
      const ny = numeric(y);
      const by = nx !== null && ny !== null ? nx - ny : collator.compare(x, y);
      return up ? by : -by;
    });
    body.replaceChildren(...rows);
  }

  function sortBy(table, column, header) {
    const up = header.getAttribute("aria-sort") !== "ascending";
    for (const th of table.tHead.rows[0].cells) {
      th.removeAttribute("aria-sort");
    }
    header.setAttribute("aria-sort", up ? "ascending" : "descending");
    table.dataset.sortColumn = String(column);
    table.dataset.sortDirection = up ? "ascending" : "descending";
    order(table);
  }

  /** Makes the table's headings sort it and puts a filter box before it. */
  function enhance(table) {
    if (table.dataset.enhanced) {
      return;
    }
    table.dataset.enhanced = "1";
    [...table.tHead.rows[0].cells].forEach((th, column) => {
      th.tabIndex = 0;
      th.classList.add("sortable");
      th.addEventListener("click", () => sortBy(table, column, th));
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, column, th);
        }
      });
    });
    const input = Page.el("input", { type: "search", class: "filter", id: table.id ? `${table.id}-filter` : null, "aria-label": I18n.text("province.geo.report.filter"), placeholder: `${I18n.textIn("vi", "province.geo.report.filter")} / ${I18n.textIn("en", "province.geo.report.filter")}` });
    const count = Page.el("span", { class: "muted rows" });
    const update = () => {
      const words = input.value.trim().toLocaleLowerCase("vi").split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const row of table.tBodies[0].rows) {
        const text = row.textContent.toLocaleLowerCase("vi");
        row.hidden = !words.every((w) => text.includes(w));
        shown += row.hidden ? 0 : 1;
      }
      count.textContent = I18n.both("province.geo.report.rows", shown);
    };
    input.addEventListener("input", update);
    table.before(Page.el("p", { class: "filter-bar" }, input, " ", count));
    // New rows (a page that reads again) keep the order and the filter chosen.
    table.addEventListener("rows-changed", () => {
      order(table);
      update();
    });
    update();
  }

  /** Tells a table its rows were replaced (the filter applies again). */
  function changed(table) {
    table.dispatchEvent(new Event("rows-changed"));
  }

  return { enhance, changed };
})();
