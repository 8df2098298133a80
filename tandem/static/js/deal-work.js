// The deal list and the deal page: their htmx forms answer 409 (someone changed the deal: what it
// now is, with a note) or 422 (the form with why, e.g. a lost stage without its reason). htmx leaves
// error answers unswapped by default; inside `[data-swap-refusals]` they are meant to be shown. Saved views save the list's
// filters and sort as the address bar holds them now (the filters change it without a reload).
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    const status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.target.closest && event.detail.target.closest("[data-swap-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.querySelectorAll("form[data-saved-view-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    });
  });
})();
