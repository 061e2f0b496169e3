/* The annual report's form: the rich-text editors (django-prose-editor, vendored) made accessible and Chinese.
 *
 * Each editable area is named by its field's label and described by its help text (WCAG 4.1.2: the editor builds a
 * contenteditable box beside the hidden textarea the label points at), and the toolbar's English titles are shown in
 * Chinese. The editors are built by module scripts once the page is parsed, and the toolbar redraws itself: a
 * MutationObserver applies both whenever it changes.
 */
(function () {
  "use strict";
  var WORDS = {
    "paragraph": "正文", "Paragraph": "正文", "Heading 3": "三级标题", "Heading 4": "四级标题",
    "unordered list": "项目符号列表", "ordered list": "编号列表", "blockquote": "引用",
    "bold": "加粗", "italic": "倾斜", "underline": "下划线", "strike": "删除线", "undo": "撤销", "redo": "重做"
  };

  // The editor's own dialogs ask window.gettext (Django's JavaScript catalog, not loaded on this page) when its
  // module is first evaluated: this script runs before it (deferred, and placed before the editor's scripts).
  var CATALOG = {
    "Cancel": "取消", "Update": "确定", "List properties": "列表属性", "List type": "列表类型", "Start at": "起始编号",
    "Bullets": "圆点", "Decimal numbers": "数字", "Lowercase letters": "小写字母", "Uppercase letters": "大写字母",
    "Lowercase Roman numerals": "小写罗马数字", "Uppercase Roman numerals": "大写罗马数字"
  };
  if (typeof window.gettext !== "function") {
    window.gettext = function (text) { return CATALOG[text] || text; };
  }

  function translate(box) {
    box.querySelectorAll("[title]").forEach(function (button) {
      var word = WORDS[button.getAttribute("title")];
      if (word) {
        button.setAttribute("title", word);
        button.setAttribute("aria-label", word);
      }
      // The icon is a font ligature ("format_bold"): shown, but not read out — the button's name is the Chinese word.
      if (button.getAttribute("aria-label")) {
        Array.prototype.slice.call(button.childNodes).forEach(function (node) {
          if (node.nodeType === 3 && node.textContent.trim()) {
            // Drawn by CSS (reports.css: ::before from data-icon), so it is no text of the button's.
            button.setAttribute("data-icon", node.textContent.trim());
            button.removeChild(node);
          }
        });
      }
    });
    box.querySelectorAll(".prose-menubar__option > *").forEach(function (option) {
      var word = WORDS[option.textContent];
      if (word) option.textContent = word;
    });
  }

  function name(box) {
    var area = box.querySelector("textarea");
    var editable = box.querySelector('[contenteditable="true"]');
    if (!area || !editable || editable.hasAttribute("aria-labelledby")) return;
    var label = document.querySelector('label[for="' + area.id + '"]');
    if (label) {
      if (!label.id) label.id = area.id + "_label";
      editable.setAttribute("aria-labelledby", label.id);
      // A click on the label puts the cursor in the editor (the textarea it points at is hidden).
      label.addEventListener("click", function () { editable.focus(); });
    }
    var help = area.getAttribute("aria-describedby");
    if (help) editable.setAttribute("aria-describedby", help);
    if (area.getAttribute("aria-invalid") === "true") editable.setAttribute("aria-invalid", "true");
    editable.setAttribute("aria-multiline", "true");
  }

  function fix() {
    document.querySelectorAll(".prose-editor").forEach(function (box) {
      name(box);
      translate(box);
    });
  }

  function start() {
    fix();
    new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
