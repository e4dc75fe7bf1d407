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

  // Buttons that start long work (<button data-busy="Uploading…">): once their form is sent they
  // disable themselves (no second submission) and say what is happening until the answer comes.
  // Plain forms navigate away; htmx forms get the button back when their request ends.
  function setBusy(button, busy) {
    if (!button || !button.hasAttribute("data-busy")) return;
    if (busy) {
      if (!button.dataset.idleLabel) button.dataset.idleLabel = button.textContent;
      button.textContent = button.getAttribute("data-busy");
      button.setAttribute("aria-busy", "true");
      button.classList.add("is-busy");
      // Disabled after the submission has read the button's name and value.
      window.setTimeout(function () { button.disabled = true; }, 0);
    } else {
      if (button.dataset.idleLabel) button.textContent = button.dataset.idleLabel;
      button.removeAttribute("aria-busy");
      button.classList.remove("is-busy");
      button.disabled = false;
    }
  }
  function busyButtons(form) {
    return form ? form.querySelectorAll("button[data-busy]") : [];
  }
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented && !event.target.hasAttribute("hx-post")) return;
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-busy")) setBusy(submitter, true);
    else busyButtons(event.target).forEach(function (button) { setBusy(button, true); });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    busyButtons(form).forEach(function (button) { setBusy(button, false); });
  });
  // Back to a page kept in the browser's cache: its buttons are idle again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-busy][aria-busy]").forEach(function (button) { setBusy(button, false); });
  });

  // Column choosers: <fieldset data-columns-for="table-id"> of checkboxes named after the
  // data-column of the table's cells; unticked columns are hidden (and stay so after a swap).
  var hiddenColumns = {};
  function applyColumns(root) {
    (root || document).querySelectorAll("[data-columns-for]").forEach(function (chooser) {
      var tableId = chooser.getAttribute("data-columns-for");
      var hidden = hiddenColumns[tableId] || {};
      chooser.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = !hidden[box.value]; });
      var table = document.getElementById(tableId);
      if (!table) return;
      table.querySelectorAll("[data-column]").forEach(function (cell) {
        cell.hidden = !!hidden[cell.getAttribute("data-column")];
      });
    });
  }
  document.addEventListener("change", function (event) {
    var chooser = event.target.closest("[data-columns-for]");
    if (!chooser) return;
    event.stopPropagation();
    var tableId = chooser.getAttribute("data-columns-for");
    hiddenColumns[tableId] = hiddenColumns[tableId] || {};
    hiddenColumns[tableId][event.target.value] = !event.target.checked;
    applyColumns(document);
  }, true);
  document.addEventListener("htmx:load", function (event) { applyColumns(event.detail.elt.parentNode || document); });

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

/* Support contacts control (components/_contact_picker.html): chips over the plain comma-separated
   field, which stays the value the form posts. Suggestions come from htmx into the listbox. */
(function () {
  "use strict";
  var EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

  function split(text) {
    return text.split(/[,;\s]+/).map(function (part) { return part.trim(); }).filter(Boolean);
  }

  function setup(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var plain = picker.querySelector("[data-contact-plain]");
    var source = plain.querySelector("textarea, input");
    var enhanced = picker.querySelector("[data-contact-enhanced]");
    var chips = picker.querySelector("[data-contact-chips]");
    var search = picker.querySelector("[data-contact-search]");
    var options = picker.querySelector("[data-contact-options]");
    var error = picker.querySelector("[data-contact-error]");
    var emails = split(source.value);
    var active = -1;

    plain.hidden = true;
    enhanced.hidden = false;
    // A hidden required field would block the form before its submit event: the server checks it.
    source.required = false;

    function sync() { source.value = emails.join(", "); }

    function render() {
      chips.textContent = "";
      emails.forEach(function (email, index) {
        var chip = document.createElement("li");
        chip.className = "chip";
        var label = document.createElement("span");
        label.textContent = email;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.textContent = "\u00d7";
        remove.setAttribute("aria-label", picker.dataset.removeLabel + " " + email);
        remove.addEventListener("click", function () { removeAt(index); });
        chip.appendChild(label);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      sync();
    }

    function removeAt(index) {
      emails.splice(index, 1);
      render();
      var buttons = chips.querySelectorAll(".chip-remove");
      (buttons[Math.min(index, buttons.length - 1)] || search).focus();
    }

    function closeOptions() {
      options.textContent = "";
      active = -1;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
    }

    function add(email) {
      email = email.trim();
      error.textContent = "";
      if (!EMAIL.test(email)) { error.textContent = picker.dataset.invalidMessage; return false; }
      var known = emails.some(function (e) { return e.toLowerCase() === email.toLowerCase(); });
      if (known) { error.textContent = picker.dataset.repeatedMessage; return false; }
      emails.push(email);
      render();
      search.value = "";
      closeOptions();
      return true;
    }

    function items() { return options.querySelectorAll("[role='option']"); }

    function highlight(index) {
      var list = items();
      if (!list.length) return;
      active = (index + list.length) % list.length;
      list.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      search.setAttribute("aria-activedescendant", list[active].id);
      list[active].scrollIntoView({ block: "nearest" });
    }

    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" || event.key === ",") {
        var list = items();
        if (event.key === "Enter" && active >= 0 && list[active]) {
          event.preventDefault();
          add(list[active].dataset.email);
        } else if (search.value.trim()) {
          event.preventDefault();
          add(search.value);
        }
      } else if (event.key === "Escape") {
        closeOptions();
      } else if (event.key === "Backspace" && !search.value && emails.length) {
        emails.pop();
        render();
      }
    });
    options.addEventListener("mousedown", function (event) { event.preventDefault(); });
    options.addEventListener("click", function (event) {
      var item = event.target.closest("[role='option']");
      if (item) { add(item.dataset.email); search.focus(); }
    });
    options.addEventListener("htmx:afterSwap", function () {
      active = -1;
      search.removeAttribute("aria-activedescendant");
      search.setAttribute("aria-expanded", items().length ? "true" : "false");
    });
    // Emails left typed in the box when the form is sent go with it, as typed: the server checks them.
    var form = picker.closest("form");
    if (form) form.addEventListener("submit", function () {
      var typed = split(search.value);
      if (!typed.length) return;
      emails = emails.concat(typed);
      search.value = "";
      render();
    }, true);
    render();
  }

  function init(root) {
    if (root.matches && root.matches("[data-contact-picker]")) setup(root);
    root.querySelectorAll("[data-contact-picker]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
