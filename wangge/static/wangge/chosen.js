// A photo picker says what was picked: <input type="file" data-chosen="ID"> writes "已选 1 张照片" into #ID.
document.querySelectorAll("input[type=file][data-chosen]").forEach((input) => {
  const out = document.getElementById(input.dataset.chosen);
  if (!out) return;
  input.addEventListener("change", () => {
    const n = input.files ? input.files.length : 0;
    out.textContent = n ? `已选 ${n} 张照片` : "";
  });
});
