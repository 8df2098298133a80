"""Reads of customer calls. A call follows its deal: whoever sees the deal sees the call, who joined
it and what was heard (product managers, executives and admins every call; a rep their deals'; a
sales manager their teams'; engineering leads none). The deal's owner, their sales manager or an
admin changes or cancels a call; a product manager withdraws only their own sign-up; a note is its
author's.
"""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tandem.calls.models import CallAttendee, CallNote, CustomerCall
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.core.roles import Role
from tandem.core.selectors import record_for_change
from tandem.people.models import User
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_changeable, opportunity_visible


def customer_call_visible(*, user: User) -> QuerySet[CustomerCall]:
    return CustomerCall.objects.filter(opportunity__in=opportunity_visible(user=user))


def customer_call_changeable(*, user: User) -> QuerySet[CustomerCall]:
    return CustomerCall.objects.filter(opportunity__in=opportunity_changeable(user=user))


def customer_call_get(*, user: User, pk: int) -> CustomerCall:
    return get_object_or_404(
        customer_call_visible(user=user).select_related("opportunity__account", "opportunity__owner", "opened_by"),
        pk=pk,
    )


def customer_call_for_change(*, user: User, pk: int) -> CustomerCall:
    return record_for_change(
        visible=customer_call_visible(user=user),
        changeable=customer_call_changeable(user=user),
        pk=pk,
        refusal="Only the deal's owner, their sales manager or an admin may change this call.",
    )


def call_attendee_visible(*, user: User) -> QuerySet[CallAttendee]:
    return CallAttendee.objects.filter(call__in=customer_call_visible(user=user))


def call_attendee_changeable(*, user: User) -> QuerySet[CallAttendee]:
    """A sign-up is the product manager's own: they withdraw it (an admin may, too)."""
    if user.role == Role.ADMIN:
        return CallAttendee.objects.all()
    return CallAttendee.objects.filter(product_manager=user)


def call_note_visible(*, user: User) -> QuerySet[CallNote]:
    return CallNote.objects.filter(call__in=customer_call_visible(user=user))


def call_note_changeable(*, user: User) -> QuerySet[CallNote]:
    if user.role == Role.ADMIN:
        return CallNote.objects.all()
    return CallNote.objects.filter(author=user)


def call_rows(*, user: User) -> QuerySet[CustomerCall]:
    """Visible calls ready for a list: deal, account and opener joined, sign-ups in one more query."""
    return (
        customer_call_visible(user=user)
        .select_related("opportunity__account", "opened_by")
        .prefetch_related(
            Prefetch("attendees", queryset=CallAttendee.objects.select_related("product_manager").order_by("id"))
        )
        .annotate(joined=Count("attendees", distinct=True))
    )


def calls_upcoming(*, user: User, now: datetime.datetime | None = None) -> QuerySet[CustomerCall]:
    """Calls still to come and not cancelled, soonest first: what product managers sign up to."""
    now = now or timezone.now()
    return call_rows(user=user).filter(scheduled_at__gte=now, cancelled_at__isnull=True).order_by("scheduled_at", "id")


def calls_on_deal(*, user: User, deal: Opportunity) -> QuerySet[CustomerCall]:
    return call_rows(user=user).filter(opportunity=deal).order_by("-scheduled_at", "-id")


def _quarter_bounds(quarter: FiscalQuarter) -> tuple[datetime.datetime, datetime.datetime]:
    first, last = quarter.bounds(workspace_get().fiscal_year_start_month)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, after


def _joined(quarter: FiscalQuarter, now: datetime.datetime | None) -> Q:
    start, after = _quarter_bounds(quarter)
    after = min(after, now or timezone.now())
    return Q(
        call__scheduled_at__gte=start,
        call__scheduled_at__lt=after,
        call__cancelled_at__isnull=True,
    )


def calls_joined(pm: User, quarter: FiscalQuarter, *, now: datetime.datetime | None = None) -> int:
    """The customer calls a product manager joined in a fiscal quarter: signed up, not cancelled, and
    held (started by `now`) within the quarter. The PM's scorecard counts these."""
    return CallAttendee.objects.filter(_joined(quarter, now), product_manager=pm).count()


def calls_joined_by_pm(quarter: FiscalQuarter, *, now: datetime.datetime | None = None) -> dict[int, int]:
    """`calls_joined` for every product manager at once: {user id: calls}, in one query."""
    rows = (
        CallAttendee.objects.filter(_joined(quarter, now))
        .order_by()
        .values("product_manager_id")
        .annotate(calls=Count("id"))
    )
    return {row["product_manager_id"]: row["calls"] for row in rows}
