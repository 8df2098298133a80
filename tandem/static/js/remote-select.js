// Searchable selects over many records (see tandem/core/forms.py RemoteSelect): tom-select loads
// the options matching what the user types from the select's data-options-url.
(function () {
  function enhance(root) {
    root.querySelectorAll("select[data-options-url]").forEach(function (select) {
      if (select.tomselect) return;
      var url = select.dataset.optionsUrl;
      new TomSelect(select, {
        valueField: "value",
        labelField: "text",
        searchField: ["text"],
        maxOptions: 20,
        preload: "focus",
        loadThrottle: 200,
        load: function (query, callback) {
          fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query), {
            headers: { Accept: "application/json" },
            credentials: "same-origin",
          })
            .then(function (response) { return response.json(); })
            .then(function (json) { callback(json.options); })
            .catch(function () { callback(); });
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
