"""Who may open each commitments page and API operation (see `tandem/tests/access.py` for the format).

A commitment is seen with its deal: reps their own deals', sales managers their teams', product
managers, executives and admins every one; engineering leads none (they see no deals). Asking is a
write on the deal (its rep, their manager, admins). Approving and refusing is the right to plan the
feature: the product's manager and executives (decision rights); everyone else who sees it gets 403.
Withdrawing is the asking side's write again: whoever may change the deal.
"""

from typing import Any

from tandem.commitments.models import Commitment
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 200, 403, 200, 200)
DETAIL = VIEW
OTHER_DETAIL = expect(404, 404, 200, 403, 200, 200)
ASK_PAGE = expect(302, 302, 403, 403, 403, 302)
OTHER_ASK_PAGE = expect(404, 404, 403, 403, 403, 302)
ASK_API = expect(201, 201, 403, 403, 403, 201)
OTHER_ASK_API = expect(404, 404, 403, 403, 403, 201)
ANSWER_PAGE = expect(403, 403, 302, 403, 302, 403)
ANSWER_API = expect(403, 403, 200, 403, 200, 403)
OTHER_ANSWER_PAGE = expect(404, 404, 302, 403, 302, 403)
OTHER_ANSWER_API = expect(404, 404, 200, 403, 200, 403)
WITHDRAW_PAGE = ASK_PAGE
OTHER_WITHDRAW_PAGE = OTHER_ASK_PAGE
WITHDRAW_API = expect(200, 200, 403, 403, 403, 200)
OTHER_WITHDRAW_API = expect(404, 404, 403, 403, 403, 200)


def _requested(w: World, deal: Any) -> Commitment:
    return CommitmentFactory(
        opportunity=deal, feature=w.feature, status=Commitment.Status.REQUESTED, decided_at=None, due_date=None
    )


def _pk(w: World) -> dict[str, Any]:
    return {"pk": _requested(w, w.opportunity).pk}


def _other_pk(w: World) -> dict[str, Any]:
    return {"pk": _requested(w, w.other_opportunity).pk}


def _api_pk(w: World) -> dict[str, Any]:
    return {"commitment_id": _pk(w)["pk"]}


def _api_other_pk(w: World) -> dict[str, Any]:
    return {"commitment_id": _other_pk(w)["pk"]}


def _answer(w: World) -> dict[str, Any]:
    return {"version": 1, "reason": "Fits the plan."}


def _withdrawal(w: World) -> dict[str, Any]:
    return {"version": 1, "withdrawal_reason": "The customer no longer needs it."}


PAGES: dict[str, Access] = {
    "commitments:commitment_list": Access(VIEW),
    "commitments:commitment_detail": Access(DETAIL, kwargs=_pk, other_team=_other_pk, other_team_expected=OTHER_DETAIL),
    "commitments:commitment_ask": Access(
        ASK_PAGE,
        method="POST",
        kwargs=lambda w: {"opportunity": w.opportunity.pk},
        data=lambda w: {"feature": w.feature.pk, "note": "In the contract's annex."},
        other_team=lambda w: {"opportunity": w.other_opportunity.pk},
        other_team_expected=OTHER_ASK_PAGE,
    ),
    "commitments:commitment_approve": Access(
        ANSWER_PAGE,
        method="POST",
        kwargs=_pk,
        data=_answer,
        other_team=_other_pk,
        other_team_expected=OTHER_ANSWER_PAGE,
    ),
    "commitments:commitment_refuse": Access(
        ANSWER_PAGE,
        method="POST",
        kwargs=_pk,
        data=_answer,
        other_team=_other_pk,
        other_team_expected=OTHER_ANSWER_PAGE,
    ),
    "commitments:commitment_withdraw": Access(
        WITHDRAW_PAGE,
        method="POST",
        kwargs=_pk,
        data=_withdrawal,
        other_team=_other_pk,
        other_team_expected=OTHER_WITHDRAW_PAGE,
    ),
}

API: dict[str, Access] = {
    "commitments_commitment_list": Access(VIEW),
    "commitments_commitment_get": Access(
        DETAIL, kwargs=_api_pk, other_team=_api_other_pk, other_team_expected=OTHER_DETAIL
    ),
    "commitments_commitment_ask": Access(
        ASK_API,
        method="POST",
        data=lambda w: {"opportunity_id": w.opportunity.pk, "feature_id": w.feature.pk},
    ),
    "commitments_commitment_approve": Access(
        ANSWER_API,
        method="POST",
        kwargs=_api_pk,
        data=_answer,
        other_team=_api_other_pk,
        other_team_expected=OTHER_ANSWER_API,
    ),
    "commitments_commitment_refuse": Access(
        ANSWER_API,
        method="POST",
        kwargs=_api_pk,
        data=_answer,
        other_team=_api_other_pk,
        other_team_expected=OTHER_ANSWER_API,
    ),
    "commitments_commitment_withdraw": Access(
        WITHDRAW_API,
        method="POST",
        kwargs=_api_pk,
        data=_withdrawal,
        other_team=_api_other_pk,
        other_team_expected=OTHER_WITHDRAW_API,
    ),
}
