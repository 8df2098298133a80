// The pipeline board: drag a card to another column to move its deal to that stage. The server
// answers the whole board as it now is (or why the move was refused), which replaces this one.
// A lost stage that asks why first opens the loss dialog; cancelling it puts the card back.
(function () {
  "use strict";
  const board = document.getElementById("board");
  if (!board) return;
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  const dialog = document.getElementById("loss-dialog");
  const lossForm = document.getElementById("loss-form");
  let pending = null; // the card waiting in the loss dialog

  const query = () => board.querySelector(".board")?.dataset.query || "";

  function reload() {
    return htmx.ajax("GET", `${window.location.pathname}?${query()}`, { target: "#board", swap: "innerHTML" });
  }

  async function move(card, stage, extra) {
    card.classList.add("moving");
    const url = board.dataset.moveUrl.replace("/0/", `/${card.dataset.id}/`) + (query() ? `?${query()}` : "");
    const body = new URLSearchParams({ stage, version: card.dataset.version, ...extra });
    const response = await fetch(url, { method: "POST", headers: { "X-CSRFToken": csrf }, body, credentials: "same-origin" });
    if ([200, 409, 422].includes(response.status)) {
      board.innerHTML = await response.text();
      htmx.process(board);
      wire();
    } else {
      window.location.reload(); // signed out, or the deal is no longer this person's: show the page as it is
    }
  }

  function dropped(event) {
    if (event.from === event.to) return;
    const column = event.to.closest(".board-column");
    const card = event.item;
    if (column.hasAttribute("data-asks-loss-reason") && dialog) {
      pending = { card, stage: column.dataset.stage };
      dialog.querySelector("[data-deal-name]").textContent = card.dataset.name;
      lossForm.reset();
      bootstrap.Modal.getOrCreateInstance(dialog).show();
    } else {
      move(card, column.dataset.stage, {});
    }
  }

  function wire() {
    board.querySelectorAll(".board-cards").forEach((list) => {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: "board",
        sort: false, // the order within a column is the close date's
        draggable: ".board-card.movable",
        forceFallback: true, // mouse and touch events rather than HTML5 drag: the same on phones
        fallbackTolerance: 4, // a click on the deal's name still opens it
        onEnd: dropped,
      });
    });
  }

  if (dialog) {
    lossForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = pending;
      pending = null;
      bootstrap.Modal.getOrCreateInstance(dialog).hide();
      const data = new FormData(lossForm);
      move(chosen.card, chosen.stage, { loss_reason: data.get("loss_reason") || "", competitor: data.get("competitor") || "" });
    });
    dialog.addEventListener("hidden.bs.modal", () => {
      if (pending) {
        pending = null;
        reload();
      }
    });
  }
  board.addEventListener("htmx:afterSettle", wire);
  wire();
})();
