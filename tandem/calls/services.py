"""Writes of customer calls.

The deal's owner, their sales manager or an admin opens an upcoming call on the deal to product
managers, changes or cancels it. Product managers sign up while seats are left and the call is still
to come, and withdraw before it starts. Once it has started, those who joined and those who may
change the deal log what they heard: a note kept with the call, and each need heard as an ask on the
deal through the ask logging service (so it reaches triage like any other ask).
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.asks.services import ask_create
from tandem.calls.models import CallAttendee, CallNote, CustomerCall
from tandem.calls.permissions import CallsPermission
from tandem.calls.selectors import customer_call_for_change, customer_call_get
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_changeable, opportunity_for_change

P = CallsPermission
CALL_FIELDS = frozenset({"scheduled_at", "agenda", "seats"})
STALE_CALL = "Someone else changed this call since you opened it — reload to see their changes."
NOT_UPCOMING = "This call has already started."
CANCELLED = "This call was cancelled."


def _upcoming(call: CustomerCall, now: datetime.datetime) -> None:
    if call.cancelled_at is not None:
        raise ValidationError({"call": CANCELLED})
    if call.scheduled_at <= now:
        raise ValidationError({"call": NOT_UPCOMING})


@transaction.atomic
def customer_call_open(
    *, actor: User, opportunity: Opportunity, scheduled_at: datetime.datetime, agenda: str, seats: int = 2
) -> CustomerCall:
    """Open an upcoming customer call on a deal the actor may change to product managers."""
    require(actor, P.OPEN_CALL)
    deal = opportunity_for_change(user=actor, pk=opportunity.pk)
    now = timezone.now()
    if scheduled_at <= now:
        raise ValidationError({"scheduled_at": "Open a call that is still to come."})
    call = CustomerCall(
        opportunity=deal, scheduled_at=scheduled_at, agenda=agenda.strip(), seats=seats, opened_by=actor, created_at=now
    )
    call.full_clean()
    call.save()
    return call


@transaction.atomic
def customer_call_update(
    *, actor: User, call: CustomerCall, expected_version: int, data: Mapping[str, Any]
) -> CustomerCall:
    """Reschedule a call, change its agenda or seats, from the version the actor read."""
    require(actor, P.OPEN_CALL)
    unknown = set(data) - CALL_FIELDS
    if unknown:
        raise ValueError(f"Not changeable here: {', '.join(sorted(unknown))}")
    customer_call_for_change(user=actor, pk=call.pk)
    call = CustomerCall.objects.select_for_update().get(pk=call.pk)
    if call.version != expected_version:
        raise StaleVersion(STALE_CALL)
    now = timezone.now()
    _upcoming(call, now)
    if "scheduled_at" in data and data["scheduled_at"] <= now:
        raise ValidationError({"scheduled_at": "Move the call to a time still to come."})
    if "seats" in data and data["seats"] < call.attendees.count():
        raise ValidationError({"seats": "More product managers have already joined: keep a seat for each."})
    for name, value in data.items():
        setattr(call, name, value.strip() if isinstance(value, str) else value)
    call.version += 1
    call.full_clean()
    call.save()
    return call


@transaction.atomic
def customer_call_cancel(*, actor: User, call: CustomerCall) -> CustomerCall:
    """Cancel an upcoming call; those who joined keep no credit for it."""
    require(actor, P.OPEN_CALL)
    customer_call_for_change(user=actor, pk=call.pk)
    call = CustomerCall.objects.select_for_update().get(pk=call.pk)
    _upcoming(call, timezone.now())
    call.cancelled_at = timezone.now()
    call.version += 1
    call.save(update_fields=["cancelled_at", "version"])
    return call


@transaction.atomic
def customer_call_join(*, actor: User, call: CustomerCall) -> CallAttendee:
    """A product manager signs up to a call still to come while seats are left (joining twice
    changes nothing)."""
    require(actor, P.JOIN_CALL)
    customer_call_get(user=actor, pk=call.pk)
    call = CustomerCall.objects.select_for_update().get(pk=call.pk)
    _upcoming(call, timezone.now())
    existing = call.attendees.filter(product_manager=actor).first()
    if existing is not None:
        return existing
    if call.attendees.count() >= call.seats:
        raise ValidationError({"call": "Every seat on this call is taken."})
    attendee = CallAttendee(call=call, product_manager=actor, joined_at=timezone.now())
    attendee.full_clean()
    attendee.save()
    return attendee


@transaction.atomic
def customer_call_withdraw(*, actor: User, call: CustomerCall) -> None:
    """A product manager withdraws their sign-up before the call starts."""
    require(actor, P.JOIN_CALL)
    customer_call_get(user=actor, pk=call.pk)
    call = CustomerCall.objects.select_for_update().get(pk=call.pk)
    if call.scheduled_at <= timezone.now():
        raise ValidationError({"call": NOT_UPCOMING})
    if not call.attendees.filter(product_manager=actor).delete()[0]:
        raise ValidationError({"call": "You have not joined this call."})


def may_debrief(*, user: User, call: CustomerCall) -> bool:
    """Those who joined the call, and those who may change its deal, log what was heard."""
    if call.attendees.filter(product_manager=user).exists():
        return True
    return opportunity_changeable(user=user).filter(pk=call.opportunity_id).exists()


@transaction.atomic
def customer_call_debrief(
    *, actor: User, call: CustomerCall, note: str = "", needs: Sequence[str] = ()
) -> tuple[CallNote | None, list[Ask]]:
    """After a call has started: keep a note of what was heard with the call and log each need heard
    as an ask on the deal (source: call), linked to the call."""
    require(actor, P.DEBRIEF_CALL)
    call = customer_call_get(user=actor, pk=call.pk)
    if not may_debrief(user=actor, call=call):
        raise PermissionDenied("Only the product managers who joined, the deal's owner or their manager log this.")
    if call.cancelled_at is not None:
        raise ValidationError({"call": CANCELLED})
    if call.scheduled_at > timezone.now():
        raise ValidationError({"call": "Log what was heard once the call has taken place."})
    needs = [need.strip() for need in needs if need.strip()]
    if not note.strip() and not needs:
        raise ValidationError({"note": "Say what you heard: a note, an ask, or both."})
    logged: CallNote | None = None
    if note.strip():
        logged = CallNote(call=call, author=actor, body=note.strip(), created_at=timezone.now())
        logged.full_clean()
        logged.save()
    asks = [
        ask_create(
            actor=actor,
            account=call.opportunity.account,
            opportunity=call.opportunity,
            need=need,
            source=Ask.Source.CALL,
        )
        for need in needs
    ]
    call.asks.add(*asks)
    return logged, asks
