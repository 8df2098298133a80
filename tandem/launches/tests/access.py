"""Who may open each launches page and API operation (see `tandem/tests/access.py` for the format).

Launch plans are read by every role; they are started and changed by whoever may plan and ship the
release (its product's manager, admins). The digest is read by sales, product, executives and admins;
admins choose its period.
"""

from typing import Any

from tandem.launches.tests.factories import ChecklistItemFactory, LaunchPlanFactory, SuccessMetricFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

READ = expect(200, 200, 200, 200, 200, 200)
RUN_PAGE = expect(403, 403, 302, 403, 403, 302)
RUN_CREATED = expect(403, 403, 201, 403, 403, 201)
RUN_CHANGED = expect(403, 403, 200, 403, 403, 200)
DIGEST = expect(200, 200, 200, 403, 200, 200)


def _plan(w: World) -> dict[str, Any]:
    return {"pk": LaunchPlanFactory(release=w.release, created_by=w.product_manager).pk}


def _item(w: World) -> dict[str, Any]:
    plan = LaunchPlanFactory(release=w.release, created_by=w.product_manager)
    return {"pk": ChecklistItemFactory(plan=plan).pk}


def _metric(w: World) -> dict[str, Any]:
    plan = LaunchPlanFactory(release=w.release, created_by=w.product_manager)
    return {"pk": SuccessMetricFactory(plan=plan).pk}


PAGES: dict[str, Access] = {
    "launches:launch_list": Access(READ),
    "launches:launch_detail": Access(READ, kwargs=_plan),
    "launches:launch_create": Access(
        RUN_PAGE, method="POST", kwargs=lambda w: {"release": w.release.pk}, data=lambda w: {}
    ),
    "launches:checklist_item_create": Access(
        RUN_PAGE, method="POST", kwargs=_plan, data=lambda w: {"area": "pricing", "title": "Price it"}
    ),
    "launches:checklist_item_update": Access(
        RUN_PAGE, method="POST", kwargs=_item, data=lambda w: {"version": 1, "done": "on"}
    ),
    "launches:metric_create": Access(
        RUN_PAGE, method="POST", kwargs=_plan, data=lambda w: {"kind": "asks_closed", "target": "20"}
    ),
    "launches:metric_update": Access(
        RUN_PAGE, method="POST", kwargs=_metric, data=lambda w: {"version": 1, "target": "60", "actual_30": "12"}
    ),
    "launches:digest": Access(DIGEST),
    "launches:digest_settings": Access(
        expect(403, 403, 403, 403, 403, 302), method="POST", data=lambda w: {"version": 0, "period": "per_release"}
    ),
}

API: dict[str, Access] = {
    "launches_launch_list": Access(READ),
    "launches_launch_get": Access(READ, kwargs=lambda w: {"launch_id": _plan(w)["pk"]}),
    "launches_launch_create": Access(RUN_CREATED, method="POST", data=lambda w: {"release_id": w.release.pk}),
    "launches_checklist_item_create": Access(
        RUN_CREATED,
        method="POST",
        kwargs=lambda w: {"launch_id": _plan(w)["pk"]},
        data=lambda w: {"area": "pricing", "title": "Price it"},
    ),
    "launches_checklist_item_update": Access(
        RUN_CHANGED,
        method="PATCH",
        kwargs=lambda w: {"item_id": _item(w)["pk"]},
        data=lambda w: {"version": 1, "done": True},
    ),
    "launches_metric_create": Access(
        RUN_CREATED,
        method="POST",
        kwargs=lambda w: {"launch_id": _plan(w)["pk"]},
        data=lambda w: {"kind": "asks_closed", "target": "20"},
    ),
    "launches_metric_update": Access(
        RUN_CHANGED,
        method="PATCH",
        kwargs=lambda w: {"metric_id": _metric(w)["pk"]},
        data=lambda w: {"version": 1, "target": "60", "actual_30": "12"},
    ),
    "launches_digest_get": Access(DIGEST),
}
