"""Who may open each sales page and API operation (see `tandem/tests/access.py` for the format).

Everyone in the pipeline sees the lists (engineering leads do not); product managers and
executives read but do not write; a record of another team answers 404 to sales roles.
"""

import datetime
from typing import Any

from tandem.sales.models import Contact, DealContact, Opportunity
from tandem.sales.tests.factories import AccountFactory, StageFactory
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

# An inline edit of a deal row answers the row itself.
ROW = expect(200, 200, 403, 403, 403, 200)
TEAMMATES_ROW = expect(404, 200, 403, 403, 403, 200)

CLOSE_DATE = datetime.date(2027, 3, 31)


def _on_deal(deal: Opportunity, contact: Contact) -> int:
    return DealContact.objects.create(opportunity=deal, contact=contact, role=DealContact.Role.CHAMPION).pk


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


def _move_to_proposal(w: World) -> dict[str, Any]:
    return {"stage": StageFactory(name="Proposal", order=2, default_probability=60).pk, "version": 1}


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
    "sales:board": Access(VIEW),
    "sales:board_column": Access(VIEW, data=lambda w: {"stage": w.stage.pk, "after": 0}),
    # The board answers a move with itself, redrawn: 200, not a redirect.
    "sales:opportunity_move": Access(
        expect(200, 200, 403, 403, 403, 200),
        method="POST",
        kwargs=_deal,
        other_team=_other_deal,
        data=_move_to_proposal,
        through_deal=_teammate_deal,
        through_deal_expected=expect(404, 200, 403, 403, 403, 200),
    ),
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
    # The deal list's inline edits: the row's cell as a form, and its save (htmx; 200 with the row).
    "sales:opportunity_row_edit": Access(
        ROW,
        kwargs=_deal,
        other_team=_other_deal,
        data=lambda w: {"field": "stage"},
        through_deal=_teammate_deal,
        through_deal_expected=TEAMMATES_ROW,
    ),
    "sales:opportunity_row": Access(
        ROW,
        method="POST",
        kwargs=_deal,
        other_team=_other_deal,
        data=lambda w: {"field": "close_date", "version": 1, "close_date": "2027-04-30"},
        through_deal=_teammate_deal,
        through_deal_expected=TEAMMATES_ROW,
    ),
    "sales:opportunity_next_step": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_deal,
        other_team=_other_deal,
        data=lambda w: {"next_step": "Send the proposal", "next_step_date": "2027-01-15", "version": 1},
        through_deal=_teammate_deal,
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
    "sales:deal_contact_add": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=_deal,
        other_team=_other_deal,
        data=lambda w: {"contact": w.contact.pk, "role": "champion"},
        # The team-mate's deal is on the rep's account: the same people.
        through_deal=_teammate_deal,
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
    "sales:deal_contact_remove": Access(
        EDIT_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _on_deal(w.opportunity, w.contact)},
        other_team=lambda w: {"pk": _on_deal(w.other_opportunity, w.other_contact)},
        through_deal=lambda w: {"pk": _on_deal(w.teammate_deal, w.contact)},
        through_deal_expected=TEAMMATES_DEAL_EDIT_PAGE,
    ),
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


API.update(
    {
        "sales_contact_list": Access(VIEW, data=lambda w: {"account": w.account.pk}),
        "sales_contact_get": Access(
            VIEW,
            kwargs=lambda w: {"contact_id": w.contact.pk},
            other_team=lambda w: {"contact_id": w.other_contact.pk},
            through_deal=lambda w: {"contact_id": w.teammate_contact.pk},
            through_deal_expected=VIEW,
        ),
        "sales_contact_create": Access(
            CREATED,
            method="POST",
            data=lambda w: {"account_id": w.account.pk, "first_name": "Grace", "last_name": "Hopper"},
        ),
        "sales_contact_update": Access(
            CHANGED,
            method="PATCH",
            kwargs=lambda w: {"contact_id": w.contact.pk},
            other_team=lambda w: {"contact_id": w.other_contact.pk},
            data=lambda w: {"title": "CTO"},
            through_deal=lambda w: {"contact_id": w.teammate_contact.pk},
            through_deal_expected=CHANGED_NOT_OWNER,
        ),
        "sales_contact_delete": Access(
            DELETED,
            method="DELETE",
            kwargs=lambda w: {"contact_id": w.contact.pk},
            other_team=lambda w: {"contact_id": w.other_contact.pk},
            through_deal=lambda w: {"contact_id": w.teammate_contact.pk},
            through_deal_expected=expect(403, 204, 403, 403, 403, 204),
        ),
        "sales_deal_contact_list": Access(
            VIEW,
            kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
            other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
            through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
            through_deal_expected=TEAMMATES_DEAL,
        ),
        "sales_deal_contact_add": Access(
            CREATED,
            method="POST",
            kwargs=lambda w: {"opportunity_id": w.opportunity.pk},
            other_team=lambda w: {"opportunity_id": w.other_opportunity.pk},
            data=lambda w: {"contact_id": w.contact.pk, "role": "economic_buyer"},
            # The rep's contact is no person of the other team's deal's account: the admin's add is refused.
            other_team_expected=expect(404, 404, 403, 403, 403, 422),
            through_deal=lambda w: {"opportunity_id": w.teammate_deal.pk},
            through_deal_expected=expect(404, 201, 403, 403, 403, 201),
        ),
        "sales_deal_contact_update": Access(
            CHANGED,
            method="PATCH",
            kwargs=lambda w: {"deal_contact_id": _on_deal(w.opportunity, w.contact)},
            other_team=lambda w: {"deal_contact_id": _on_deal(w.other_opportunity, w.other_contact)},
            data=lambda w: {"role": "blocker"},
            through_deal=lambda w: {"deal_contact_id": _on_deal(w.teammate_deal, w.contact)},
            through_deal_expected=expect(404, 200, 403, 403, 403, 200),
        ),
        "sales_deal_contact_remove": Access(
            DELETED,
            method="DELETE",
            kwargs=lambda w: {"deal_contact_id": _on_deal(w.opportunity, w.contact)},
            other_team=lambda w: {"deal_contact_id": _on_deal(w.other_opportunity, w.other_contact)},
            through_deal=lambda w: {"deal_contact_id": _on_deal(w.teammate_deal, w.contact)},
            through_deal_expected=expect(404, 204, 403, 403, 403, 204),
        ),
    }
)

# The stage list is workspace configuration, read by everyone (admins edit it in the admin pages).
API["sales_stage_list"] = Access(expect(200, 200, 200, 200, 200, 200))
