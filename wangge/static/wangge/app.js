// Small behaviours of the staff pages, kept out of the templates (no inline script).
(function () {
  // Filter panels are open at a desk and folded on a phone.
  if (window.matchMedia("(min-width: 721px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((d) => { d.open = true; });
  }
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
})();
