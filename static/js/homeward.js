// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Ask before destructive actions: forms marked data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });

  // Warn two minutes before the session ends and offer to stay signed in, so a long
  // interview typed into a form is not lost.
  var WARN_BEFORE = 120;
  var box = document.getElementById("session-warning");
  if (!box) {
    return;
  }
  var warnTimer = null;
  var endTimer = null;

  function schedule(secondsLeft) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = window.setTimeout(function () {
      box.hidden = false;
      document.getElementById("session-stay").focus();
    }, Math.max(0, secondsLeft - WARN_BEFORE) * 1000);
    endTimer = window.setTimeout(function () {
      box.querySelector(".session-warning__soon").hidden = true;
      box.querySelector(".session-warning__ended").hidden = false;
      box.hidden = false;
    }, secondsLeft * 1000);
  }

  document.getElementById("session-stay").addEventListener("click", function () {
    var body = new FormData();
    body.append("csrf_token", box.dataset.csrfToken);
    fetch(box.dataset.keepaliveUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("keep-alive refused");
        }
        return response.json();
      })
      .then(function (data) {
        schedule(data.seconds_left);
      })
      .catch(function () {
        schedule(0);
      });
  });

  schedule(parseInt(box.dataset.secondsLeft, 10));
})();

// == screens: tables scroll in their own box; the menu is open on wide screens ==
(function () {
  "use strict";

  // The heading a table sits under: its caption, else the nearest heading before it.
  function labelFor(table) {
    if (table.caption) {
      return table.caption;
    }
    var node = table;
    while (node && node.id !== "main") {
      var sibling = node.previousElementSibling;
      while (sibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) {
          return sibling;
        }
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.querySelector("main h1");
  }

  // Tables written without the table_box macro get the same box.
  var count = 0;
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    var parent = table.parentElement.classList;
    if (parent.contains("table-box") || parent.contains("table-scroll")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "table-box";
    var label = labelFor(table);
    if (label) {
      if (!label.id) {
        count += 1;
        label.id = "table-label-" + count;
      }
      box.setAttribute("role", "region");
      box.setAttribute("aria-labelledby", label.id);
    }
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });

  // A box is a tab stop only while it has something to scroll.
  var boxes = document.querySelectorAll(".table-box");
  function markScrollable() {
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);

  // Browsers that cannot show a closed <details> by CSS open the menu on wide screens.
  var menu = document.querySelector(".site-menu");
  var wide = window.matchMedia("(min-width: 48rem)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (menu && !styled && wide.matches) {
    menu.open = true;
  }
})();

// == casepage: the error summary after a failed save ==
// Focus the summary, so the user (and a screen reader) learns at once why nothing was
// saved; following one of its links focuses the field (the browser only scrolls to it).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    }
  });
})();
