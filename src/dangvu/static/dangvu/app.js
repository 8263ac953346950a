/* Dangvu's own behaviour, beyond htmx: the pickers. No inline script anywhere (CSP). */
(function () {
  "use strict";

  function picker(el) { return el && el.closest("[data-picker]"); }

  function close(box) {
    var options = box.querySelector(".pick-options");
    if (options) options.innerHTML = "";
    var text = box.querySelector("[data-pick-text]");
    if (text) text.setAttribute("aria-expanded", "false");
  }

  function choose(button) {
    var box = picker(button);
    var code = box.querySelector("[data-pick-code]");
    var text = box.querySelector("[data-pick-text]");
    if (code) code.value = button.dataset.code;
    text.value = button.dataset.label;
    close(box);
    text.focus();
    // Forms that search as you choose (the member list) listen for this.
    box.dispatchEvent(new CustomEvent("picked", { bubbles: true, detail: { code: button.dataset.code } }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".pick-option");
    if (button) { event.preventDefault(); choose(button); return; }
    document.querySelectorAll("[data-picker]").forEach(function (box) {
      if (!box.contains(event.target)) close(box);
    });
  });

  // Typing again forgets the code chosen before: the server then reads the text.
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-pick-text]")) return;
    var code = picker(event.target).querySelector("[data-pick-code]");
    if (code) code.value = "";
  });

  document.addEventListener("keydown", function (event) {
    var box = picker(event.target);
    if (!box) return;
    var options = Array.prototype.slice.call(box.querySelectorAll(".pick-option"));
    var at = options.indexOf(event.target);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(at + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) box.querySelector("[data-pick-text]").focus(); else options[at - 1].focus();
    } else if (event.key === "Escape") {
      close(box);
      box.querySelector("[data-pick-text]").focus();
    } else if (event.key === "Enter" && event.target.matches("[data-pick-text]") && options.length === 1) {
      // One match and Enter: take it rather than sending the form with the text.
      event.preventDefault();
      choose(options[0]);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var box = picker(event.target);
    if (!box) return;
    var text = box.querySelector("[data-pick-text]");
    if (text) text.setAttribute("aria-expanded", box.querySelector(".pick-option") ? "true" : "false");
  });
})();

/* The organisation tree: a row's toggle shows and hides the organisations under it (htmx loads
   them on the first tap). */
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".tree .toggle");
  if (!toggle) return;
  var list = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!list) return;
  var open = toggle.getAttribute("aria-expanded") === "true";
  toggle.setAttribute("aria-expanded", open ? "false" : "true");
  list.hidden = open;
});
