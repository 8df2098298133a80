"""The asks API: customer evidence, logged by sales and read under the same visibility rules as the pages."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from tandem.asks import services
from tandem.asks.filters import AskFilter
from tandem.asks.models import Ask
from tandem.asks.permissions import AsksPermission
from tandem.asks.selectors import ask_rows, ask_suggestions, ask_visible
from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, errors_renamed, filterset_apply, row_or_404
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible, product_visible
from tandem.sales.selectors import account_visible, opportunity_visible

router = Router(tags=["asks"])

# Spelled out (a test checks them against the model's choices): enums named `Status` in several
# models would collide in the OpenAPI document.
AskImportance = Literal["nice_to_have", "important", "blocker"]
AskSource = Literal["call", "demo", "email", "support", "rfp"]
AskStatus = Literal["new", "linked", "merged", "closed"]
AskOutcome = Literal["", "planned", "needs_info", "later", "declined", "shipped"]
AskLoopStatus = Literal["new", "linked", "merged", "planned", "needs_info", "later", "declined", "shipped", "closed"]
AskStatusFilter = Literal[
    "new", "linked", "merged", "planned", "needs_info", "later", "declined", "shipped", "closed", "declined_or_later"
]
AskSegment = Literal["smb", "mid_market", "enterprise"]


# Answers are plain dicts (`_ask_out`) validated by plain pydantic models, in Rust: ninja's Schema
# wraps every value of every row in its ORM getter, most of a list's time in the API.
class AskOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    opportunity_id: int | None = Field(
        description="The deal it was logged on; null as well when that is a colleague's deal you do not see."
    )
    on_a_deal: bool = Field(description="Whether it was logged on a deal (yours to see or not).")
    feature_id: int | None = Field(
        description="Sales sees the features its customers asked for; internal ones only in their sales view."
    )
    requested_by_id: int
    need: str
    why: str
    importance: AskImportance
    source: AskSource
    status: AskStatus = Field(description="Where triage stands: waiting (new), linked to a feature, or merged.")
    outcome: AskOutcome = Field(
        description="What product decided or shipped for it (empty until then); `later` reads as deferred."
    )
    loop_status: AskLoopStatus = Field(
        description="The one status every page shows: the outcome once there is one, else `status`."
    )
    duplicate_of_id: int | None = Field(description="The original ask, when this one is merged into it.")
    value: Decimal | None = Field(
        description="What the ask is worth to sales, in the home currency: its deal's amount, or without a deal "
        "its account's annual revenue; null when the deal is a colleague's you do not see."
    )
    created_at: datetime.datetime


# The ask's own columns in AskOut, read off the model as they are.
ASK_COLUMNS = (
    "id", "account_id", "opportunity_id", "requested_by_id", "need", "why", "importance", "source", "status",
    "outcome", "duplicate_of_id", "created_at", "feature_id",
)  # fmt: skip


def _ask_out(row: dict[str, Any]) -> AskOut:
    """One row of `_ask_rows`."""
    return AskOut.model_validate(
        {
            **{name: row[name] for name in ASK_COLUMNS},
            "account_name": row["account_name"],
            # A colleague's deal reached through the ask: that there is one, not which or how much.
            "opportunity_id": row["opportunity_id"] if row["deal_seen"] else None,
            "on_a_deal": row["opportunity_id"] is not None,
            "value": row["value_home"] if row["deal_seen"] or row["opportunity_id"] is None else None,
            "loop_status": row["outcome"] or row["status"],
        }
    )


class AskPageOut(BaseModel):
    items: list[AskOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AskListQuery(Schema):
    importance: AskImportance | None = None
    status: AskStatusFilter | None = Field(
        None,
        description="The status every page shows (`loop_status`); `new` lists the triage inbox's undecided asks, "
        "`declined_or_later` the answers a sales manager may escalate.",
    )
    escalation: Literal["none", "open", "ruled"] | None = Field(
        None, description="Never escalated, escalated and waiting for an executive, or ruled."
    )
    product: Id | None = Field(
        None, description="Asks on features of this product (for new asks: the feature the rep attached)."
    )
    segment: AskSegment | None = Field(None, description="The segment of the ask's account.")
    rep: Id | None = Field(None, description="Asks logged by this user.")
    q: str | None = Field(None, description="Need contains.")
    order: Literal["newest", "value"] = Field(
        "newest", description="Newest first, or most valuable first (see `value`); ties newest id first."
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


ORDERS = {"newest": ["-created_at", "-id"], "value": ["-value_home", "-id"]}


class AskIn(Schema):
    account_id: Id
    opportunity_id: Id | None = None
    need: str = Field(
        min_length=1, max_length=text_limit(Ask, "need"), description="What the customer needs, in their words."
    )
    why: str = Field("", max_length=text_limit(Ask, "why"))
    importance: AskImportance = "important"
    source: AskSource = "call"
    feature_id: Id | None = None


RELATIONS = {"account": "account_id", "opportunity": "opportunity_id", "feature": "feature_id"}


@contextmanager
def errors_renamed_to(names: dict[str, str]) -> Iterator[None]:
    """Relations are sent as ids; service errors name the model field, so rename them to what was sent."""
    try:
        yield
    except ValidationError as error:
        raise errors_renamed(error, names) from error


def _ask(request: ApiRequest, ask_id: int) -> Ask:
    return get_object_or_404(ask_visible(user=request.user), pk=ask_id)


def _ask_rows(request: ApiRequest) -> "QuerySet[Ask, dict[str, Any]]":
    """Visible asks as the values AskOut shows: no model instances, which were most of a list's CPU
    (five models a row)."""
    return ask_rows(user=request.user).values(*ASK_COLUMNS, "value_home", "deal_seen", account_name=F("account__name"))


def _ask_answer(request: ApiRequest, ask_id: int) -> AskOut:
    return _ask_out(row_or_404(_ask_rows(request), ask_id))


@router.get(
    "/asks",
    response={200: AskPageOut, **ERRORS},
    operation_id="asks_ask_list",
    summary="List the asks you may see, newest or most valuable first",
    description="With `status=new` this is the triage inbox.",
)
def ask_list(request: ApiRequest, params: Query[AskListQuery]) -> AskPageOut:
    filters = params.dict(
        include={"importance", "status", "escalation", "product", "segment", "rep", "q"}, exclude_none=True
    )
    asks = filterset_apply(AskFilter, filters, queryset=_ask_rows(request), request=request)
    items, next_cursor = cursor_paginate(asks, order=ORDERS[params.order], cursor=params.cursor, limit=params.limit)
    return AskPageOut(items=[_ask_out(ask) for ask in items], next_cursor=next_cursor)


@router.get(
    "/asks/{ask_id}",
    response={200: AskOut, **ERRORS},
    operation_id="asks_ask_get",
    summary="Get one ask",
)
def ask_get(request: ApiRequest, ask_id: int) -> AskOut:
    return _ask_answer(request, ask_id)


@router.post(
    "/asks",
    response={201: AskOut, **WRITE_ERRORS},
    operation_id="asks_ask_create",
    summary="Log a customer ask on an account, usually on one of its deals",
)
def ask_create(request: ApiRequest, payload: AskIn) -> Status[AskOut]:
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
    with errors_renamed_to(RELATIONS):
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
    return Status(201, _ask_answer(request, ask.pk))


# Triage: suggestions, link, merge, create a feature. The ask must be visible (404), then the
# caller must be a triager (403); `expected_status` guards against another PM's triage (409).

EXPECTED_STATUS: Any = Field(
    "new",
    description="The status you saw; the ask changes only if it still has it, else 409 (someone else triaged "
    "it). Null to skip the check, e.g. to move a linked ask.",
)


class SuggestionOut(Schema):
    kind: Literal["feature", "ask"]
    feature_id: int | None
    feature_title: str | None
    ask_id: int | None
    ask_need: str | None
    score: float = Field(description="How likely it is the same need, from 0 to 1.")
    reason: str


class AskLinkIn(Schema):
    feature_id: Id
    expected_status: AskStatus | None = EXPECTED_STATUS


class AskMergeIn(Schema):
    original_id: Id = Field(description="The ask this one duplicates; it keeps the evidence of both.")
    expected_status: AskStatus | None = EXPECTED_STATUS


class FeatureFromAskIn(Schema):
    product_id: Id
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=text_limit(Feature, "description"))
    expected_status: AskStatus | None = EXPECTED_STATUS


def _triager_ask(request: ApiRequest, ask_id: int) -> Ask:
    ask = _ask(request, ask_id)
    require(request.user, AsksPermission.TRIAGE)
    return ask


@router.get(
    "/asks/{ask_id}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    operation_id="asks_ask_suggestions",
    summary="The features and asks most likely to be the same need, best first, with the reason",
)
def ask_suggestions_list(request: ApiRequest, ask_id: int) -> list[dict[str, Any]]:
    ask = _triager_ask(request, ask_id)
    return [
        {
            "kind": s.kind,
            "feature_id": s.feature.pk if s.feature else None,
            "feature_title": s.feature.title if s.feature else None,
            "ask_id": s.ask.pk if s.ask else None,
            "ask_need": s.ask.need if s.ask else None,
            "score": s.score,
            "reason": s.reason,
        }
        for s in ask_suggestions(user=request.user, ask=ask, limit=5)
    ]


@router.post(
    "/asks/{ask_id}/link",
    response={200: AskOut, **WRITE_ERRORS},
    operation_id="asks_ask_link",
    summary="Link an ask (and its merged duplicates) to a feature",
)
def ask_link(request: ApiRequest, ask_id: int, payload: AskLinkIn) -> AskOut:
    ask = _triager_ask(request, ask_id)
    feature = feature_visible(user=request.user).filter(pk=payload.feature_id).first()
    if feature is None:
        raise ValidationError({"feature_id": [f"There is no feature {payload.feature_id}."]})
    with errors_renamed_to(RELATIONS):
        services.ask_link(actor=request.user, ask=ask, feature=feature, expected_status=payload.expected_status)
    return _ask_answer(request, ask_id)


@router.post(
    "/asks/{ask_id}/merge",
    response={200: AskOut, **WRITE_ERRORS},
    operation_id="asks_ask_merge",
    summary="Merge a duplicate ask into its original; it takes the original's feature and keeps its evidence",
)
def ask_merge(request: ApiRequest, ask_id: int, payload: AskMergeIn) -> AskOut:
    ask = _triager_ask(request, ask_id)
    original = ask_visible(user=request.user).filter(pk=payload.original_id).first()
    if original is None:
        raise ValidationError({"original_id": [f"There is no ask {payload.original_id}."]})
    with errors_renamed_to({"original": "original_id", "duplicate": "__all__"}):
        services.ask_merge(
            actor=request.user, duplicate=ask, original=original, expected_status=payload.expected_status
        )
    return _ask_answer(request, ask_id)


@router.post(
    "/asks/{ask_id}/feature",
    response={201: AskOut, **WRITE_ERRORS},
    operation_id="asks_ask_feature_create",
    summary="Create a feature from an ask and link the ask to it",
)
def ask_feature_create(request: ApiRequest, ask_id: int, payload: FeatureFromAskIn) -> Status[AskOut]:
    ask = _triager_ask(request, ask_id)
    product = product_visible(user=request.user).filter(pk=payload.product_id).first()
    if product is None:
        raise ValidationError({"product_id": [f"There is no product {payload.product_id}."]})
    with errors_renamed_to({"product": "product_id", "ask": "__all__"}):
        services.feature_create_from_ask(
            actor=request.user,
            ask=ask,
            product=product,
            title=payload.title,
            description=payload.description,
            expected_status=payload.expected_status,
        )
    return Status(201, _ask_answer(request, ask_id))
