"""Webhooks through the API, for admins: subscriptions (list, add, read, change, delete), each one's
delivery log (cursor pages, newest first) and replaying a delivery."""

import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status

from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, omittable
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.webhooks import services
from tandem.webhooks.models import Delivery, Subscription
from tandem.webhooks.permissions import WebhooksPermission
from tandem.webhooks.selectors import (
    delivery_get,
    delivery_visible,
    subscription_for_change,
    subscription_get,
    subscription_visible,
)

router = Router(tags=["webhooks"])
P = WebhooksPermission

# Spelled out for the OpenAPI document; a test checks them against `Event`.
EventName = Literal[
    "ask.logged",
    "decision.taken",
    "escalation.raised",
    "escalation.ruled",
    "release.shipped",
    "commitment.at_risk",
    "deal.stage_changed",
]
DeliveryStatus = Literal["pending", "retrying", "delivered", "failed"]


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[EventName]
    slack_format: bool = Field(description='True: the body is {"text": …}, what a Slack incoming webhook accepts.')
    is_active: bool
    secret: str = Field(description="Signs each delivery: X-Tandem-Signature is sha256=HMAC(secret, timestamp.body).")
    created_at: datetime.datetime
    version: int


class WebhookPageOut(Schema):
    items: list[WebhookOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class WebhookIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, max_length=2000, description="http:// or https:// address of a public host.")
    events: list[EventName] = Field(min_length=1)
    slack_format: bool = False
    is_active: bool = True


class WebhookPatch(Schema):
    version: int = Field(ge=0, le=2**31 - 1)
    name: str = omittable(min_length=1, max_length=100)
    url: str = omittable(min_length=1, max_length=2000)
    events: list[EventName] = omittable(min_length=1)
    slack_format: bool = omittable()
    is_active: bool = omittable()


class WebhookPageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class WebhookDeliveryOut(Schema):
    id: int
    subscription_id: int
    event: EventName
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime.datetime | None
    response_status: int | None = Field(description="The receiver's HTTP status at the last attempt.")
    error: str = Field(description="Why the last attempt failed; empty when it did not.")
    payload: dict[str, Any]
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    replay_of_id: int | None


class WebhookDeliveryPageOut(Schema):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None


@router.get(
    "/webhooks",
    response={200: WebhookPageOut, **ERRORS},
    operation_id="webhooks_subscription_list",
    summary="List the webhooks (admins)",
)
def subscription_list(request: ApiRequest, params: Query[WebhookPageQuery]) -> dict[str, Any]:
    require(request.user, P.MANAGE_WEBHOOKS)
    items, next_cursor = cursor_paginate(
        subscription_visible(user=request.user), order=["id"], cursor=params.cursor, limit=params.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/webhooks",
    response={201: WebhookOut, **WRITE_ERRORS},
    operation_id="webhooks_subscription_create",
    summary="Add a webhook (admins)",
)
def subscription_create(request: ApiRequest, payload: WebhookIn) -> Status[Subscription]:
    require(request.user, P.MANAGE_WEBHOOKS)
    return Status(201, services.subscription_create(actor=request.user, **payload.dict()))


@router.get(
    "/webhooks/{subscription_id}",
    response={200: WebhookOut, **ERRORS},
    operation_id="webhooks_subscription_get",
    summary="Read a webhook (admins)",
)
def subscription_read(request: ApiRequest, subscription_id: Id) -> Subscription:
    require(request.user, P.MANAGE_WEBHOOKS)
    return subscription_get(user=request.user, pk=subscription_id)


@router.patch(
    "/webhooks/{subscription_id}",
    response={200: WebhookOut, **WRITE_ERRORS},
    operation_id="webhooks_subscription_update",
    summary="Change a webhook, from the version read (admins)",
)
def subscription_update(request: ApiRequest, subscription_id: Id, payload: WebhookPatch) -> Subscription:
    require(request.user, P.MANAGE_WEBHOOKS)
    subscription = subscription_for_change(user=request.user, pk=subscription_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.subscription_update(
        actor=request.user, subscription=subscription, expected_version=version, data=data
    )


@router.delete(
    "/webhooks/{subscription_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="webhooks_subscription_delete",
    summary="Delete a webhook and its delivery log (admins)",
)
def subscription_delete(request: ApiRequest, subscription_id: Id) -> Status[None]:
    require(request.user, P.MANAGE_WEBHOOKS)
    subscription = subscription_for_change(user=request.user, pk=subscription_id)
    services.subscription_delete(actor=request.user, subscription=subscription)
    return Status(204, None)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response={200: WebhookDeliveryPageOut, **ERRORS},
    operation_id="webhooks_delivery_list",
    summary="A webhook's deliveries, newest first (admins)",
)
def delivery_list(request: ApiRequest, subscription_id: Id, params: Query[WebhookPageQuery]) -> dict[str, Any]:
    require(request.user, P.MANAGE_WEBHOOKS)
    subscription = subscription_get(user=request.user, pk=subscription_id)
    deliveries = delivery_visible(user=request.user).filter(subscription=subscription)
    items, next_cursor = cursor_paginate(deliveries, order=["-id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/webhooks/deliveries/{delivery_id}/replay",
    response={201: WebhookDeliveryOut, **WRITE_ERRORS},
    operation_id="webhooks_delivery_replay",
    summary="Send a delivery's event again, as a new delivery (admins)",
)
def delivery_replay(request: ApiRequest, delivery_id: Id) -> Status[Delivery]:
    require(request.user, P.MANAGE_WEBHOOKS)
    delivery = delivery_get(user=request.user, pk=delivery_id)
    return Status(201, services.delivery_replay(actor=request.user, delivery=delivery))
