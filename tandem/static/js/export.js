// The "Export" menu of a list (core/partials/_export.html): the filters change through htmx without
// reloading the page, so at the click the link is rebuilt from the filter form as it is now (its
// fields and the sort the table carries with form=). A static file: the CSP runs no inline script.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-export][data-export-form]");
    if (!link) return;
    const form = document.getElementById(link.dataset.exportForm);
    if (!form) return;
    const query = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (typeof value === "string" && value !== "" && key !== "page") query.append(key, value);
    }
    query.set("export", link.dataset.export);
    event.preventDefault();
    window.location.assign(form.getAttribute("action") + "?" + query.toString());
  });
})();
