// Evidence links: clicking a quote in the scorecard highlights that exact span in the transcript.
"use strict";
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.evidence");
  if (!link) { return; }
  var id = link.getAttribute("data-q");
  if (!id) { return; }
  document.querySelectorAll("mark.ev.focus").forEach(function (mark) { mark.classList.remove("focus"); });
  var marks = Array.prototype.filter.call(document.querySelectorAll("mark.ev"), function (mark) {
    return (mark.getAttribute("data-q") || "").split(" ").indexOf(id) >= 0;
  });
  marks.forEach(function (mark) { mark.classList.add("focus"); });
  if (marks.length) {
    event.preventDefault();
    marks[0].scrollIntoView({ block: "center" });
    history.replaceState(null, "", link.getAttribute("href"));
  }
});
