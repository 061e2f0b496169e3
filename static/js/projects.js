/* The project write page (projects/project_form.html), loaded deferred: "添加一行" copies a formset's empty row, and
 * the budget lines' sum is shown live against the total. Amounts are counted in whole fen (integers), never in
 * floating-point yuan; the server's check (projects.services.check_content) is the one that counts. */
(function () {
  "use strict";

  // "12,000.50" → 1200050 (fen); null when it is not an amount this page can add up.
  function fen(text) {
    var plain = String(text || "").replace(/[,，\s\u00a0\u3000]/g, "").replace(/元$/, "");
    var match = /^(-?)(\d{1,13})(?:\.(\d{0,2}))?$/.exec(plain);
    if (!match) { return null; }
    var value = parseInt(match[2], 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
    return match[1] ? -value : value;
  }

  function yuan(value) {
    var negative = value < 0, whole = Math.floor(Math.abs(value) / 100), cents = String(Math.abs(value) % 100);
    return (negative ? "-" : "") + String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." +
      (cents.length < 2 ? "0" + cents : cents) + " 元";
  }

  function updateSum(form) {
    var out = form.querySelector("[data-budget-sum]");
    if (!out) { return; }
    var sum = 0, unreadable = 0;
    form.querySelectorAll("[data-budget-amount]").forEach(function (input) {
      var row = input.closest("[data-row]");
      var remove = row ? row.querySelector("input[name$='-DELETE']") : null;
      if ((remove && remove.checked) || !input.value.trim()) { return; }
      var value = fen(input.value);
      if (value === null) { unreadable += 1; } else { sum += value; }
    });
    var totalInput = form.querySelector("[name=total_budget]");
    var total = totalInput && totalInput.value.trim() ? fen(totalInput.value) : null;
    var text = "预算明细合计：" + yuan(sum);
    if (unreadable) { text += "（另有 " + unreadable + " 行金额无法识别）"; }
    var ok = false, bad = true;
    if (total === null) {
      text += "；请填写预算总额后核对。";
      bad = unreadable > 0;
    } else if (sum === total && !unreadable) {
      ok = true;
      text += "，与预算总额一致。";
    } else {
      text += "；预算总额：" + yuan(total) + "，相差 " + yuan(Math.abs(total - sum)) + "。";
    }
    out.textContent = text;
    out.hidden = false;
    out.classList.toggle("kj-sum-ok", ok);
    out.classList.toggle("kj-sum-bad", bad && !ok);
  }

  function addRow(button) {
    var section = button.closest("[data-formset]");
    var prefix = section.getAttribute("data-formset");
    var total = section.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var most = section.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var index = parseInt(total.value, 10);
    if (most && index >= parseInt(most.value, 10)) {
      button.disabled = true;
      button.textContent = "已达最多行数";
      return;
    }
    var html = section.querySelector("template[data-empty-row]").innerHTML
      .replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    section.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, textarea, input:not([type=hidden]):not([type=checkbox])");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-row]") : null;
    if (button) { addRow(button); }
  });

  function refresh(event) {
    var form = event.target.closest ? event.target.closest("[data-project-form]") : null;
    if (form && event.target.matches("[data-budget-amount], [name=total_budget], input[name$='-DELETE']")) {
      updateSum(form);
    }
  }
  document.addEventListener("input", refresh);
  document.addEventListener("change", refresh);

  function start() {
    document.querySelectorAll("[data-project-form]").forEach(function (form) {
      form.querySelectorAll("[data-add-row]").forEach(function (button) { button.hidden = false; });
      updateSum(form);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
