"""Who may open each customer-call page and API operation (see `tandem/tests/access.py`).

A call follows its deal: whoever sees the deal sees the call (engineering leads see no deal). The
deal's owner, their sales manager or an admin opens, changes and cancels it; product managers join
and withdraw; after it, those who joined and those who may change the deal log what they heard.
"""

import datetime
from typing import Any

from django.utils import timezone

from tandem.calls.models import CustomerCall
from tandem.calls.tests.factories import CallAttendeeFactory, CustomerCallFactory
from tandem.sales.models import Opportunity
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 200, 403, 200, 200)
OPEN_PAGE = expect(302, 302, 403, 403, 403, 302)
OPENED = expect(201, 201, 403, 403, 403, 201)
CHANGED = expect(200, 200, 403, 403, 403, 200)
JOIN_PAGE = expect(403, 403, 302, 403, 403, 403)
JOINED = expect(403, 403, 200, 403, 403, 403)
DEBRIEF_PAGE = expect(302, 302, 302, 403, 403, 302)
DEBRIEFED = expect(201, 201, 201, 403, 403, 201)


def _call(deal: Opportunity) -> CustomerCall:
    return CustomerCallFactory(opportunity=deal)


def _joined_call(deal: Opportunity, w: World, *, past: bool = False) -> CustomerCall:
    call = CustomerCallFactory(opportunity=deal, past=past)
    CallAttendeeFactory(call=call, product_manager=w.product_manager)
    return call


def _later() -> str:
    return (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")


def _own(w: World) -> dict[str, Any]:
    return {"pk": _call(w.opportunity).pk}


def _others(w: World) -> dict[str, Any]:
    return {"pk": _call(w.other_opportunity).pk}


PAGES: dict[str, Access] = {
    "calls:call_list": Access(VIEW),
    "calls:call_detail": Access(VIEW, kwargs=_own, other_team=_others),
    "calls:call_open": Access(
        OPEN_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": w.opportunity.pk},
        other_team=lambda w: {"pk": w.other_opportunity.pk},
        data=lambda w: {"scheduled_at": _later(), "agenda": "Walk through the SSO roadmap", "seats": 2},
        through_deal=lambda w: {"pk": w.teammate_deal.pk},
        through_deal_expected=expect(404, 302, 403, 403, 403, 302),
    ),
    "calls:call_cancel": Access(OPEN_PAGE, method="POST", kwargs=_own, other_team=_others),
    # Sales roles never join: refused before the record is looked up.
    "calls:call_join": Access(JOIN_PAGE, method="POST", kwargs=_own, other_team=_others, other_team_expected=JOIN_PAGE),
    "calls:call_withdraw": Access(
        JOIN_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _joined_call(w.opportunity, w).pk},
        other_team=lambda w: {"pk": _joined_call(w.other_opportunity, w).pk},
        other_team_expected=JOIN_PAGE,
    ),
    "calls:call_debrief": Access(
        DEBRIEF_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _joined_call(w.opportunity, w, past=True).pk},
        other_team=lambda w: {"pk": _joined_call(w.other_opportunity, w, past=True).pk},
        data=lambda w: {"note": "They run SAML with Okta.", "needs": "Sign in with Okta"},
    ),
}

API: dict[str, Access] = {
    "calls_call_list": Access(VIEW, data=lambda w: {"upcoming": True}),
    "calls_call_create": Access(
        OPENED,
        method="POST",
        kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
        other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
        data=lambda w: {"scheduled_at": (timezone.now() + datetime.timedelta(days=5)).isoformat(), "agenda": "Pricing"},
    ),
    "calls_call_get": Access(
        VIEW,
        kwargs=lambda w: {"call_id": _call(w.opportunity).pk},
        other_team=lambda w: {"call_id": _call(w.other_opportunity).pk},
    ),
    "calls_call_update": Access(
        CHANGED,
        method="PATCH",
        kwargs=lambda w: {"call_id": _call(w.opportunity).pk},
        other_team=lambda w: {"call_id": _call(w.other_opportunity).pk},
        data=lambda w: {"version": 1, "seats": 3},
    ),
    "calls_call_cancel": Access(
        CHANGED,
        method="POST",
        kwargs=lambda w: {"call_id": _call(w.opportunity).pk},
        other_team=lambda w: {"call_id": _call(w.other_opportunity).pk},
    ),
    "calls_call_join": Access(
        JOINED,
        method="POST",
        kwargs=lambda w: {"call_id": _call(w.opportunity).pk},
        other_team=lambda w: {"call_id": _call(w.other_opportunity).pk},
        other_team_expected=JOINED,
    ),
    "calls_call_withdraw": Access(
        JOINED,
        method="DELETE",
        kwargs=lambda w: {"call_id": _joined_call(w.opportunity, w).pk},
        other_team=lambda w: {"call_id": _joined_call(w.other_opportunity, w).pk},
        other_team_expected=JOINED,
    ),
    "calls_call_debrief": Access(
        DEBRIEFED,
        method="POST",
        kwargs=lambda w: {"call_id": _joined_call(w.opportunity, w, past=True).pk},
        other_team=lambda w: {"call_id": _joined_call(w.other_opportunity, w, past=True).pk},
        data=lambda w: {"note": "They run SAML with Okta.", "needs": ["Sign in with Okta"]},
    ),
}
