"""The commitments API: ask to promise a feature to a deal's account, approve or refuse, list — with
the pages' rules (a commitment is seen with its deal; approving is the right to plan the feature)."""

import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.commitments import services
from tandem.commitments.models import Commitment
from tandem.commitments.permissions import CommitmentsPermission
from tandem.commitments.selectors import (
    commitment_for_decision,
    commitment_for_withdrawal,
    commitment_get,
    commitment_rows,
)
from tandem.commitments.tracking import State, commitment_state, facts_of
from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.sales.selectors import opportunity_for_change

router = Router(tags=["commitments"])
StateName = Literal["requested", "refused", "withdrawn", "on_track", "at_risk", "delivered", "broken"]


class CommitmentOut(Schema):
    id: int
    opportunity_id: int
    account_id: int
    account_name: str
    feature_id: int
    feature_title: str
    due_date: datetime.date | None
    note: str
    status: str = Field(description="Product's answer: requested, approved or refused; or withdrawn by the rep.")
    state: StateName = Field(
        description="Where it stands today: requested, refused, withdrawn, on_track, at_risk, delivered or broken."
    )
    requested_by_id: int
    requested_at: datetime.datetime
    decided_by_id: int | None = Field(description="Null while awaiting approval, and when approved at once.")
    decided_at: datetime.datetime | None
    reason: str
    withdrawn_by_id: int | None
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str
    version: int = Field(description="Send it back when you approve, refuse or withdraw; a stale one gives 409.")


class CommitmentPageOut(Schema):
    items: list[CommitmentOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CommitmentListQuery(Schema):
    state: StateName | None = Field(None, description="Only commitments in this state today.")
    opportunity_id: Id | None = None
    account_id: Id | None = None
    feature_id: Id | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class CommitmentAskIn(Schema):
    opportunity_id: Id
    feature_id: Id
    due_date: datetime.date | None = Field(None, description="The date promised to the customer, if any.")
    note: str = Field("", max_length=text_limit(Commitment, "note"), description="What was promised.")


class CommitmentAnswerIn(Schema):
    version: int = Field(ge=1, le=2**31)
    reason: str = Field("", max_length=text_limit(Commitment, "reason"), description="Required to refuse.")


class CommitmentWithdrawIn(Schema):
    version: int = Field(ge=1, le=2**31)
    withdrawal_reason: str = Field(
        max_length=text_limit(Commitment, "withdrawal_reason"),
        description="Why: the customer no longer needs it, the deal was lost.",
    )


def _out(commitment: Commitment, today: datetime.date) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "opportunity_id": commitment.opportunity_id,
        "account_id": commitment.account_id,
        "account_name": commitment.account.name,
        "feature_id": commitment.feature_id,
        "feature_title": commitment.feature.title,
        "due_date": commitment.due_date,
        "note": commitment.note,
        "status": commitment.status,
        "state": commitment_state(facts_of(commitment), today=today).value,
        "requested_by_id": commitment.requested_by_id,
        "requested_at": commitment.requested_at,
        "decided_by_id": commitment.decided_by_id,
        "decided_at": commitment.decided_at,
        "reason": commitment.reason,
        "withdrawn_by_id": commitment.withdrawn_by_id,
        "withdrawn_at": commitment.withdrawn_at,
        "withdrawal_reason": commitment.withdrawal_reason,
        "version": commitment.version,
    }


@router.get(
    "/commitments",
    response={200: CommitmentPageOut, **ERRORS},
    operation_id="commitments_commitment_list",
    summary="List the commitments you may see (with their deals), soonest promised first",
)
def commitment_list(request: ApiRequest, params: Query[CommitmentListQuery]) -> dict[str, Any]:
    require(request.user, CommitmentsPermission.VIEW_COMMITMENTS)
    today = timezone.localdate()
    rows = commitment_rows(user=request.user, today=today, state=State(params.state) if params.state else None)
    for name in ("opportunity_id", "account_id", "feature_id"):
        if getattr(params, name) is not None:
            rows = rows.filter(**{name: getattr(params, name)})
    items, next_cursor = cursor_paginate(rows, order=["requested_at", "id"], cursor=params.cursor, limit=params.limit)
    return {"items": [_out(c, today) for c in items], "next_cursor": next_cursor}


@router.get(
    "/commitments/{commitment_id}",
    response={200: CommitmentOut, **ERRORS},
    operation_id="commitments_commitment_get",
    summary="One commitment, with where it stands today",
)
def commitment_get_one(request: ApiRequest, commitment_id: Id) -> dict[str, Any]:
    require(request.user, CommitmentsPermission.VIEW_COMMITMENTS)
    return _out(commitment_get(user=request.user, pk=commitment_id), timezone.localdate())


@router.post(
    "/commitments",
    response={201: CommitmentOut, **WRITE_ERRORS},
    operation_id="commitments_commitment_ask",
    summary="Ask to promise a feature to a deal's account, optionally by a date",
    description="Approved at once (status approved) when the sales roadmap commits the feature by that date; "
    "otherwise awaiting the approval of whoever may plan the feature.",
)
def commitment_ask(request: ApiRequest, payload: CommitmentAskIn) -> Status[dict[str, Any]]:
    require(request.user, CommitmentsPermission.ASK_COMMITMENT)
    deal = opportunity_for_change(user=request.user, pk=payload.opportunity_id)
    commitment = services.commitment_ask(
        actor=request.user,
        opportunity=deal,
        feature_id=payload.feature_id,
        due_date=payload.due_date,
        note=payload.note,
    )
    return Status(201, _out(commitment_get(user=request.user, pk=commitment.pk), timezone.localdate()))


def _answered(request: ApiRequest, commitment_id: int, payload: CommitmentAnswerIn, approve: bool) -> dict[str, Any]:
    require(request.user, CommitmentsPermission.VIEW_COMMITMENTS)
    commitment = commitment_for_decision(user=request.user, pk=commitment_id)
    answer = services.commitment_approve if approve else services.commitment_refuse
    answer(actor=request.user, commitment=commitment, expected_version=payload.version, reason=payload.reason)
    return _out(commitment_get(user=request.user, pk=commitment_id), timezone.localdate())


@router.post(
    "/commitments/{commitment_id}/approve",
    response={200: CommitmentOut, **WRITE_ERRORS},
    operation_id="commitments_commitment_approve",
    summary="Approve a commitment awaiting approval (403 naming who may, without the right to plan its feature)",
)
def commitment_approve(request: ApiRequest, commitment_id: Id, payload: CommitmentAnswerIn) -> dict[str, Any]:
    return _answered(request, commitment_id, payload, approve=True)


@router.post(
    "/commitments/{commitment_id}/refuse",
    response={200: CommitmentOut, **WRITE_ERRORS},
    operation_id="commitments_commitment_refuse",
    summary="Refuse a commitment awaiting approval, saying why",
)
def commitment_refuse(request: ApiRequest, commitment_id: Id, payload: CommitmentAnswerIn) -> dict[str, Any]:
    return _answered(request, commitment_id, payload, approve=False)


@router.post(
    "/commitments/{commitment_id}/withdraw",
    response={200: CommitmentOut, **WRITE_ERRORS},
    operation_id="commitments_commitment_withdraw",
    summary="Withdraw an open commitment, saying why (the deal's rep, their sales manager or an admin)",
    description="It leaves the open lists and its warnings stop; it stays in the history as withdrawn. "
    "A delivered, refused or already withdrawn commitment gives 422 on status.",
)
def commitment_withdraw(request: ApiRequest, commitment_id: Id, payload: CommitmentWithdrawIn) -> dict[str, Any]:
    require(request.user, CommitmentsPermission.ASK_COMMITMENT)
    commitment = commitment_for_withdrawal(user=request.user, pk=commitment_id)
    services.commitment_withdraw(
        actor=request.user,
        commitment=commitment,
        expected_version=payload.version,
        reason=payload.withdrawal_reason,
    )
    return _out(commitment_get(user=request.user, pk=commitment_id), timezone.localdate())
