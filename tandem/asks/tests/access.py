"""Who may open the ask pages and the asks API.

A rep sees the asks of their own deals and accounts, a sales manager their team's; product,
engineering and leadership see every ask. `world.other_ask` is on another team's deal.
"""

from django.utils import timezone

from tandem.asks.models import Ask, TriageAction
from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)
OTHER_TEAM = expect(404, 404, 200, 200, 200, 200)
LOGGERS = expect(200, 200, 200, 403, 403, 200)
TRIAGERS = expect(403, 403, 200, 403, 403, 200)
# Triage actions: an ask you may not see is 404, one you see but may not triage 403. `world.ask`
# is linked already, so the posts say they saw it linked (else: 409, already triaged).
TRIAGE_POSTS = expect(403, 403, 302, 403, 403, 302)
# `world.other_ask` is new: a post that says it saw it linked is refused as already triaged.
SAW_IT_LINKED_BUT_IT_IS_NEW = expect(404, 404, 409, 403, 403, 409)

PAGES: dict[str, Access] = {
    "asks:ask_list": Access(EVERYONE_OK),
    "asks:ask_detail": Access(
        EVERYONE_OK,
        kwargs=lambda w: {"pk": w.ask.pk},
        other_team=lambda w: {"pk": w.other_ask.pk},
        other_team_expected=OTHER_TEAM,
        # On the rep's account, logged on a team-mate's deal: the rep sees the ask, not the deal.
        through_deal=lambda w: {"pk": w.teammate_ask.pk},
        through_deal_expected=EVERYONE_OK,
    ),
    # On a deal (`?opportunity=`) or an account (`?account=`); another team's deal is 404 (tests/test_views.py).
    "asks:ask_create": Access(LOGGERS, data=lambda w: {"opportunity": w.opportunity.pk}),
    "asks:inbox": Access(TRIAGERS),
    "asks:feature_search": Access(EVERYONE_OK, data=lambda w: {"q": "single sign-on"}),
    "asks:ask_link": Access(
        TRIAGE_POSTS,
        method="POST",
        kwargs=lambda w: {"pk": w.ask.pk},
        data=lambda w: {"feature": w.feature.pk, "expected_status": "linked"},
        other_team=lambda w: {"pk": w.other_ask.pk},
    ),
    "asks:ask_merge": Access(
        TRIAGE_POSTS,
        method="POST",
        kwargs=lambda w: {"pk": w.ask.pk},
        data=lambda w: {"original": w.other_ask.pk, "expected_status": "linked"},
        other_team=lambda w: {"pk": w.other_ask.pk},
    ),
    "asks:ask_feature_create": Access(
        TRIAGE_POSTS,
        method="POST",
        kwargs=lambda w: {"pk": w.ask.pk},
        data=lambda w: {"product": w.product.pk, "title": "Okta provisioning", "expected_status": "linked"},
        other_team=lambda w: {"pk": w.other_ask.pk},
    ),
    # A triage action is its taker's alone: anyone else gets 404, as for one that does not exist.
    "asks:triage_undo": Access(
        expect(404, 404, 302, 404, 404, 404),
        method="POST",
        kwargs=lambda w: {"pk": _pm_linked(w).pk},
    ),
}


def _pm_linked(w: World) -> TriageAction:
    """The product manager linked `world.ask` a moment ago and may still undo it."""
    return TriageAction.objects.create(
        ask=w.ask,
        kind=TriageAction.Kind.LINK,
        taken_by=w.product_manager,
        taken_at=timezone.now(),
        status_before=Ask.Status.NEW,
        feature_after=w.ask.feature,
    )


def _ask_data(w: World) -> dict[str, object]:
    return {
        "account_id": w.account.pk,
        "opportunity_id": w.opportunity.pk,
        "need": "Audit trail of every forecast change",
        "importance": "blocker",
        "feature_id": w.feature.pk,
    }


API: dict[str, Access] = {
    "asks_ask_list": Access(EVERYONE_OK),
    "asks_ask_get": Access(
        EVERYONE_OK,
        kwargs=lambda w: {"ask_id": w.ask.pk},
        other_team=lambda w: {"ask_id": w.other_ask.pk},
        other_team_expected=OTHER_TEAM,
        through_deal=lambda w: {"ask_id": w.teammate_ask.pk},
        through_deal_expected=EVERYONE_OK,
    ),
    "asks_ask_create": Access(expect(201, 201, 201, 403, 403, 201), method="POST", data=_ask_data),
    "asks_ask_suggestions": Access(
        TRIAGERS,
        kwargs=lambda w: {"ask_id": w.ask.pk},
        other_team=lambda w: {"ask_id": w.other_ask.pk},
    ),
    "asks_ask_link": Access(
        expect(403, 403, 200, 403, 403, 200),
        method="POST",
        kwargs=lambda w: {"ask_id": w.ask.pk},
        data=lambda w: {"feature_id": w.feature.pk, "expected_status": "linked"},
        other_team=lambda w: {"ask_id": w.other_ask.pk},
        other_team_expected=SAW_IT_LINKED_BUT_IT_IS_NEW,
    ),
    "asks_ask_merge": Access(
        expect(403, 403, 200, 403, 403, 200),
        method="POST",
        kwargs=lambda w: {"ask_id": w.ask.pk},
        data=lambda w: {"original_id": w.other_ask.pk, "expected_status": "linked"},
        other_team=lambda w: {"ask_id": w.other_ask.pk},
        other_team_expected=expect(404, 404, 422, 403, 403, 422),  # merging other_ask into itself
    ),
    "asks_ask_feature_create": Access(
        expect(403, 403, 201, 403, 403, 201),
        method="POST",
        kwargs=lambda w: {"ask_id": w.ask.pk},
        data=lambda w: {"product_id": w.product.pk, "title": "Okta provisioning", "expected_status": "linked"},
        other_team=lambda w: {"ask_id": w.other_ask.pk},
        other_team_expected=SAW_IT_LINKED_BUT_IT_IS_NEW,
    ),
}
