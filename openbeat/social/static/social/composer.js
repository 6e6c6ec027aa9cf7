// A live character count while typing; the server's preview (with each network's own counting) is the truth.
(function () {
  const text = document.querySelector("[data-compose-text]");
  const count = document.querySelector("[data-compose-count]");
  if (!text || !count) return;
  let timer = null;
  text.addEventListener("input", function () {
    clearTimeout(timer);
    // Announced after a pause, not on every key, so a screen reader is not flooded.
    timer = setTimeout(function () {
      const n = Array.from(text.value).length;
      count.textContent = n + (n === 1 ? " character" : " characters");
    }, 400);
  });
})();
