// Progressive enhancement only: every page works without this file.
// Forms or buttons with data-confirm ask before an irreversible action. Only for actions with no input
// to validate (a single button: submit, accept, publish, decide...): an action with input is confirmed
// by the server after it accepted the input (yunfu_ipfund/common/confirm.py, templates/_confirm.html).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var submitter = event.submitter;
  var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// Elements with data-poll="<url>" and data-poll-seconds reload their content (progress bars).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-poll]").forEach(function (el) {
    var seconds = parseInt(el.getAttribute("data-poll-seconds") || "2", 10);
    var timer = setInterval(function () {
      fetch(el.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          el.innerHTML = html;
          if (el.querySelector("[data-poll-done]")) { clearInterval(timer); }
        });
    }, seconds * 1000);
  });
});
// Tables shown as stacked cards on phones (portal.css): each cell carries its column's heading.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.table").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!headings.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (headings[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", headings[i]); }
      });
    });
  });
});
