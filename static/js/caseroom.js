/* Caseroom: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Lets CSS hide the no-script fallbacks (a "Save" button beside an auto-saving select).
  document.documentElement.classList.add("js");

  // htmx: a refused form or status change (400) comes back as a fragment with the error
  // beside the field: swap it in like a success. Other errors keep the page as it is.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var box = document.getElementById("messages");
    if (!box) { return; }
    var message = document.createElement("p");
    message.className = "message message--error";
    message.textContent = status === 403 || status === 404
      ? (document.documentElement.lang === "zh-hant" ? "你無權這樣做，或該項目已不存在。請重新載入頁面。" : "You cannot do that, or it no longer exists. Reload the page.")
      : (document.documentElement.lang === "zh-hant" ? "未能儲存，請稍後再試。" : "That could not be saved. Try again in a minute.");
    box.replaceChildren(message);
  });

  // Forms that remove something ask first.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

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

    // The new-case form: "Add another party" copies the empty row (Django formset numbering).
    var addParty = document.querySelector("[data-add-party]");
    var template = document.querySelector("[data-party-template]");
    var rows = document.querySelector("[data-party-rows]");
    var total = document.querySelector("input[name$='-TOTAL_FORMS']");
    if (addParty && template && rows && total) {
      addParty.hidden = false;
      addParty.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index))
          .replace(/__number__/g, String(index + 1));
        rows.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        var added = rows.lastElementChild.querySelector("input, select");
        if (added) { added.focus(); }
      });
    }

    // Old links to a section of a case page (#tasks, #conflicts, #note-12) open the right tab.
    var routes = document.querySelector("[data-case-routes]");
    if (routes && location.hash) {
      var hash = location.hash.slice(1);
      var base = routes.getAttribute("data-case-routes");
      if (hash === "tasks" || hash === "conflicts") {
        location.replace(base + hash + "/");
      } else if (/^note-\d+$/.test(hash) && !document.getElementById(hash)) {
        location.replace(base + "notes/#" + hash);
      }
    }

    // Print buttons are hidden until this script can make them work.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
