"""The JSON API of notes, calls and meetings on deals, with the deal page's read and write rules."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from tandem.activities import services
from tandem.activities.models import BODY_LIMIT, EARLIEST_YEAR, LATEST_YEAR, WHEN_OUT_OF_RANGE, Activity
from tandem.activities.permissions import ActivitiesPermission
from tandem.activities.selectors import activity_for_change, activity_rows
from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, errors_renamed, omittable
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.sales.models import Contact
from tandem.sales.selectors import contact_visible, opportunity_for_change, opportunity_get

router = Router(tags=["activities"])


def _within_range(when: datetime.datetime) -> datetime.datetime:
    """A time with its zone (UTC when none is given), within the years a deal can span."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise ValueError(WHEN_OUT_OF_RANGE)
    return when.astimezone(datetime.UTC)


When = Annotated[datetime.datetime, AfterValidator(_within_range)]
P = ActivitiesPermission


class ActivityOut(Schema):
    id: int
    opportunity_id: int
    kind: Activity.Kind
    occurred_at: datetime.datetime
    text: str = Field(..., description="What was said, decided or learnt.")
    contact_ids: list[int]
    author_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(..., description="Send it back with a PATCH; a stale one gives 409.")

    @staticmethod
    def resolve_text(activity: Activity) -> str:
        return activity.body

    @staticmethod
    def resolve_contact_ids(activity: Activity) -> list[int]:
        return [contact.pk for contact in activity.contacts.all()]


class ActivityIn(Schema):
    kind: Activity.Kind
    text: str = Field(..., min_length=1, max_length=BODY_LIMIT, description="What was said, decided or learnt.")
    occurred_at: When | None = Field(None, description="Defaults to now; a later time is planned.")
    contact_ids: list[Id] = Field(default_factory=list, max_length=100, description="People of the deal's account.")


class ActivityPatch(Schema):
    version: int = Field(..., description="The version you read; a stale one gives 409 and changes nothing.")
    kind: Activity.Kind = omittable()
    text: str = omittable(min_length=1, max_length=BODY_LIMIT)
    occurred_at: When = omittable()
    contact_ids: list[Id] = omittable(max_length=100)


class ActivityListIn(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


def _contacts(request: ApiRequest, ids: list[int]) -> list[Contact]:
    found = list(contact_visible(user=request.user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"contact_ids": ["Name people of the deal's account that you can see."]})
    return found


def _answer(request: ApiRequest, pk: int) -> Activity:
    return activity_rows(user=request.user).get(pk=pk)


NAMES = {"contacts": "contact_ids", "body": "text"}


@router.get(
    "/opportunities/{opportunity_id}/activities",
    response={200: ActivityPage, **ERRORS},
    operation_id="activities_activity_list",
    summary="The notes, calls and meetings of a deal, newest first",
)
def activity_list(request: ApiRequest, opportunity_id: int, params: Query[ActivityListIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_ACTIVITIES)
    deal = opportunity_get(user=request.user, pk=opportunity_id)
    rows = activity_rows(user=request.user).filter(opportunity=deal)
    items, next_cursor = cursor_paginate(rows, order=["-occurred_at", "-id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/opportunities/{opportunity_id}/activities",
    response={201: ActivityOut, **WRITE_ERRORS},
    operation_id="activities_activity_create",
    summary="Log a note, call or meeting on a deal you may change",
)
def activity_create(request: ApiRequest, opportunity_id: int, payload: ActivityIn) -> Status[Activity]:
    require(request.user, P.LOG_ACTIVITY)
    deal = opportunity_for_change(user=request.user, pk=opportunity_id)
    try:
        activity = services.activity_create(
            actor=request.user,
            opportunity=deal,
            kind=payload.kind,
            body=payload.text,
            occurred_at=payload.occurred_at,
            contacts=_contacts(request, payload.contact_ids),
        )
    except ValidationError as error:
        raise errors_renamed(error, NAMES) from error
    return Status(201, _answer(request, activity.pk))


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityOut, **ERRORS},
    operation_id="activities_activity_get",
    summary="One note, call or meeting",
)
def activity_detail(request: ApiRequest, activity_id: int) -> Activity:
    require(request.user, P.VIEW_ACTIVITIES)
    return get_object_or_404(activity_rows(user=request.user), pk=activity_id)


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityOut, **WRITE_ERRORS},
    operation_id="activities_activity_update",
    summary="Change a note, call or meeting",
    description="Send the `version` you read.",
)
def activity_update(request: ApiRequest, activity_id: int, payload: ActivityPatch) -> Activity:
    require(request.user, P.LOG_ACTIVITY)
    activity = activity_for_change(user=request.user, pk=activity_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "text" in data:
        data["body"] = data.pop("text")
    if "contact_ids" in data:
        data["contacts"] = _contacts(request, data.pop("contact_ids"))
    try:
        services.activity_update(actor=request.user, activity=activity, expected_version=version, data=data)
    except ValidationError as error:
        raise errors_renamed(error, NAMES) from error
    return _answer(request, activity.pk)


@router.delete(
    "/activities/{activity_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="activities_activity_delete",
    summary="Delete a note, call or meeting",
)
def activity_delete(request: ApiRequest, activity_id: int) -> Status[None]:
    require(request.user, P.LOG_ACTIVITY)
    services.activity_delete(actor=request.user, activity=activity_for_change(user=request.user, pk=activity_id))
    return Status(204, None)
