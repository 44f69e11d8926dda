// The mentor board's progress bar of a simulation job (templates/practicum/mentor_board.html).
// Polls the job's JSON each second, moves the <progress> bar and its text, and reloads the board
// once the job is done or has failed. Without JavaScript the page refreshes itself instead.
(function () {
  var box = document.querySelector("[data-job-progress]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-progress-text]");
  var failures = 0;

  function schedule(delay) {
    window.setTimeout(poll, delay);
  }

  function show(job) {
    bar.max = job.days;
    bar.value = job.days_done;
    if (text && job.label && text.textContent !== job.label) text.textContent = job.label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        show(job);
        if (job.status === "done" || job.status === "failed") {
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
