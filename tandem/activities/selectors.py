"""Reads of what is logged on deals. Reads follow the deal's visibility: whoever sees a deal reads
its notes, calls and meetings (a rep their own deals, a manager their teams', product managers,
executives and admins every deal, engineering leads none); whoever may change the deal may log on
it and change what was logged (its owner, their sales manager, an admin)."""

import datetime
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from tandem.activities.models import Activity
from tandem.asks.selectors import ask_visible, decision_visible
from tandem.core.selectors import record_for_change
from tandem.people.models import User
from tandem.product.selectors import feature_visible_in_full
from tandem.sales.models import Contact, Opportunity
from tandem.sales.selectors import opportunity_changeable, opportunity_visible, stage_change_visible


def activity_visible(*, user: User) -> QuerySet[Activity]:
    return Activity.objects.filter(opportunity__in=opportunity_visible(user=user))


def activity_changeable(*, user: User) -> QuerySet[Activity]:
    return Activity.objects.filter(opportunity__in=opportunity_changeable(user=user))


def activity_for_change(*, user: User, pk: int, lock: bool = False) -> Activity:
    """An activity to change or delete: 404 unseen, 403 on a deal the user sees but may not change."""
    refusal = "Only the deal's owner, their sales manager or an admin may change what is logged on it."
    activity = record_for_change(
        visible=activity_visible(user=user), changeable=activity_changeable(user=user), pk=pk, refusal=refusal
    )
    return Activity.objects.select_for_update().get(pk=activity.pk) if lock else activity


def activity_rows(*, user: User) -> QuerySet[Activity]:
    """Visible activities ready for a list: author and people in two queries, whatever the rows."""
    return (
        activity_visible(user=user)
        .select_related("author")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name")))
    )


# The timeline: everything that happened on a deal, newest first.

TIMELINE_PAGE = 20


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "activity", "stage", "ask" or "decision"
    at: datetime.datetime
    record: Any

    @property
    def sort_key(self) -> tuple[datetime.datetime, str, int]:
        return (self.at, self.kind, self.record.pk)


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    number: int
    has_next: bool


def _newest(rows: QuerySet[Any], kind: str, at: str, limit: int) -> Iterator[TimelineItem]:
    for row in rows[:limit]:
        yield TimelineItem(kind, getattr(row, at), row)


def deal_timeline(*, user: User, deal: Opportunity, page: int = 1, size: int = TIMELINE_PAGE) -> TimelinePage:
    """What happened on a deal the user sees, newest first, `size` a page: its notes, calls and
    meetings, stage moves, the asks logged on it and the decisions on them (or on the features they
    name). One query per kind of event, whatever the page or the number of events: each kind's newest
    `page * size + 1` rows, merged in time order."""
    page = max(page, 1)
    limit = page * size + 1
    activities = activity_rows(user=user).filter(opportunity=deal).order_by("-occurred_at", "-id")
    stages = (
        stage_change_visible(user=user)
        .filter(opportunity=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")
    )
    asks = (
        ask_visible(user=user)
        .filter(opportunity=deal)
        .select_related("requested_by", "feature")
        .order_by("-created_at", "-id")
    )
    decisions = (
        decision_visible(user=user)
        # On a feature: only one the user sees in full (sales reads no internal feature's decisions).
        .filter(
            Q(ask__opportunity=deal)
            | Q(feature__asks__opportunity=deal, feature__in=feature_visible_in_full(user=user))
        )
        .select_related("decided_by", "feature", "ask", "release")
        .distinct()
        .order_by("-decided_at", "-id")
    )
    streams = [
        _newest(activities, "activity", "occurred_at", limit),
        _newest(stages, "stage", "changed_at", limit),
        _newest(asks, "ask", "created_at", limit),
        _newest(decisions, "decision", "decided_at", limit),
    ]
    merged = list(heapq.merge(*[list(stream) for stream in streams], key=lambda item: item.sort_key, reverse=True))
    start = (page - 1) * size
    return TimelinePage(items=merged[start : start + size], number=page, has_next=len(merged) > start + size)


def deal_is_quiet(*, deal: Opportunity, stale_after_days: int, now: datetime.datetime) -> bool:
    """An open deal with no stage move, note, call or meeting in the last `stale_after_days` days."""
    if deal.closed_at is not None:
        return False
    last = deal.last_activity_at or deal.created_at
    return last < now - datetime.timedelta(days=stale_after_days)
