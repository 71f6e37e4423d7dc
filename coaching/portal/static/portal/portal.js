// coachapp portal: the little the pages need beyond htmx. No inline scripts, so a strict CSP can be used.
(function () {
  "use strict";

  function banner(text) {
    var el = document.getElementById("banner");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 404) {
      banner("That item is no longer there (or not yours to change). Reload the page to see the current agenda.");
    } else if (status === 403) {
      banner("Your session expired or the form is stale: reload the page and try again. Nothing was saved.");
    } else {
      banner("Could not save (error " + status + "). Nothing was changed; reload the page and try again.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    banner("The server could not be reached: check your connection. Nothing was saved.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var el = document.getElementById("banner");
    if (el) el.hidden = true;
  });
  // Keep keyboard and screen-reader users where they were: focus the re-rendered card.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var config = event.detail.requestConfig;
    if (!target || !target.id || !config || config.verb !== "post") return; // not on polling
    var fresh = document.getElementById(target.id);
    if (fresh && fresh.matches("article, section, li, form")) {
      if (!fresh.hasAttribute("tabindex")) fresh.setAttribute("tabindex", "-1");
      fresh.focus({ preventScroll: true });
    }
  });

  // Arriving at a gap from the team grid (#gap-…): open its "why" card.
  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(location.hash.slice(1));
    var card = target && target.querySelector("details.why__card");
    if (card) card.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);

  // A long request sent as a plain form (starting a sync in the demo runs it in the request): say so.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute("data-busy");
    if (!text || form.hasAttribute("hx-post")) return;
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = text;
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-print]");
    if (link) {
      event.preventDefault();
      window.print();
    }
    var field = event.target.closest("[data-select]");
    if (field) field.select();
  });

  // Meter widths come as data-width (a percentage): a strict CSP forbids style attributes in the HTML, not
  // styles set from a script file.
  function sizeMeters(root) {
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      var width = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(width)) el.style.width = Math.max(0, Math.min(100, width)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeMeters(document); });
  document.addEventListener("htmx:afterSettle", function (event) { sizeMeters(event.detail.elt || document); });
})();
