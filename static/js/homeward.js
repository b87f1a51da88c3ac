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
