/* Offline-tolerant forms (fieldwork/activity_form.html), loaded deferred; no library.
 *
 * A form with data-offline-draft="<key>" keeps a draft in this browser: its field values in localStorage on every
 * change, its photos (as Blobs) in IndexedDB. The hidden idempotency_key is part of the draft, so a draft submitted
 * again reuses it and the server still makes one record (core.idempotency).
 *
 * Submitting goes through fetch. Offline, or when the request fails, the draft is kept and queued: the status line
 * says "已保存在本机，联网后自动提交", and the draft is sent on the `online` event, when the page is opened again, or
 * by a retry every minute. A redirect is followed (the draft cleared first); a page with form errors replaces the
 * form's page (the draft kept). A saved draft is put back into the form when the page opens ("已恢复未提交的草稿",
 * with a "清除草稿" button).
 *
 * Also for the activity form: a select with data-options-source="<field>" reloads its options from
 * data-options-url + that field's value when it changes (the villages of the chosen town), and [data-cross-town-note]
 * shows while the town chosen is not the select's data-home-town.
 */
(function () {
  "use strict";

  var PREFIX = "kj-draft:", DB_NAME = "kj-drafts", STORE = "photos", RETRY_MS = 60000;
  var QUEUED = "已保存在本机，联网后自动提交。";

  if (!window.fetch || !window.Promise || !window.FormData) { return; }  // the plain form submits as it always did

  // ------------------------------------------------------------------ the values: localStorage
  function readDraft(key) {
    try { return JSON.parse(window.localStorage.getItem(PREFIX + key) || "null"); } catch (e) { return null; }
  }

  function writeDraft(key, draft) {
    try { window.localStorage.setItem(PREFIX + key, JSON.stringify(draft)); return true; } catch (e) { return false; }
  }

  function values(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "submit" || el.type === "button" ||
          el.name === "csrfmiddlewaretoken") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        out[el.name] = out[el.name] || [];
        if (el.checked) { out[el.name].push(el.value); }
      } else if (el.type === "select-multiple") {
        out[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function restore(form, saved) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in saved) || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
      var value = saved[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = [].concat(value).indexOf(el.value) !== -1;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = [].concat(value).indexOf(o.value) !== -1; });
      } else if (el.tagName === "SELECT") {
        el.value = value;
        if (el.value !== value) { el.setAttribute("data-pending-value", value); }  // its options are not loaded yet
      } else {
        el.value = value;
      }
    });
  }

  // ------------------------------------------------------------------ the photos: IndexedDB
  function withStore(mode, work) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("IndexedDB unavailable")); return; }
      var opening = window.indexedDB.open(DB_NAME, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore(STORE); };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result, result;
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  }

  function savePhotos(key, files) {
    var items = Array.prototype.map.call(files, function (file) {
      return {name: file.name, type: file.type, blob: file.slice(0, file.size, file.type)};
    });
    if (!items.length) { return dropPhotos(key); }
    return withStore("readwrite", function (store) { return store.put(items, key); }).catch(function () { /* kept in the input only */ });
  }

  function loadPhotos(key) {
    return withStore("readonly", function (store) { return store.get(key); })
      .then(function (items) { return items || []; }, function () { return []; });
  }

  function dropPhotos(key) {
    return withStore("readwrite", function (store) { return store.delete(key); }).catch(function () {});
  }

  // ------------------------------------------------------------------ one form
  function fileInput(form) { return form.querySelector("input[type=file][name]"); }

  function statusLine(form, text) {
    var line = form.querySelector("[data-offline-status]");
    if (line) { line.textContent = text || ""; }
  }

  function notice(form, show, photos) {
    var box = document.querySelector("[data-offline-notice]");
    if (!box) { return; }
    box.hidden = !show;
    var text = box.querySelector("span");
    if (text && show) { text.textContent = "已恢复未提交的草稿" + (photos ? "（含 " + photos + " 张照片）" : "") + "，保存在本机。"; }
  }

  function keyOf(form) { return form.getAttribute("data-offline-draft"); }

  function save(form, queued) {
    var key = keyOf(form), old = readDraft(key) || {};
    writeDraft(key, {values: values(form), queued: queued === undefined ? !!old.queued : queued, saved: Date.now()});
  }

  function clearDraft(form) {
    var key = keyOf(form);
    try { window.localStorage.removeItem(PREFIX + key); } catch (e) { /* nothing kept */ }
    return dropPhotos(key);
  }

  function putPhotosBack(form, items) {
    var input = fileInput(form);
    if (!input || !items.length || input.files.length) { return; }
    try {
      var transfer = new DataTransfer();
      items.forEach(function (item) { transfer.items.add(new File([item.blob], item.name, {type: item.type})); });
      input.files = transfer.files;
    } catch (e) { /* an old browser: the photos are added from IndexedDB when the form is sent */ }
  }

  function formData(form) {
    var data = new FormData(form), input = fileInput(form);
    if (!input || input.files.length) { return Promise.resolve(data); }
    return loadPhotos(keyOf(form)).then(function (items) {
      data.delete(input.name);
      items.forEach(function (item) { data.append(input.name, item.blob, item.name); });
      return data;
    });
  }

  function busy(form, on) {
    form._kjSending = on;
    Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (b) { b.disabled = on; });
  }

  function queue(form) {
    save(form, true);
    statusLine(form, QUEUED);
  }

  function send(form) {
    if (form._kjSending) { return; }
    busy(form, true);
    statusLine(form, "正在提交……");
    var login = form.getAttribute("data-login-url");
    formData(form).then(function (data) {
      return fetch(form.getAttribute("action") || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: {"X-Requested-With": "offline-form"}});
    }).then(function (response) {
      busy(form, false);
      var landed = new URL(response.url, window.location.href);
      if (response.redirected && login && landed.pathname.indexOf(login) === 0) {
        save(form, false);
        statusLine(form, "登录已过期：草稿已保存在本机，请重新登录后再提交。");
        return;
      }
      if (response.redirected) {
        return clearDraft(form).then(function () { window.location.href = response.url; });
      }
      if (response.status >= 500) { queue(form); return; }  // the server is down: try again later
      if (!response.ok) {
        save(form, false);
        statusLine(form, "提交未成功（" + response.status + "），草稿已保存在本机，请刷新页面后重试。");
        return;
      }
      save(form, false);  // the server answered: the errors are on the page, the draft stays until it is sent
      return response.text().then(function (html) { replacePage(html); });
    }).catch(function () {
      busy(form, false);
      queue(form);
    });
  }

  // A page with form errors takes the place of this one (its <main>; the header, scripts and listeners stay).
  function replacePage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector("main"), current = document.querySelector("main");
    if (!fresh || !current) {
      document.open();
      document.write(html);
      document.close();
      return;
    }
    current.innerHTML = fresh.innerHTML;
    if (doc.title) { document.title = doc.title; }
    Array.prototype.forEach.call(current.querySelectorAll("form[data-offline-draft]"), setUp);
    var summary = current.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); } else { window.scrollTo(0, 0); }
  }

  function loadOptions(select, value, wanted) {
    var blank = select.options.length && select.options[0].value === "" ? select.options[0].cloneNode(true) : null;
    function fill(rows) {
      select.innerHTML = "";
      if (blank) { select.appendChild(blank); }
      rows.forEach(function (row) { select.appendChild(new Option(row[1], String(row[0]))); });
      if (wanted) { select.value = wanted; }
      select.removeAttribute("data-pending-value");
    }
    return fetch(select.getAttribute("data-options-url") + encodeURIComponent(value || ""),
                 {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {options: []}; })
      .then(function (data) { fill(data.options || []); }, function () { fill([]); });
  }

  function crossTown(form) {
    var select = form.querySelector("[data-cross-town-source]"), note = form.querySelector("[data-cross-town-note]");
    if (select && note) { note.hidden = !select.value || select.value === select.getAttribute("data-home-town"); }
  }

  function setUp(form) {
    if (form._kjReady) { return; }
    form._kjReady = true;
    var key = keyOf(form), draft = readDraft(key), input = fileInput(form);

    // Linked selects: another town, its villages.
    Array.prototype.forEach.call(form.querySelectorAll("select[data-options-source]"), function (select) {
      var source = form.elements[select.getAttribute("data-options-source")];
      if (!source) { return; }
      source.addEventListener("change", function () {
        loadOptions(select, source.value).then(function () { save(form); });
      });
    });
    var townSelect = form.querySelector("[data-cross-town-source]");
    if (townSelect) { townSelect.addEventListener("change", function () { crossTown(form); }); }

    if (draft) {
      if (!form.hasAttribute("data-bound")) {  // a page with errors already shows what was sent
        restore(form, draft.values || {});
        Array.prototype.forEach.call(form.querySelectorAll("select[data-pending-value]"), function (select) {
          var source = form.elements[select.getAttribute("data-options-source")];
          if (source) { loadOptions(select, source.value, select.getAttribute("data-pending-value")); }
        });
      }
      loadPhotos(key).then(function (items) {
        putPhotosBack(form, items);
        if (!form.hasAttribute("data-bound")) { notice(form, true, items.length); }
      });
      if (draft.queued) {
        statusLine(form, QUEUED);
        if (navigator.onLine) { send(form); }
      }
    }
    crossTown(form);

    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function (event) {
      if (event.target === input) { savePhotos(key, input.files); }
      save(form);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form, true);
      var stored = input && input.files.length ? savePhotos(key, input.files) : Promise.resolve();
      stored.then(function () {
        if (navigator.onLine === false) { statusLine(form, QUEUED); return; }
        send(form);
      });
    });
    var clear = document.querySelector("[data-offline-clear]");
    if (clear && !clear._kjReady) {
      clear._kjReady = true;
      clear.addEventListener("click", function () {
        var current = document.querySelector("form[data-offline-draft]");
        if (!current) { return; }
        clearDraft(current).then(function () {
          current.reset();
          var photos = fileInput(current);
          if (photos) { photos.value = ""; }
          crossTown(current);
          notice(current, false);
          statusLine(current, "草稿已清除。");
        });
      });
    }
  }

  function sendQueued() {
    if (navigator.onLine === false) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-draft]"), function (form) {
      var draft = readDraft(keyOf(form));
      if (draft && draft.queued) { send(form); }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-draft]"), setUp);
    window.addEventListener("online", sendQueued);
    window.addEventListener("offline", function () {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-draft]"), function (form) {
        var draft = readDraft(keyOf(form));
        if (draft && draft.queued) { statusLine(form, QUEUED); }
      });
    });
    window.setInterval(sendQueued, RETRY_MS);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
