/* Small progressive enhancements for the console. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function announce(button, text) {
    var label = button.querySelector(".copy-button-text");
    if (!label) return;
    label.textContent = text;
    button.classList.add("is-done");
    window.setTimeout(function () {
      label.textContent = "Copy";
      button.classList.remove("is-done");
    }, 2000);
  }

  // Copy buttons: <button data-copy="value">; the button's label says "Copied" for a moment.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var value = button.getAttribute("data-copy");
    if (!navigator.clipboard) {
      announce(button, "Copy failed");
      return;
    }
    navigator.clipboard.writeText(value).then(
      function () { announce(button, "Copied"); },
      function () { announce(button, "Copy failed"); }
    );
  });

  // Forms with data-confirm="question" ask first (without JavaScript they are sent at once).
  // htmx forms use hx-confirm instead: htmx sends them before this listener would run.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  // Menus made of <details class="menu">: close on Escape or on a click outside.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
