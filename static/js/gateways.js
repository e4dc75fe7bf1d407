/* Gateway wizard niceties. Every form works without this file (the server fills the defaults). */
(function () {
  "use strict";

  function pairs(text) {
    var map = {};
    (text || "").split(",").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) map[parts[0]] = parts[1];
    });
    return map;
  }

  // Network: show the static fields or the "we recommend Static" note for the chosen mode.
  function syncNetwork(root) {
    var checked = root.querySelector("input[name='network']:checked");
    if (!checked) return;
    root.querySelectorAll("[data-show-network]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-network") !== checked.value;
    });
  }

  // A select whose options carry default ports: follow it while the port still shows a default.
  function followDefault(select, input, defaults) {
    if (select.dataset.followsDefault) return;
    select.dataset.followsDefault = "1";
    var previous = defaults[select.value];
    select.addEventListener("change", function () {
      var next = defaults[select.value];
      var current = input.value.trim();
      var isDefault = current === "" || Object.keys(defaults).some(function (k) { return defaults[k] === current; });
      if (next && (isDefault || current === previous)) input.value = next;
      previous = next;
    });
  }

  function init(root) {
    root.querySelectorAll("[data-network-choice]").forEach(function (fieldset) {
      syncNetwork(fieldset);
      if (fieldset.dataset.synced) return;
      fieldset.dataset.synced = "1";
      fieldset.addEventListener("change", function () { syncNetwork(fieldset); });
    });
    var type = root.querySelector("select[data-csta-ports]");
    var cstaPort = root.querySelector("input[name='csta_port']");
    if (type && cstaPort) followDefault(type, cstaPort, pairs(type.getAttribute("data-csta-ports")));
    var transport = root.querySelector("select[data-sip-ports]");
    var sipPort = root.querySelector("form[data-sip-trunk] input[name='port']");
    if (transport && sipPort) followDefault(transport, sipPort, pairs(transport.getAttribute("data-sip-ports")));
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
