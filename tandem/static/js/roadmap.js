// The roadmap's timeline and board: drag a feature onto another release (timeline) or into another
// column (board). The server answers the roadmap as it now is, or why the move was refused (a stale
// version, a release of another product), and that replaces this one.
(function () {
  "use strict";
  const roadmap = document.getElementById("roadmap");
  if (!roadmap) return;
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];

  async function place(item, target) {
    const query = roadmap.querySelector(".roadmap")?.dataset.query || "";
    const url = roadmap.dataset.placeUrl.replace("/0/", `/${item.dataset.id}/`) + `?view=${roadmap.dataset.view}${query ? `&${query}` : ""}`;
    const body = new URLSearchParams({ version: item.dataset.version });
    if (target.dataset.release) body.set("release", target.dataset.release);
    if (target.dataset.horizon) body.set("horizon", target.dataset.horizon);
    const response = await fetch(url, { method: "POST", headers: { "X-CSRFToken": csrf }, body, credentials: "same-origin" });
    if ([200, 409, 422].includes(response.status)) {
      roadmap.innerHTML = await response.text();
      htmx.process(roadmap);
      wire();
    } else {
      window.location.reload();
    }
  }

  function wire() {
    roadmap.querySelectorAll(".roadmap-cards[data-droppable]").forEach((list) => {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: "roadmap",
        sort: false, // a release's or a column's order is the release date's
        draggable: ".roadmap-item.movable",
        forceFallback: true,
        fallbackTolerance: 4,
        onEnd: (event) => {
          if (event.from !== event.to) place(event.item, event.to);
        },
      });
    });
  }
  roadmap.addEventListener("htmx:afterSettle", wire);
  wire();
})();
