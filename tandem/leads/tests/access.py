"""Who may open each lead page and API operation (see `tandem/tests/access.py` for the format).

Reps, sales managers, executives and admins see leads (a rep their own, a manager their teams',
executives and admins all); product managers and engineering leads none (403). The owner, their
manager and admins change and convert them; executives read. Another team's lead answers 404 to
sales roles. The leads are made here, not in the shared `World`: no other table needs them.
"""

import datetime
from typing import Any

from tandem.leads.models import Lead
from tandem.leads.tests.factories import LeadFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 403, 403, 200, 200)
EDIT_PAGE = expect(302, 302, 403, 403, 403, 302)
EDIT_FORM = expect(200, 200, 403, 403, 403, 200)
CREATED = expect(201, 201, 403, 403, 403, 201)
CHANGED = expect(200, 200, 403, 403, 403, 200)
# A lead of the rep's team-mate: their manager and admins change it; the rep does not see it.
TEAMMATES = expect(404, 200, 403, 403, 200, 200)
TEAMMATES_EDIT_PAGE = expect(404, 302, 403, 403, 403, 302)
TEAMMATES_CHANGED = expect(404, 200, 403, 403, 403, 200)


def _lead(w: World) -> dict[str, Any]:
    return {"pk": LeadFactory.create(owner=w.rep, company="Initech").pk}


def _other_lead(w: World) -> dict[str, Any]:
    return {"pk": LeadFactory.create(owner=w.outsider_rep, company="Hooli").pk}


def _teammate_lead(w: World) -> dict[str, Any]:
    return {"pk": LeadFactory.create(owner=w.teammate, company="Vandelay").pk}


def _api(build: Any) -> Any:
    return lambda w: {"lead_id": build(w)["pk"]}


def _lead_form(w: World) -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company": "Initech",
        "source": Lead.Source.EVENT,
        "owner": w.rep.pk,
        "status": Lead.Status.NEW,
        "authority": Lead.Authority.UNKNOWN,
        "timeline": Lead.Timeline.UNKNOWN,
    }


def _lead_edit_form(w: World) -> dict[str, Any]:
    return {**_lead_form(w), "version": 1, "status": Lead.Status.WORKING}


def _convert_form(w: World) -> dict[str, Any]:
    return {
        "version": 1,
        "account": "new",
        "deal_name": "Initech platform",
        "stage": w.stage.pk,
        "amount": "30000",
        "close_date": datetime.date(2027, 6, 30).isoformat(),
    }


def _convert_body(w: World) -> dict[str, Any]:
    return {
        "version": 1,
        "account_id": None,
        "deal_name": "Initech platform",
        "stage_id": w.stage.pk,
        "amount": "30000",
        "close_date": "2027-06-30",
    }


PAGES: dict[str, Access] = {
    "leads:lead_list": Access(VIEW),
    "leads:lead_funnel": Access(VIEW, data=lambda w: {"by": "owner", "start": "2020-01-01", "end": "2030-12-31"}),
    "leads:lead_create": Access(EDIT_PAGE, method="POST", data=_lead_form),
    "leads:lead_detail": Access(
        VIEW, kwargs=_lead, other_team=_other_lead, through_deal=_teammate_lead, through_deal_expected=TEAMMATES
    ),
    "leads:lead_update": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_lead,
        other_team=_other_lead,
        data=_lead_edit_form,
        through_deal=_teammate_lead,
        through_deal_expected=TEAMMATES_EDIT_PAGE,
    ),
    "leads:lead_convert": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_lead,
        other_team=_other_lead,
        data=_convert_form,
        through_deal=_teammate_lead,
        through_deal_expected=TEAMMATES_EDIT_PAGE,
    ),
}

API: dict[str, Access] = {
    "leads_lead_list": Access(VIEW),
    "leads_lead_get": Access(
        VIEW,
        kwargs=_api(_lead),
        other_team=_api(_other_lead),
        through_deal=_api(_teammate_lead),
        through_deal_expected=TEAMMATES,
    ),
    "leads_lead_create": Access(
        CREATED,
        method="POST",
        data=lambda w: {"last_name": "Lovelace", "company": "Initech", "source": "event", "owner_id": w.rep.pk},
    ),
    "leads_lead_update": Access(
        CHANGED,
        method="PATCH",
        kwargs=_api(_lead),
        other_team=_api(_other_lead),
        data=lambda w: {"version": 1, "status": "qualified"},
        through_deal=_api(_teammate_lead),
        through_deal_expected=TEAMMATES_CHANGED,
    ),
    "leads_lead_convert": Access(
        CREATED,
        method="POST",
        kwargs=_api(_lead),
        other_team=_api(_other_lead),
        data=_convert_body,
        through_deal=_api(_teammate_lead),
        through_deal_expected=expect(404, 201, 403, 403, 403, 201),
    ),
}
