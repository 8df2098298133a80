// Keyboard shortcuts of the triage inbox: J / K open the next / previous ask, U undoes the last
// triage action, / searches features. Never while typing in a field, and never a triage action
// itself: a key press must not link the wrong ask.
(function () {
  "use strict";
  function typing(event) {
    const target = event.target;
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  function step(by) {
    const links = Array.from(document.querySelectorAll("#list a.inbox-ask"));
    if (!links.length) return;
    const panel = document.querySelector("#triage-panel [data-ask]");
    const current = panel ? links.findIndex((a) => a.getAttribute("href").endsWith(`/${panel.dataset.ask}/`)) : -1;
    const next = links[Math.min(links.length - 1, Math.max(0, current + by))];
    next.click();
    next.closest("tr").scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const key = event.key.toLowerCase();
    if (key === "j" || key === "k") {
      step(key === "j" ? 1 : -1);
    } else if (key === "u") {
      const undo = document.querySelector("#triage-panel [data-testid=undo]");
      if (undo) undo.click();
    } else if (key === "/") {
      const search = document.querySelector("#triage-panel input[type=search]");
      if (search) search.focus();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
