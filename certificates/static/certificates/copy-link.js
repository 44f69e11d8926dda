// The wallet's "Copy link" buttons (templates/certificates/_wallet_certificate.html). Without
// JavaScript the verification link sits in a read-only field to select and copy by hand, so the
// buttons stay hidden until this script can make them work. Loaded as a file: the CSP allows no
// inline scripts.
(function () {
  function selectAll(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-select-on-focus]"), function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-link]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-link"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field || !status) return;
    var timer = null;

    function say(text) {
      status.textContent = text;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = ""; }, 5000);
    }

    function copyBySelection() {
      selectAll(field);
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      say(button.getAttribute(copied ? "data-copied" : "data-copy-failed"));
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(button.getAttribute("data-copied"));
        }, copyBySelection);
      } else {
        copyBySelection();
      }
    });
  });
})();
