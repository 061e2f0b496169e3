/* Accessibility helpers (GB/T 37668-2019 / WCAG 2.1 AA). Loaded in <head> without defer, from the site itself (no
 * inline script): it sets the remembered larger-text mode (适老化) on <html> before the first paint; the rest waits
 * for the page. */
(function () {
  "use strict";
  var root = document.documentElement, KEY = "kj-text-size", LARGE = "kj-large-text";
  try {
    if (window.localStorage.getItem(KEY) === "large") { root.classList.add(LARGE); }
  } catch (e) { /* storage blocked: normal text */ }

  function syncButtons() {
    var on = root.classList.contains(LARGE);
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准字" : "大字";
      button.title = on ? "恢复标准文字大小" : "放大页面文字（适老化）";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-text-size]");
    if (!button) { return; }
    var on = root.classList.toggle(LARGE);
    try { window.localStorage.setItem(KEY, on ? "large" : "normal"); } catch (e) { /* not remembered */ }
    syncButtons();
  });

  // A list's "select all" box ticks every row box of its table or card list.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    document.querySelectorAll("input[name=ids]").forEach(function (row) { row.checked = box.checked; });
  });

  // "看不清，换一张": a new CAPTCHA from django-simple-captcha's refresh view, the answer box emptied and focused.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-captcha-refresh]") : null;
    if (!button) { return; }
    var box = button.closest(".kj-captcha");
    fetch(button.getAttribute("data-captcha-refresh"), {headers: {"X-Requested-With": "XMLHttpRequest"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        box.querySelector("[data-captcha-image]").src = data.image_url;
        box.querySelector("input[type=hidden]").value = data.key;
        var answer = box.querySelector("input[type=text]");
        answer.value = "";
        answer.focus();
      });
  });

  // Escape closes the open phone menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    var menu = document.getElementById("kj-nav");
    if (event.key !== "Escape" || !menu || !menu.classList.contains("show") || !window.bootstrap) { return; }
    window.bootstrap.Collapse.getOrCreateInstance(menu).hide();
    var toggler = document.querySelector("[data-bs-target='#kj-nav']");
    if (toggler) { toggler.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncButtons();
    // After a failed submit: the error summary takes the focus, so a screen reader reads it and Tab goes on from it.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    // A table wider than the screen scrolls: keyboard users reach it with Tab and scroll it with the arrow keys.
    document.querySelectorAll(".table-responsive, .kj-table-scroll").forEach(function (region) {
      if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "0"); }
      if (!region.hasAttribute("role")) { region.setAttribute("role", "region"); }
      if (!region.hasAttribute("aria-label")) {
        // Named after the heading of its card or section, so that two tables on a page can be told apart.
        var box = region.closest(".card, section, article");
        var heading = box ? box.querySelector("h1, h2, h3, h4, h5, h6") : null;
        var name = heading ? heading.textContent.trim() : "";
        region.setAttribute("aria-label", (name ? name + "：" : "") + "表格（可左右滚动）");
      }
    });
  });
})();
