/* Caseroom: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  function isTyping(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  // "/" jumps to the page's search box (Linear / GitHub habit).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var search = document.querySelector("[data-search-shortcut]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // GOV.UK: move focus to the error summary, so it is read out first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      // A link in the summary focuses its field and shows the field's label too.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) { return; }
        var input = document.getElementById(link.getAttribute("href").slice(1));
        if (!input) { return; }
        event.preventDefault();
        var group = input.closest(".field") || input;
        group.scrollIntoView({ block: "start" });
        input.focus({ preventScroll: true });
      });
    }

    // Print buttons are hidden until this script can make them work.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
