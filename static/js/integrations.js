/* Integrations panel: open the dialogs htmx loads (<dialog data-modal>) as modal dialogs.
   Without JavaScript the same content is a plain page. */
(function () {
  "use strict";
  if (window.portalIntegrationDialogs) return;
  window.portalIntegrationDialogs = true;

  function openDialogs(root) {
    if (!root || !root.querySelectorAll) return;
    var dialogs = Array.prototype.slice.call(root.querySelectorAll("dialog[data-modal]"));
    if (root.matches && root.matches("dialog[data-modal]")) dialogs.push(root);
    dialogs.forEach(function (dialog) {
      if (!dialog.open && dialog.isConnected) dialog.showModal();
    });
  }

  document.addEventListener("htmx:load", function (event) { openDialogs(event.detail.elt); });
})();
