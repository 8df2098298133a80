"""Who may open the shell's pages: the health probes answer anyone, signed in or not."""

from typing import Any

from tandem.core.models import SavedView
from tandem.tests.access import Access, expect
from tandem.tests.world import World


def _reps_view(w: World) -> dict[str, Any]:
    view = SavedView.objects.create(
        owner=w.rep, list_name="sales:opportunity_list", name="Quiet", query="activity=quiet"
    )
    return {"pk": view.pk}


PAGES: dict[str, Access] = {
    # Liveness and readiness probes: public by design, for the load balancer and monitoring.
    "core:health": Access(expect(200, 200, 200, 200, 200, 200), public=True),
    "core:ready": Access(expect(200, 200, 200, 200, 200, 200), public=True),
    # Saved views: anyone signed in saves their own; a view is its owner's alone (404 to anyone else).
    "core:saved_view_save": Access(
        expect(302, 302, 302, 302, 302, 302),
        method="POST",
        data=lambda w: {"list_name": "sales:opportunity_list", "name": "My quiet deals", "query": "activity=quiet"},
    ),
    # The whole workspace, every person's records: admins only.
    "core:workspace_export": Access(expect(403, 403, 403, 403, 403, 200)),
    # Loading a workspace into an empty Tandem: admins only (the form; the import's own tests post it).
    "core:workspace_import": Access(expect(403, 403, 403, 403, 403, 200)),
    "core:saved_view_delete": Access(expect(302, 404, 404, 404, 404, 404), method="POST", kwargs=_reps_view),
}

API: dict[str, Access] = {}
