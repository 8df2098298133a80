"""The decisions API: decisions on features and asks, the decision rights, and escalations.

The same rules as the pages: a decision from someone without the right is refused with 403 and
a detail naming who holds it.
"""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.asks.models import Decision
from tandem.asks.selectors import ask_visible, decision_visible
from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, errors_renamed
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.decisions import services
from tandem.decisions.models import DecisionRight, Escalation
from tandem.decisions.permissions import DecisionsPermission
from tandem.decisions.rights import decision_rights_all
from tandem.decisions.selectors import escalation_filtered, escalation_get, escalation_visible
from tandem.people.models import User
from tandem.product.models import Release
from tandem.product.selectors import feature_visible, release_visible

router = Router(tags=["decisions"])

# Spelled out (a test checks them against the model's choices): enums named `Status` in several
# models would collide in the OpenAPI document.
DecisionOutcome = Literal["planned", "declined", "needs_info", "later"]
DecisionTypeName = Literal["planned", "declined", "needs_info", "later", "escalation_ruling"]
RoleName = Literal["rep", "sales_manager", "product_manager", "engineering_lead", "executive", "admin"]
EscalationStatus = Literal["open", "ruled"]
EscalationFilter = Literal["open", "overdue", "ruled"]
API_FIELD_NAMES = {"release": "release_id", "executive": "executive_id", "feature": "feature_id", "ask": "ask_id"}


class DecisionOut(Schema):
    id: int
    feature_id: int | None
    ask_id: int | None
    outcome: DecisionOutcome
    release_id: int | None
    rationale: str
    decided_by_id: int
    decided_by_name: str
    decided_at: datetime.datetime

    @staticmethod
    def resolve_decided_by_name(obj: Decision) -> str:
        return str(obj.decided_by)


class DecisionPageOut(Schema):
    items: list[DecisionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class DecisionListQuery(Schema):
    feature_id: Id | None = Field(None, description="Decisions on this feature.")
    ask_id: Id | None = Field(None, description="Decisions on this ask.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class DecisionIn(Schema):
    feature_id: Id | None = Field(None, description="Decide on this feature (or give ask_id).")
    ask_id: Id | None = Field(None, description="Decide on this ask (or give feature_id).")
    outcome: DecisionOutcome
    rationale: str = Field(
        min_length=1, max_length=text_limit(Decision, "rationale"), description="Why; the requesting reps receive it."
    )
    release_id: Id | None = Field(
        None, description="Required when planned: a planned release of the feature's product."
    )


class DecisionRightOut(Schema):
    decision_type: DecisionTypeName
    deciding_roles: list[RoleName]
    consulted_roles: list[RoleName]
    informed_roles: list[RoleName]
    managers_own_products_only: bool


class DecisionRightIn(Schema):
    deciding_roles: list[RoleName] = Field(min_length=1)
    consulted_roles: list[RoleName] = []
    informed_roles: list[RoleName] = []
    managers_own_products_only: bool = True


class EscalationOut(Schema):
    id: int
    ask_id: int
    escalated_by_id: int
    reason: str
    escalated_at: datetime.datetime
    due_date: datetime.date
    executive_id: int | None = Field(description="Null: any executive may rule.")
    status: EscalationStatus
    overdue: bool
    ruling: DecisionOut | None

    @staticmethod
    def resolve_overdue(obj: Escalation) -> bool:
        return obj.status == Escalation.Status.OPEN and obj.due_date < timezone.localdate()


class EscalationPageOut(Schema):
    items: list[EscalationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class EscalationListQuery(Schema):
    status: EscalationFilter | None = Field(None, description="open, overdue (open past its due date) or ruled.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class EscalationIn(Schema):
    ask_id: Id
    reason: str = Field(min_length=1, max_length=text_limit(Escalation, "reason"))
    executive_id: Id | None = Field(None, description="The executive to rule; omit for any executive.")
    due_date: datetime.date | None = Field(None, description="Default: five business days from today.")


class RulingIn(Schema):
    outcome: DecisionOutcome
    rationale: str = Field(min_length=1, max_length=text_limit(Decision, "rationale"))
    release_id: Id | None = None


def _release(request: ApiRequest, release_id: int | None) -> Release | None:
    if release_id is None:
        return None
    release = release_visible(user=request.user).filter(pk=release_id).first()
    if release is None:
        raise ValidationError({"release_id": [f"There is no release {release_id}."]})
    return release


def _decisions(request: ApiRequest) -> QuerySet[Decision]:
    return decision_visible(user=request.user).select_related("decided_by")


@router.get(
    "/decisions",
    response={200: DecisionPageOut, **ERRORS},
    operation_id="decisions_decision_list",
    summary="List the decisions you may see, newest first, for a feature or an ask",
)
def decision_list(request: ApiRequest, params: Query[DecisionListQuery]) -> dict[str, Any]:
    decisions = _decisions(request)
    if params.feature_id is not None:
        decisions = decisions.filter(feature_id=params.feature_id)
    if params.ask_id is not None:
        decisions = decisions.filter(ask_id=params.ask_id)
    items, next_cursor = cursor_paginate(
        decisions, order=["-decided_at", "-id"], cursor=params.cursor, limit=params.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/decisions",
    response={201: DecisionOut, **WRITE_ERRORS},
    operation_id="decisions_decision_create",
    summary="Decide on a feature or an ask (refused with 403, naming who holds the right, without it)",
)
def decision_create(request: ApiRequest, payload: DecisionIn) -> Status[Decision]:
    if (payload.feature_id is None) == (payload.ask_id is None):
        raise ValidationError({"feature_id": ["Give a feature_id or an ask_id, not both."]})
    subject: dict[str, Any] = {}
    if payload.feature_id is not None:
        feature = feature_visible(user=request.user).filter(pk=payload.feature_id).first()
        if feature is None:
            raise ValidationError({"feature_id": [f"There is no feature {payload.feature_id}."]})
        subject["feature"] = feature
    elif payload.ask_id is not None:
        ask = ask_visible(user=request.user).filter(pk=payload.ask_id).first()
        if ask is None:
            raise ValidationError({"ask_id": [f"There is no ask {payload.ask_id}."]})
        subject["ask"] = ask
    try:
        decision = services.decision_record(
            actor=request.user,
            outcome=payload.outcome,
            rationale=payload.rationale,
            release=_release(request, payload.release_id),
            **subject,
        )
    except ValidationError as exc:
        raise errors_renamed(exc, API_FIELD_NAMES) from exc
    return Status(201, decision)


@router.get(
    "/decision-rights",
    response={200: list[DecisionRightOut], **ERRORS},
    operation_id="decisions_right_list",
    summary="The workspace's decision rights: who decides, is consulted and is informed, per decision type",
)
def decision_right_list(request: ApiRequest) -> list[DecisionRight]:
    return list(decision_rights_all().values())


@router.put(
    "/decision-rights/{decision_type}",
    response={200: DecisionRightOut, **WRITE_ERRORS},
    operation_id="decisions_right_update",
    summary="Change the decision right of one decision type (admins and executives)",
)
def decision_right_update(
    request: ApiRequest, decision_type: DecisionTypeName, payload: DecisionRightIn
) -> DecisionRight:
    return services.decision_right_update(actor=request.user, decision_type=decision_type, **payload.dict())


@router.get(
    "/escalations",
    response={200: EscalationPageOut, **ERRORS},
    operation_id="decisions_escalation_list",
    summary="List the escalations you may see, soonest due first",
)
def escalation_list(request: ApiRequest, params: Query[EscalationListQuery]) -> dict[str, Any]:
    escalations = escalation_filtered(
        escalation_visible(user=request.user).select_related("ruling__decided_by"),
        status=params.status,
        today=timezone.localdate(),
    )
    items, next_cursor = cursor_paginate(
        escalations, order=["due_date", "id"], cursor=params.cursor, limit=params.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/escalations",
    response={201: EscalationOut, **WRITE_ERRORS},
    operation_id="decisions_escalation_create",
    summary="Escalate a declined or deferred ask of your team to an executive (sales managers)",
)
def escalation_create(request: ApiRequest, payload: EscalationIn) -> Status[Escalation]:
    require(request.user, DecisionsPermission.ESCALATE)
    ask = ask_visible(user=request.user).filter(pk=payload.ask_id).first()
    if ask is None:
        raise ValidationError({"ask_id": [f"There is no ask {payload.ask_id}."]})
    executive = None
    if payload.executive_id is not None:
        executive = User.objects.filter(pk=payload.executive_id).first()
        if executive is None:
            raise ValidationError({"executive_id": [f"There is no user {payload.executive_id}."]})
    try:
        escalation = services.escalation_create(
            actor=request.user, ask=ask, reason=payload.reason, executive=executive, due_date=payload.due_date
        )
    except ValidationError as exc:
        raise errors_renamed(exc, API_FIELD_NAMES) from exc
    return Status(201, escalation)


@router.post(
    "/escalations/{escalation_id}/ruling",
    response={201: DecisionOut, **WRITE_ERRORS},
    operation_id="decisions_escalation_rule",
    summary="Rule on an open escalation: a decision on its ask that closes it (executives)",
)
def escalation_rule(request: ApiRequest, escalation_id: int, payload: RulingIn) -> Status[Decision]:
    escalation = escalation_get(user=request.user, pk=escalation_id)
    if escalation.status != Escalation.Status.OPEN:
        raise ValidationError({"__all__": ["This escalation has been ruled on already."]})
    try:
        decision = services.decision_record(
            actor=request.user,
            ask=escalation.ask,
            outcome=payload.outcome,
            rationale=payload.rationale,
            release=_release(request, payload.release_id),
        )
    except ValidationError as exc:
        raise errors_renamed(exc, API_FIELD_NAMES) from exc
    return Status(201, decision)
