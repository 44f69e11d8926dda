// A progress bar that follows a background job: the mentor board's simulation job
// (templates/practicum/mentor_board.html) and the admin's certificate batch
// (templates/certificates/admin/batch.html). The element marked data-progress-poll names a JSON
// address in data-url answering {"value", "max", "text", "finished"}; each second it moves the
// <progress> bar and the text marked data-progress-poll-text, and reloads the page once the job
// has finished, to show its outcome. Without JavaScript each page offers its own fallback.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-poll]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-poll-text]");
  var failures = 0;

  function schedule(delay) {
    window.setTimeout(poll, delay);
  }

  function show(progress) {
    bar.max = Math.max(progress.max, 1);
    bar.value = progress.value;
    if (text && progress.text && text.textContent !== progress.text) text.textContent = progress.text;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (progress) {
        failures = 0;
        show(progress);
        if (progress.finished) {
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
