/* tillit respondent pages: optional enhancements. Every page works without this file.
 *
 * - live skip logic: after a change, the page's answers are sent to the autosave URL; the server
 *   (the same engine that enforces skip logic on submit) says which items are hidden now;
 * - autosave: the same request stores the valid answers typed so far, and brings back the
 *   page count (skip logic may add or remove pages);
 * - the error summary takes focus when a page comes back with errors;
 * - a second click on Next while the first is on its way is ignored;
 * - a language link saves what was typed before it leaves the page.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();

    var form = document.getElementById("page-form");
    if (!form) return;
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector(".respond-status");
    var timer = null;
    var pending = null;
    var dirty = false;
    var submitting = false;

    function applyHidden(names) {
      var hidden = {};
      names.forEach(function (n) { hidden[n] = true; });
      form.querySelectorAll("[data-item]").forEach(function (el) {
        if (hidden[el.getAttribute("data-item")]) el.setAttribute("data-irrelevant", "");
        else el.removeAttribute("data-irrelevant");
      });
    }

    function showProgress(p) {
      var label = document.getElementById("progress-label");
      var bar = document.querySelector(".respond-progress progress");
      if (label) label.textContent = p.text;
      if (bar) { bar.max = p.total; bar.value = p.position; bar.textContent = p.text; }
    }

    function save() {
      timer = null;
      var body = new FormData(form);
      pending = fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (data) {
        pending = null;
        if (!data || !data.ok) return;
        dirty = false;
        applyHidden(data.hidden || []);
        if (data.progress) showProgress(data.progress);
        if (status) status.textContent = data.status || status.getAttribute("data-saved-text");
      }).catch(function () { pending = null; });
      return pending;
    }

    function changed() {
      dirty = true;
      if (status) status.textContent = "";
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 600);
    }

    form.addEventListener("change", changed);
    form.addEventListener("input", function (e) {
      if (e.target && e.target.type === "text") changed();
    });

    form.addEventListener("submit", function (e) {
      if (submitting) { e.preventDefault(); return; }
      submitting = true;
      if (timer) { clearTimeout(timer); timer = null; }
    });
    window.addEventListener("pageshow", function () { submitting = false; });

    document.querySelectorAll("a[data-lang-switch]").forEach(function (a) {
      a.addEventListener("click", function (e) {
        if (!dirty && !timer && !pending) return;
        e.preventDefault();
        if (timer) clearTimeout(timer);
        var go = function () { window.location.href = a.href; };
        (pending || save() || Promise.resolve()).then(go, go);
      });
    });
  });
})();
