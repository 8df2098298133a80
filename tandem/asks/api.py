"""The asks API: customer evidence, logged by sales and read under the same visibility rules as the pages."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from tandem.asks import services
from tandem.asks.filters import AskFilter
from tandem.asks.models import Ask
from tandem.asks.permissions import AsksPermission
from tandem.asks.selectors import ask_visible
from tandem.core.api import ERRORS, WRITE_ERRORS, cursor_paginate, filterset_apply
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.product.selectors import feature_visible
from tandem.sales.selectors import account_visible, opportunity_visible

router = Router(tags=["asks"])

# Spelled out (a test checks them against the model's choices): enums named `Status` in several
# models would collide in the OpenAPI document.
AskImportance = Literal["nice_to_have", "important", "blocker"]
AskSource = Literal["call", "demo", "email", "support", "rfp"]
AskStatus = Literal["new", "linked", "merged", "closed"]


class AskOut(Schema):
    id: int
    account_id: int
    account_name: str
    opportunity_id: int | None
    feature_id: int | None = Field(description="Null as well when the feature is internal and you are in sales.")
    requested_by_id: int
    need: str
    why: str
    importance: AskImportance
    source: AskSource
    status: AskStatus
    created_at: datetime.datetime

    @staticmethod
    def resolve_account_name(obj: Ask) -> str:
        return obj.account.name

    @staticmethod
    def resolve_feature_id(obj: Ask) -> int | None:
        return obj.feature_id if obj.feature_shared else None  # type: ignore[attr-defined]


class AskPageOut(Schema):
    items: list[AskOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AskListQuery(Schema):
    importance: AskImportance | None = None
    status: AskStatus | None = None
    product: int | None = Field(None, description="Asks linked to features of this product.")
    q: str | None = Field(None, description="Need contains.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class AskIn(Schema):
    account_id: int
    opportunity_id: int | None = None
    need: str = Field(min_length=1, description="What the customer needs, in their words.")
    why: str = ""
    importance: AskImportance = "important"
    source: AskSource = "call"
    feature_id: int | None = None


RELATIONS = {"account": "account_id", "opportunity": "opportunity_id", "feature": "feature_id"}


def _asks(request: ApiRequest) -> QuerySet[Ask]:
    """Visible asks, marked with whether their feature is one the user sees (sales: not internal ones)."""
    user = request.user
    shared = Exists(feature_visible(user=user).filter(pk=OuterRef("feature_id")))
    return ask_visible(user=user).annotate(feature_shared=shared).select_related("account")


@router.get(
    "/asks",
    response={200: AskPageOut, **ERRORS, 422: WRITE_ERRORS[422]},
    operation_id="asks_ask_list",
    summary="List the asks you may see, newest first",
)
def ask_list(request: ApiRequest, params: Query[AskListQuery]) -> dict[str, Any]:
    filters = params.dict(include={"importance", "status", "product", "q"}, exclude_none=True)
    asks = filterset_apply(AskFilter, filters, queryset=_asks(request), request=request)
    items, next_cursor = cursor_paginate(asks, order=["-created_at", "-id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/asks/{ask_id}",
    response={200: AskOut, **ERRORS},
    operation_id="asks_ask_get",
    summary="Get one ask",
)
def ask_get(request: ApiRequest, ask_id: int) -> Ask:
    return get_object_or_404(_asks(request), pk=ask_id)


@router.post(
    "/asks",
    response={201: AskOut, **WRITE_ERRORS},
    operation_id="asks_ask_create",
    summary="Log a customer ask on an account, usually on one of its deals",
)
def ask_create(request: ApiRequest, payload: AskIn) -> Status[Ask]:
    user = request.user
    require(user, AsksPermission.LOG_ASK)  # before looking anything up: a role that may not log gets 403, not 422
    errors: dict[str, list[str]] = {}
    account = account_visible(user=user).filter(pk=payload.account_id).first()
    if account is None:
        errors["account_id"] = [f"There is no account {payload.account_id}."]
    opportunity = None
    if payload.opportunity_id is not None:
        opportunity = opportunity_visible(user=user).filter(pk=payload.opportunity_id).first()
        if opportunity is None:
            errors["opportunity_id"] = [f"There is no deal {payload.opportunity_id}."]
    feature = None
    if payload.feature_id is not None:
        feature = feature_visible(user=user).filter(pk=payload.feature_id).first()
        if feature is None:
            errors["feature_id"] = [f"There is no feature {payload.feature_id}."]
    if errors or account is None:
        raise ValidationError(errors)
    try:
        ask = services.ask_create(
            actor=user,
            account=account,
            opportunity=opportunity,
            need=payload.need,
            why=payload.why,
            importance=payload.importance,
            source=payload.source,
            feature=feature,
        )
    except ValidationError as exc:
        # Relations are sent as ids; service errors name the model field, so rename them to what was sent.
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {RELATIONS.get(name, name): messages for name, messages in exc.error_dict.items()}
        raise ValidationError(renamed) from exc
    return Status(201, _asks(request).get(pk=ask.pk))
