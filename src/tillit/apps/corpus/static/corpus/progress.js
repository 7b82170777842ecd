/* tillit corpus page: while a screening run is going on, reload the page every five seconds so
 * its progress bar moves. Without this file the page shows the progress when it is loaded. */
(function () {
  "use strict";
  var state = document.getElementById("run-state");
  if (!state || state.getAttribute("data-running") !== "1") return;
  window.setTimeout(function () { window.location.reload(); }, 5000);
})();
