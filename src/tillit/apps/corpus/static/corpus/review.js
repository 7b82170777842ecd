/* tillit review queue: keyboard shortcuts. The buttons work without this file.
 *
 *   a  accept        r  reject
 *   l  choose another concept (focuses the list; Enter on it relabels)
 *   n  next (skip without a label)
 *
 * Keys typed into a text field or a list are left alone; a second key press while the form is
 * on its way is ignored.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.getElementById("label-form");
    if (!form) return;
    var select = document.getElementById("to-concept");
    var sent = false;

    function press(id) {
      var button = document.getElementById(id);
      if (!button || sent) return;
      sent = true;
      if (form.requestSubmit) form.requestSubmit(button);
      else button.click();
    }

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
        if (tag === "SELECT" && event.key === "Enter" && select && select.value) {
          event.preventDefault();
          press("btn-relabel");
        }
        return;
      }
      var key = event.key.toLowerCase();
      if (key === "a") { event.preventDefault(); press("btn-accept"); }
      else if (key === "r") { event.preventDefault(); press("btn-reject"); }
      else if (key === "n") { event.preventDefault(); press("btn-next"); }
      else if (key === "l" && select) { event.preventDefault(); select.focus(); }
    });

    if (select) {
      select.addEventListener("change", function () {
        var button = document.getElementById("btn-relabel");
        if (button) button.disabled = !select.value;
      });
    }
  });
})();
