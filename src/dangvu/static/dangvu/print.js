// The "Print" buttons (data-print) of the report and record pages; no inline handler, the
// Content-Security-Policy allows none.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
