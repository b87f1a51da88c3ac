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
})();
