// "Show" buttons beside password fields (ASVS 2.1.12): a button with data-password-reveal="<input id>"
// switches that input between hidden and shown text. A static file, since the Content-Security-Policy
// runs no inline script.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-password-reveal]");
    if (!button) return;
    const input = document.getElementById(button.dataset.passwordReveal);
    if (!input) return;
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", show ? "true" : "false");
    button.textContent = show ? "Hide" : "Show";
    input.focus();
  });
})();
