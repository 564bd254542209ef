// After a failed submit, move the focus to the summary of what needs correcting, so keyboard and
// screen-reader users start there; its links lead to each field. Pages work the same without it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
