"""The JSON API of customer calls product managers join."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from tandem.activities.models import EARLIEST_YEAR, LATEST_YEAR, WHEN_OUT_OF_RANGE
from tandem.calls import services
from tandem.calls.models import AGENDA_LIMIT, MAX_SEATS, NOTE_LIMIT, CustomerCall
from tandem.calls.permissions import CallsPermission
from tandem.calls.selectors import call_rows, calls_upcoming, customer_call_for_change, customer_call_get
from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, omittable
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.sales.selectors import opportunity_for_change

router = Router(tags=["calls"])


def _aware(when: datetime.datetime) -> datetime.datetime:
    """A time with its zone (UTC when none is given), within the years the pages accept."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        raise ValueError(WHEN_OUT_OF_RANGE)
    return when.astimezone(datetime.UTC)


When = Annotated[datetime.datetime, AfterValidator(_aware)]
P = CallsPermission


class CustomerCallOut(Schema):
    id: int
    opportunity_id: int
    scheduled_at: datetime.datetime
    agenda: str
    seats: int
    opened_by_id: int
    cancelled_at: datetime.datetime | None
    product_manager_ids: list[int] = Field(..., description="The product managers who joined.")
    ask_ids: list[int] = Field(..., description="The asks logged from what was heard.")
    version: int

    @staticmethod
    def resolve_product_manager_ids(call: CustomerCall) -> list[int]:
        return [attendee.product_manager_id for attendee in call.attendees.all()]

    @staticmethod
    def resolve_ask_ids(call: CustomerCall) -> list[int]:
        return [ask.pk for ask in call.asks.all()]


class CustomerCallIn(Schema):
    scheduled_at: When = Field(..., description="When it starts; must be still to come.")
    agenda: str = Field(..., min_length=1, max_length=AGENDA_LIMIT)
    seats: int = Field(2, ge=1, le=MAX_SEATS)


class CustomerCallPatch(Schema):
    version: int
    scheduled_at: When = omittable()
    agenda: str = omittable(min_length=1, max_length=AGENDA_LIMIT)
    seats: int = omittable(ge=1, le=MAX_SEATS)


class CustomerCallListIn(Schema):
    upcoming: bool = Field(False, description="Only calls still to come and not cancelled.")
    opportunity_id: Id | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class CustomerCallPage(Schema):
    items: list[CustomerCallOut]
    next_cursor: str | None


class CallDebriefIn(Schema):
    note: str = Field("", max_length=NOTE_LIMIT, description="What was heard.")
    needs: list[str] = Field(default_factory=list, max_length=20, description="Each need heard, logged as an ask.")


class CallDebriefOut(Schema):
    note_id: int | None
    ask_ids: list[int]


def _answer(request: ApiRequest, pk: int) -> CustomerCall:
    return call_rows(user=request.user).prefetch_related("asks").get(pk=pk)


@router.get(
    "/calls",
    response={200: CustomerCallPage, **ERRORS},
    operation_id="calls_call_list",
    summary="Customer calls, soonest first",
)
def call_list(request: ApiRequest, params: Query[CustomerCallListIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_CALLS)
    rows = calls_upcoming(user=request.user) if params.upcoming else call_rows(user=request.user)
    if params.opportunity_id is not None:
        rows = rows.filter(opportunity_id=params.opportunity_id)
    rows = rows.prefetch_related("asks")
    items, next_cursor = cursor_paginate(rows, order=["scheduled_at", "id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/opportunities/{opportunity_id}/calls",
    response={201: CustomerCallOut, **WRITE_ERRORS},
    operation_id="calls_call_create",
    summary="Open an upcoming customer call on a deal to product managers",
)
def call_create(request: ApiRequest, opportunity_id: int, payload: CustomerCallIn) -> Status[CustomerCall]:
    require(request.user, P.OPEN_CALL)
    deal = opportunity_for_change(user=request.user, pk=opportunity_id)
    call = services.customer_call_open(actor=request.user, opportunity=deal, **payload.dict())
    return Status(201, _answer(request, call.pk))


@router.get(
    "/calls/{call_id}",
    response={200: CustomerCallOut, **ERRORS},
    operation_id="calls_call_get",
    summary="One customer call",
)
def call_detail(request: ApiRequest, call_id: int) -> CustomerCall:
    require(request.user, P.VIEW_CALLS)
    return _answer(request, customer_call_get(user=request.user, pk=call_id).pk)


@router.patch(
    "/calls/{call_id}",
    response={200: CustomerCallOut, **WRITE_ERRORS},
    operation_id="calls_call_update",
    summary="Reschedule a call or change its agenda or seats",
    description="Send the `version` you read.",
)
def call_update(request: ApiRequest, call_id: int, payload: CustomerCallPatch) -> CustomerCall:
    require(request.user, P.OPEN_CALL)
    call = customer_call_for_change(user=request.user, pk=call_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.customer_call_update(actor=request.user, call=call, expected_version=version, data=data)
    return _answer(request, call.pk)


@router.post(
    "/calls/{call_id}/cancel",
    response={200: CustomerCallOut, **WRITE_ERRORS},
    operation_id="calls_call_cancel",
    summary="Cancel an upcoming call",
)
def call_cancel(request: ApiRequest, call_id: int) -> CustomerCall:
    require(request.user, P.OPEN_CALL)
    call = customer_call_for_change(user=request.user, pk=call_id)
    services.customer_call_cancel(actor=request.user, call=call)
    return _answer(request, call.pk)


@router.post(
    "/calls/{call_id}/join",
    response={200: CustomerCallOut, **WRITE_ERRORS},
    operation_id="calls_call_join",
    summary="Sign up to a customer call (product managers)",
)
def call_join(request: ApiRequest, call_id: int) -> CustomerCall:
    require(request.user, P.JOIN_CALL)
    call = customer_call_get(user=request.user, pk=call_id)
    services.customer_call_join(actor=request.user, call=call)
    return _answer(request, call.pk)


@router.delete(
    "/calls/{call_id}/join",
    response={200: CustomerCallOut, **WRITE_ERRORS},
    operation_id="calls_call_withdraw",
    summary="Withdraw your sign-up before the call",
)
def call_withdraw(request: ApiRequest, call_id: int) -> CustomerCall:
    require(request.user, P.JOIN_CALL)
    call = customer_call_get(user=request.user, pk=call_id)
    services.customer_call_withdraw(actor=request.user, call=call)
    return _answer(request, call.pk)


@router.post(
    "/calls/{call_id}/debrief",
    response={201: CallDebriefOut, **WRITE_ERRORS},
    operation_id="calls_call_debrief",
    summary="Log what was heard on a call: a note and asks on its deal",
)
def call_debrief(request: ApiRequest, call_id: int, payload: CallDebriefIn) -> Status[dict[str, Any]]:
    require(request.user, P.DEBRIEF_CALL)
    call = customer_call_get(user=request.user, pk=call_id)
    for need in payload.needs:
        if len(need) > 2000:
            raise ValidationError({"needs": ["Say each need in at most 2000 characters."]})
    note, asks = services.customer_call_debrief(actor=request.user, call=call, note=payload.note, needs=payload.needs)
    return Status(201, {"note_id": note.pk if note else None, "ask_ids": [ask.pk for ask in asks]})
