"""Who may open each sales page and API operation (see `tandem/tests/access.py` for the format).

Everyone in the pipeline sees the lists (engineering leads do not); product managers and
executives read but do not write; a record of another team answers 404 to sales roles.
"""

import datetime
from typing import Any

from tandem.sales.tests.factories import AccountFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 200, 403, 200, 200)
EDIT_PAGE = expect(302, 302, 403, 403, 403, 302)
SIGNED_IN = expect(200, 200, 200, 200, 200, 200)
QUOTAS = expect(200, 200, 403, 403, 200, 200)
CREATED = expect(201, 201, 403, 403, 403, 201)
CHANGED = expect(200, 200, 403, 403, 403, 200)
DELETED = expect(204, 204, 403, 403, 403, 204)
# A team-mate's account (and its contacts) that the rep sees through their deal on it: the rep
# reads it but may not change it; their sales manager may.
EDIT_PAGE_NOT_OWNER = expect(403, 302, 403, 403, 403, 302)
CHANGED_NOT_OWNER = expect(403, 200, 403, 403, 403, 200)
# A team-mate's deal (on the rep's own account) stays the team-mate's: 404 to the rep.
TEAMMATES_DEAL = expect(404, 200, 200, 403, 200, 200)
TEAMMATES_DEAL_EDIT_PAGE = expect(404, 302, 403, 403, 403, 302)

CLOSE_DATE = datetime.date(2027, 3, 31)


def _deal_form(w: World) -> dict[str, Any]:
    return {
        "name": "Acme platform deal",
        "account": w.account.pk,
        "owner": w.rep.pk,
        "amount": "120000.00",
        "currency": "USD",
        "close_date": CLOSE_DATE.isoformat(),
        "stage": w.stage.pk,
        "type": "new",
    }


def _deal_edit_form(w: World) -> dict[str, Any]:
    return {**_deal_form(w), "version": 1, "name": "Acme platform deal, phase 2"}


def _account_form(w: World) -> dict[str, Any]:
    return {"name": "Initech", "owner": w.rep.pk, "segment": "enterprise", "status": "prospect", "annual_revenue": "0"}


def _account_edit_form(w: World) -> dict[str, Any]:
    return {**_account_form(w), "version": w.account.version}


def _empty_account(w: World) -> dict[str, Any]:
    # Deleting needs an account without deals; the world's accounts have one each.
    return {"pk": AccountFactory.create(owner=w.rep).pk}


def _other_empty_account(w: World) -> dict[str, Any]:
    return {"pk": AccountFactory.create(owner=w.outsider_rep).pk}


def _deal(w: World) -> dict[str, Any]:
    return {"pk": w.opportunity.pk}


def _other_deal(w: World) -> dict[str, Any]:
    return {"pk": w.other_opportunity.pk}


def _account(w: World) -> dict[str, Any]:
    return {"pk": w.account.pk}


def _other_account(w: World) -> dict[str, Any]:
    return {"pk": w.other_account.pk}


def _teammate_account(w: World) -> dict[str, Any]:
    return {"pk": w.teammate_account.pk}


def _teammate_deal(w: World) -> dict[str, Any]:
    return {"pk": w.teammate_deal.pk}


def _contact(w: World) -> dict[str, Any]:
    return {"pk": w.contact.pk}


def _other_contact(w: World) -> dict[str, Any]:
    return {"pk": w.other_contact.pk}


PAGES: dict[str, Access] = {
    "sales:opportunity_list": Access(VIEW),
    "sales:opportunity_detail": Access(
        VIEW, kwargs=_deal, other_team=_other_deal, through_deal=_teammate_deal, through_deal_expected=TEAMMATES_DEAL
    ),
    "sales:opportunity_create": Access(EDIT_PAGE, method="POST", data=_deal_form),
    "sales:opportunity_update": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_deal,
        other_team=_other_deal,
        data=_deal_edit_form,
        through_deal=_teammate_deal,
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
    "sales:opportunity_delete": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_deal,
        other_team=_other_deal,
        through_deal=_teammate_deal,
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
    "sales:account_list": Access(VIEW),
    "sales:account_options": Access(VIEW, data=lambda w: {"q": "a"}),
    "sales:owner_options": Access(SIGNED_IN, data=lambda w: {"q": "a"}),
    "sales:account_detail": Access(
        VIEW, kwargs=_account, other_team=_other_account, through_deal=_teammate_account, through_deal_expected=VIEW
    ),
    "sales:account_create": Access(EDIT_PAGE, method="POST", data=_account_form),
    "sales:account_update": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_account,
        other_team=_other_account,
        data=_account_edit_form,
        through_deal=_teammate_account,
        through_deal_expected=EDIT_PAGE_NOT_OWNER,
    ),
    "sales:account_delete": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_empty_account,
        other_team=_other_empty_account,
        # It has deals (the rep's among them), so its owner's side cannot delete it either.
        through_deal=_teammate_account,
        through_deal_expected=expect(403, 409, 403, 403, 403, 409),
    ),
    "sales:contact_create": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_account,
        other_team=_other_account,
        data=lambda w: {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"},
        through_deal=_teammate_account,
        through_deal_expected=EDIT_PAGE_NOT_OWNER,
    ),
    "sales:contact_update": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_contact,
        other_team=_other_contact,
        data=lambda w: {"first_name": "Grace", "last_name": "Hopper", "title": "CTO"},
        through_deal=lambda w: {"pk": w.teammate_contact.pk},
        through_deal_expected=EDIT_PAGE_NOT_OWNER,
    ),
    "sales:contact_delete": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_contact,
        other_team=_other_contact,
        through_deal=lambda w: {"pk": w.teammate_contact.pk},
        through_deal_expected=EDIT_PAGE_NOT_OWNER,
    ),
    "sales:quota_list": Access(QUOTAS),
}


API: dict[str, Access] = {
    "sales_account_list": Access(VIEW),
    "sales_account_get": Access(
        VIEW,
        kwargs=lambda w: {"account_id": w.account.pk},
        other_team=lambda w: {"account_id": w.other_account.pk},
        through_deal=lambda w: {"account_id": w.teammate_account.pk},
        through_deal_expected=VIEW,
    ),
    "sales_account_create": Access(
        CREATED, method="POST", data=lambda w: {"name": "Initech", "owner_id": w.rep.pk, "segment": "enterprise"}
    ),
    "sales_account_update": Access(
        CHANGED,
        method="PATCH",
        kwargs=lambda w: {"account_id": w.account.pk},
        other_team=lambda w: {"account_id": w.other_account.pk},
        data=lambda w: {"version": w.account.version, "status": "customer"},
        # Finding 1 of issue 15: a rep with a deal on a colleague's account gave it to themselves.
        through_deal=lambda w: {"account_id": w.teammate_account.pk},
        through_deal_expected=CHANGED_NOT_OWNER,
    ),
    "sales_account_delete": Access(
        DELETED,
        method="DELETE",
        kwargs=lambda w: {"account_id": _empty_account(w)["pk"]},
        other_team=lambda w: {"account_id": _other_empty_account(w)["pk"]},
        through_deal=lambda w: {"account_id": w.teammate_account.pk},
        through_deal_expected=expect(403, 422, 403, 403, 403, 422),  # it still has deals
    ),
    "sales_opportunity_list": Access(VIEW),
    "sales_opportunity_get": Access(
        VIEW,
        kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
        other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
        through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
        through_deal_expected=TEAMMATES_DEAL,
    ),
    "sales_opportunity_create": Access(
        CREATED,
        method="POST",
        data=lambda w: {
            "name": "Acme platform deal",
            "account_id": w.account.pk,
            "owner_id": w.rep.pk,
            "amount": "120000.00",
            "stage_id": w.stage.pk,
            "close_date": CLOSE_DATE.isoformat(),
        },
    ),
    "sales_opportunity_update": Access(
        CHANGED,
        method="PATCH",
        kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
        other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
        data=lambda w: {"version": 1, "amount": "75000.00"},
        through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
        through_deal_expected=expect(404, 200, 403, 403, 403, 200),
    ),
    "sales_opportunity_delete": Access(
        DELETED,
        method="DELETE",
        kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
        other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
        through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
        through_deal_expected=expect(404, 204, 403, 403, 403, 204),
    ),
}
