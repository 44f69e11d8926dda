// The progress bar of a certificate batch in the admin (templates/certificates/admin/batch.html).
// Polls the batch's JSON each second, moves the <progress> bar and its text, and reloads the page
// once the batch has finished, to show what it did. Without JavaScript the page offers a refresh
// link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-progress]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-batch-progress-text]");
  var failures = 0;

  function schedule(delay) {
    window.setTimeout(poll, delay);
  }

  function show(batch) {
    bar.max = Math.max(batch.total, 1);
    bar.value = batch.done;
    var label = batch.label + " · " + batch.status_label;
    if (text && text.textContent !== label) text.textContent = label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (batch) {
        failures = 0;
        show(batch);
        if (batch.finished) {
          window.location.reload();
        } else {
          schedule(1000);
        }
      })
      .catch(function () {
        // A dropped connection or a restarting server: try again, more slowly, for a while.
        failures += 1;
        if (failures < 20) schedule(3000);
      });
  }

  schedule(1000);
})();
