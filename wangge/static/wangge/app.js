// Small behaviours of the staff pages, kept out of the templates (no inline script).
(function () {
  // On a phone the tab row scrolls: keep the current tab in sight.
  document.querySelectorAll(".tabs a.on, .topnav a.on").forEach((a) => a.scrollIntoView({ block: "nearest", inline: "nearest" }));
  // Stacked tables label each cell from its column's heading (cells may set their own data-label).
  function labelCells(root) {
    root.querySelectorAll("table.stack").forEach((table) => {
      const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
      table.querySelectorAll("tbody tr").forEach((tr) => {
        [...tr.children].forEach((td, i) => {
          if (!td.hasAttribute("data-label")) td.setAttribute("data-label", td.colSpan > 1 ? "" : heads[i] || "");
        });
      });
    });
  }
  labelCells(document);
  document.body.addEventListener("htmx:afterSwap", (e) => labelCells(e.target));
  // A button that folds a panel open or shut (the workbench's further filters on a phone).
  document.addEventListener("click", (e) => {
    const toggle = e.target.closest("[data-toggle-class]");
    if (!toggle) return;
    const target = document.querySelector(toggle.dataset.target);
    if (target) target.classList.toggle(toggle.dataset.toggleClass);
  });
  // "Select all" boxes tick every box named in their data-select-all (also on rows htmx swaps in).
  document.addEventListener("change", (e) => {
    const all = e.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`).forEach((box) => { box.checked = all.checked; });
  });
  // Action buttons open their form below them (one at a time); 取消 closes it.
  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-panel]");
    if (!button) return;
    const panel = document.getElementById(button.dataset.panel);
    if (!panel) return;
    const opening = panel.hidden;
    document.querySelectorAll(".action-panel").forEach((p) => { p.hidden = true; });
    document.querySelectorAll("[data-panel][aria-expanded]").forEach((b) => { b.setAttribute("aria-expanded", "false"); b.classList.remove("on"); });
    panel.hidden = !opening;
    if (opening) {
      document.querySelectorAll(`[data-panel="${button.dataset.panel}"][aria-expanded]`).forEach((b) => { b.setAttribute("aria-expanded", "true"); b.classList.add("on"); });
      const first = panel.querySelector("select, textarea, input:not([type=hidden])");
      if (first) first.focus({ preventScroll: true });
    }
  });
  // Sortable tables: a click on a heading sorts by that column (again: the other way). Cells are read by
  // their data-value, else by their text as a number (81.9%, 1,234) or as Chinese text; blanks go last.
  function cellValue(td) {
    const raw = td.dataset.value !== undefined ? td.dataset.value : td.textContent.trim();
    const n = parseFloat(raw.replace(/[,%]/g, ""));
    return raw === "" || raw === "—" ? null : Number.isNaN(n) ? raw : n;
  }
  document.addEventListener("click", (e) => {
    const th = e.target.closest("table.sortable thead th");
    if (!th) return;
    const table = th.closest("table");
    const column = [...th.parentNode.children].indexOf(th);
    const down = th.getAttribute("aria-sort") !== "descending";
    table.querySelectorAll("thead th").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
    const body = table.tBodies[0];
    const rows = [...body.rows].filter((r) => r.cells.length > column && !r.querySelector("td.empty"));
    rows.sort((a, b) => {
      const x = cellValue(a.cells[column]);
      const y = cellValue(b.cells[column]);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return down ? -order : order;
    });
    rows.forEach((r) => body.appendChild(r));
  });
  // 打印 (the handbook): the page's own print dialog.
  document.addEventListener("click", (e) => { if (e.target.closest("[data-print]")) window.print(); });
})();
