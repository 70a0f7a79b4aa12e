// Progress of a background job: <div data-job-progress="URL"> polls URL (JSON: status, done,
// total, percent) and updates the bar and counts inside it; once the job has finished the
// page reloads to show the result. Without JavaScript the page offers a refresh link.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-job-progress]").forEach(function (box) {
    var url = box.getAttribute("data-job-progress");
    var set = function (selector, text) {
      var el = box.querySelector(selector);
      if (el) { el.textContent = text; }
    };
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (job) {
          set("[data-job-done]", job.done);
          set("[data-job-total]", job.total);
          set("[data-job-percent]", job.percent + "%");
          var bar = box.querySelector(".bar");
          if (bar) {
            bar.setAttribute("aria-valuenow", job.percent);
            var fill = bar.querySelector(".bar-fill");
            if (fill) { fill.className = "bar-fill w-" + (Math.floor(job.percent / 5) * 5); }
          }
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 500);
  });
});
