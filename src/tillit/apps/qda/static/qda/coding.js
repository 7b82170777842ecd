/* tillit coding page: turn a mouse selection into code-point offsets and apply codes.
 *
 * The server renders the text as <span data-s data-e> pieces whose offsets are Unicode code
 * points (what Python's str indexes). JavaScript strings count UTF-16 code units, so a
 * character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph) is two units
 * here and one code point there: every length is converted with Array.from.
 *
 * Keyboard: with text selected, a number key 1-9 applies that code at once; the filter box
 * narrows the code list and Enter applies the first code left (plus any ticked ones).
 * Without JavaScript the form still works: type the positions and tick the codes.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function cpLength(s) {
    return Array.from(s).length;
  }

  ready(function () {
    var layer = document.getElementById("layer-select");
    if (layer) {
      layer.addEventListener("change", function () {
        document.getElementById("layer-form").submit();
      });
    }

    var text = document.getElementById("source-text");
    var form = document.getElementById("coding-form");
    if (!text || !form) return;
    var startInput = document.getElementById("id_start");
    var endInput = document.getElementById("id_end");
    var status = document.getElementById("selection-status");
    var filter = document.getElementById("code-filter");
    var list = document.getElementById("code-list");
    var statusTemplate = status ? status.textContent : "";

    /* Code-point offset of a DOM boundary point inside the text container. */
    function offsetOf(node, offset) {
      if (node.nodeType === Node.TEXT_NODE) {
        var piece = node.parentElement.closest("[data-s]");
        if (!piece || !text.contains(piece)) return null;
        return Number(piece.getAttribute("data-s")) + cpLength(node.data.slice(0, offset));
      }
      if (node === text) {
        var kids = text.children;
        if (offset >= kids.length) return Number(text.getAttribute("data-length"));
        return Number(kids[offset].getAttribute("data-s"));
      }
      var el = node.nodeType === Node.ELEMENT_NODE ? node.closest("[data-s]") : null;
      if (!el || !text.contains(el)) return null;
      return offset === 0 ? Number(el.getAttribute("data-s")) : Number(el.getAttribute("data-e"));
    }

    function currentSpan() {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
      var range = sel.getRangeAt(0);
      if (!text.contains(range.startContainer) && range.startContainer !== text) return null;
      if (!text.contains(range.endContainer) && range.endContainer !== text) return null;
      var start = offsetOf(range.startContainer, range.startOffset);
      var end = offsetOf(range.endContainer, range.endOffset);
      if (start === null || end === null || end <= start) return null;
      return { start: start, end: end };
    }

    function remember() {
      var span = currentSpan();
      if (!span) return;
      startInput.value = String(span.start);
      endInput.value = String(span.end);
      if (status) {
        status.textContent = statusTemplate + " (" + span.start + "–" + span.end + ", " +
          (span.end - span.start) + ")";
      }
    }

    document.addEventListener("selectionchange", remember);
    text.addEventListener("mouseup", remember);
    text.addEventListener("keyup", remember);

    function haveSpan() {
      return startInput.value !== "" && endInput.value !== "";
    }

    function apply() {
      if (!haveSpan()) return false;
      if (!form.querySelector("input[name=code]:checked")) return false;
      form.submit();
      return true;
    }

    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var tag = (ev.target && ev.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (!/^[1-9]$/.test(ev.key)) return;
      remember();
      var box = form.querySelector('input[data-key="' + ev.key + '"]');
      if (!box || !haveSpan()) return;
      ev.preventDefault();
      box.checked = true;
      apply();
    });

    if (filter && list) {
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        list.querySelectorAll("li[data-name]").forEach(function (li) {
          li.hidden = q !== "" && li.getAttribute("data-name").indexOf(q) < 0;
        });
      });
      filter.addEventListener("keydown", function (ev) {
        if (ev.key !== "Enter") return;
        ev.preventDefault();
        var first = list.querySelector("li[data-name]:not([hidden]) input[name=code]");
        if (first) first.checked = true;
        if (!apply() && status) status.textContent = statusTemplate;
      });
    }
  });
})();
