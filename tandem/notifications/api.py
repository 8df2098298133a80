"""The notifications API: my notifications, and marking them read."""

import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from tandem.core.api import ERRORS, WRITE_ERRORS, cursor_paginate
from tandem.core.http import ApiRequest
from tandem.notifications import services
from tandem.notifications.models import Notification
from tandem.notifications.selectors import notification_get, notification_visible

router = Router(tags=["notifications"])

NotificationKind = Literal["decision", "escalation", "release_shipped", "commitment", "digest"]


class NotificationLinkOut(Schema):
    label: str
    url: str


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    title: str
    body: str
    url: str = Field(description="Site path the notification leads to; empty when none.")
    links: list[NotificationLinkOut] = Field(description="Records to act on, e.g. the deals to re-engage.")
    created_at: datetime.datetime
    read_at: datetime.datetime | None

    @staticmethod
    def resolve_links(obj: Notification) -> list[dict[str, str]]:
        return [{"label": label, "url": url} for label, url in obj.links]


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class NotificationListQuery(Schema):
    unread: bool | None = Field(None, description="Only unread (true) or only read (false) notifications.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read.")


@router.get(
    "/notifications",
    response={200: NotificationPageOut, **ERRORS},
    operation_id="notifications_notification_list",
    summary="List my notifications, newest first",
)
def notification_list(request: ApiRequest, params: Query[NotificationListQuery]) -> dict[str, Any]:
    notifications = notification_visible(user=request.user)
    if params.unread is not None:
        notifications = notifications.filter(read_at__isnull=params.unread)
    items, next_cursor = cursor_paginate(
        notifications, order=["-created_at", "-id"], cursor=params.cursor, limit=params.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    operation_id="notifications_notification_read",
    summary="Mark one of my notifications read",
)
def notification_read(request: ApiRequest, notification_id: int) -> Notification:
    notification = notification_get(user=request.user, pk=notification_id)
    return services.notification_mark_read(actor=request.user, notification=notification)


@router.post(
    "/notifications/read",
    response={200: ReadAllOut, **WRITE_ERRORS},
    operation_id="notifications_notification_read_all",
    summary="Mark all my notifications read",
)
def notification_read_all(request: ApiRequest) -> dict[str, int]:
    return {"marked": services.notification_mark_all_read(actor=request.user)}
