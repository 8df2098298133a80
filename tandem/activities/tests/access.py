"""Who may read and log notes, calls and meetings: reads follow the deal (product managers and
executives read, engineering leads see no deal), writes follow the deal's write rule (its owner,
their sales manager, an admin). A team-mate's deal that a rep reaches through an ask stays hidden."""

from typing import Any

from django.utils import timezone

from tandem.activities.models import Activity
from tandem.sales.models import Opportunity
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 200, 403, 200, 200)
EDIT_PAGE = expect(302, 302, 403, 403, 403, 302)
TEAMMATES_DEAL = expect(404, 200, 200, 403, 200, 200)
TEAMMATES_DEAL_EDIT_PAGE = expect(404, 302, 403, 403, 403, 302)
CREATED = expect(201, 201, 403, 403, 403, 201)
CHANGED = expect(200, 200, 403, 403, 403, 200)
DELETED = expect(204, 204, 403, 403, 403, 204)


def _logged(deal: Opportunity) -> int:
    now = timezone.now()
    return Activity.objects.create(
        opportunity=deal, kind="call", body="Discussed the pilot.", occurred_at=now, created_at=now, author=deal.owner
    ).pk


def _deal(w: World) -> dict[str, Any]:
    return {"pk": w.opportunity.pk}


PAGES: dict[str, Access] = {
    "activities:activity_create": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_deal,
        other_team=lambda w: {"pk": w.other_opportunity.pk},
        data=lambda w: {"kind": "call", "body": "Walked through pricing.", "contacts": [w.contact.pk]},
        through_deal=lambda w: {"pk": w.teammate_deal.pk},
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
    "activities:timeline": Access(
        VIEW,
        kwargs=_deal,
        other_team=lambda w: {"pk": w.other_opportunity.pk},
        data=lambda w: {"page": 2},
        through_deal=lambda w: {"pk": w.teammate_deal.pk},
        through_deal_expected=TEAMMATES_DEAL,
    ),
    "activities:activity_update": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _logged(w.opportunity)},
        other_team=lambda w: {"pk": _logged(w.other_opportunity)},
        data=lambda w: {"kind": "meeting", "body": "Met the CFO.", "version": 1, "occurred_at": "2026-11-02T10:00"},
        through_deal=lambda w: {"pk": _logged(w.teammate_deal)},
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
    "activities:activity_delete": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _logged(w.opportunity)},
        other_team=lambda w: {"pk": _logged(w.other_opportunity)},
        through_deal=lambda w: {"pk": _logged(w.teammate_deal)},
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
}

API: dict[str, Access] = {
    "activities_activity_list": Access(
        VIEW,
        kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
        other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
        through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
        through_deal_expected=TEAMMATES_DEAL,
    ),
    "activities_activity_create": Access(
        CREATED,
        method="POST",
        kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
        other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
        data=lambda w: {"kind": "meeting", "text": "Demo to the ops team."},
        through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
        through_deal_expected=expect(404, 201, 403, 403, 403, 201),
    ),
    "activities_activity_get": Access(
        VIEW,
        kwargs=lambda w: {"activity_id": _logged(w.opportunity)},
        other_team=lambda w: {"activity_id": _logged(w.other_opportunity)},
        through_deal=lambda w: {"activity_id": _logged(w.teammate_deal)},
        through_deal_expected=TEAMMATES_DEAL,
    ),
    "activities_activity_update": Access(
        CHANGED,
        method="PATCH",
        kwargs=lambda w: {"activity_id": _logged(w.opportunity)},
        other_team=lambda w: {"activity_id": _logged(w.other_opportunity)},
        data=lambda w: {"version": 1, "text": "Discussed the pilot and the price."},
        through_deal=lambda w: {"activity_id": _logged(w.teammate_deal)},
        through_deal_expected=expect(404, 200, 403, 403, 403, 200),
    ),
    "activities_activity_delete": Access(
        DELETED,
        method="DELETE",
        kwargs=lambda w: {"activity_id": _logged(w.opportunity)},
        other_team=lambda w: {"activity_id": _logged(w.other_opportunity)},
        through_deal=lambda w: {"activity_id": _logged(w.teammate_deal)},
        through_deal_expected=expect(404, 204, 403, 403, 403, 204),
    ),
}
