// Small behaviours of the field pages: a photo input says how many photos it holds (six at most).
(function () {
  "use strict";
  document.addEventListener("change", (e) => {
    const input = e.target.closest("input[type=file][data-count]");
    if (!input) return;
    const out = document.getElementById(input.dataset.count);
    const n = input.files ? input.files.length : 0;
    out.className = n > 6 ? "field-error" : "muted";
    out.textContent = n > 6 ? `选了 ${n} 张，最多只能传 6 张，请重新拍` : n ? `已选 ${n} 张照片` : "";
  });
})();
