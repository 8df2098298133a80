"""The review's agenda, built from the period's facts as the reader sees them.

The agenda is a list of sections, each made by a plain function of (reader, period); `SECTIONS` is
their order. A section for a new kind of fact is one function and one line in `SECTIONS`.
Each item has a stable key ("feature:12", "ask:40", "escalation:3") that decisions and action
items taken in the meeting are recorded against.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.urls import reverse

from tandem.asks.selectors import ask_rows, ask_visible
from tandem.commitments.selectors import commitments_at_risk as commitments_at_risk_on
from tandem.competition.selectors import intel_feed
from tandem.core import formats
from tandem.core.fiscal import day_start
from tandem.decisions.models import Escalation
from tandem.decisions.selectors import escalation_visible
from tandem.launches.selectors import launch_plan_rows
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.product.selectors import (
    feature_with_evidence,
    release_dates_shared,
    release_target_for,
    scoring_settings_get,
)

ITEMS_PER_SECTION = 8
CLOSED = (Feature.Status.SHIPPED, Feature.Status.DECLINED)


@dataclass(frozen=True)
class Period:
    start: datetime.date  # inclusive
    end: datetime.date  # the meeting's day, inclusive


@dataclass(frozen=True)
class AgendaItem:
    key: str
    title: str
    detail: str
    url: str
    value: Decimal | None = None
    feature_id: int | None = None  # a decision can be recorded on it


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    empty: str  # what the section says when the period has nothing for it
    items: list[AgendaItem] = field(default_factory=list)


def _accounts(count: int) -> str:
    return "1 account" if count == 1 else f"{count} accounts"


def new_asks(user: User, period: Period) -> Section:
    """The asks logged in the period, most valuable first.

    The few most valuable are chosen on the asks alone, then read with their joins: sorting a busy
    period's asks (a hundred thousand on the large workspace) with every joined column spills to disk.
    """
    most_valuable = (
        ask_visible(user=user)
        .filter(created_at__gte=day_start(period.start), created_at__lt=day_start(period.end + datetime.timedelta(1)))
        .order_by("-value_home", "-id")
        .values_list("pk", flat=True)[:ITEMS_PER_SECTION]
    )
    asks = ask_rows(user=user).filter(pk__in=list(most_valuable)).order_by("-value_home", "-id")
    items = [
        AgendaItem(
            key=f"ask:{ask.pk}",
            title=ask.need[:120],
            detail=f"{ask.account.name}"
            + (f" · {ask.feature.title}" if ask.feature is not None else " · not triaged yet"),
            url=reverse("asks:ask_detail", args=[ask.pk]),
            value=ask.value_home if getattr(ask, "deal_seen", True) else None,
            feature_id=ask.feature_id,
        )
        for ask in asks
    ]
    return Section("new_asks", "New asks", "No ask was logged since the last meeting.", items)


def revenue_at_stake(user: User, period: Period) -> Section:
    """The open features with the most open pipeline asking for them."""
    features = (
        feature_with_evidence(user=user)
        .exclude(status__in=CLOSED)
        .filter(evidence__open_pipeline__gt=0)
        .order_by("-evidence__open_pipeline", "id")[:ITEMS_PER_SECTION]
    )
    items = [
        AgendaItem(
            key=f"feature:{f.pk}",
            title=f.title,
            detail=f"{f.product.name} · {f.get_status_display()} · {_accounts(f.evidence.accounts_count)}",
            url=reverse("product:feature_detail", args=[f.pk]),
            value=f.evidence.open_pipeline,
            feature_id=f.pk,
        )
        for f in features
    ]
    return Section("revenue_at_stake", "Most revenue at stake", "No open deal waits on an open feature.", items)


def single_deal_asks(user: User, period: Period) -> Section:
    """Open features where one deal holds most of the pipeline: build for one customer, or not?"""
    share = scoring_settings_get().single_deal_share
    features = (
        feature_with_evidence(user=user)
        .exclude(status__in=CLOSED)
        .filter(evidence__open_pipeline__gt=0, evidence__largest_deal__gt=F("evidence__open_pipeline") * share)
        .order_by("-evidence__largest_deal", "id")[:ITEMS_PER_SECTION]
    )
    items = [
        AgendaItem(
            key=f"feature:{f.pk}",
            title=f.title,
            detail=f"{f.product.name} · one deal holds most of its pipeline",
            url=reverse("product:feature_detail", args=[f.pk]),
            value=f.evidence.largest_deal,
            feature_id=f.pk,
        )
        for f in features
    ]
    return Section("single_deal_asks", "Single-deal asks", "No feature rests on a single deal.", items)


def escalations_due(user: User, period: Period) -> Section:
    """Open escalations due by a week after the meeting (overdue ones first)."""
    escalations = (
        escalation_visible(user=user)
        .filter(status=Escalation.Status.OPEN, due_date__lte=period.end + datetime.timedelta(days=7))
        .select_related("ask")
        .order_by("due_date", "id")[:ITEMS_PER_SECTION]
    )
    items = [
        AgendaItem(
            key=f"escalation:{e.pk}",
            title=e.ask.need[:120],
            detail=("overdue since " if e.due_date < period.end else "due ") + formats.date_short(e.due_date),
            url=reverse("asks:ask_detail", args=[e.ask_id]),
            feature_id=e.ask.feature_id,
        )
        for e in escalations
    ]
    return Section("escalations_due", "Escalations due", "No escalation is waiting for a ruling.", items)


def commitments_at_risk(user: User, period: Period) -> Section:
    """Promises to customers at risk on the meeting's day, soonest date first."""
    commitments = commitments_at_risk_on(user=user, today=period.end)[:ITEMS_PER_SECTION]
    items = [
        AgendaItem(
            key=f"commitment:{c.pk}",
            title=f"{c.feature.title} for {c.account.name}",
            detail="promised by " + formats.date_short(c.due_date) if c.due_date else "promised, no date",
            url=reverse("commitments:commitment_detail", args=[c.pk]),
            feature_id=c.feature_id,
        )
        for c in commitments
    ]
    return Section("commitments_at_risk", "Commitments at risk", "No promise to a customer is at risk.", items)


LAUNCH_HORIZON = datetime.timedelta(days=30)


def launches_coming(user: User, period: Period) -> Section:
    """Releases with a launch plan due within a month of the meeting, each dated as finely as the
    reader may know it (sales: as the sales roadmap dates it, `release_dates_shared`)."""
    plans = list(
        launch_plan_rows(user=user)
        .filter(
            release__status=Release.Status.PLANNED,
            release__target_date__gte=period.end,
            release__target_date__lte=period.end + LAUNCH_HORIZON,
        )
        .order_by("release__target_date", "pk")[:ITEMS_PER_SECTION]
    )
    shared = release_dates_shared(user=user, releases=[plan.release for plan in plans])
    items = [
        AgendaItem(
            key=f"launch:{plan.pk}",
            title=str(plan.release),
            detail="ships " + release_target_for(plan.release, shared),
            url=reverse("launches:launch_detail", args=[plan.pk]),
        )
        for plan in plans
    ]
    return Section("launches_coming", "Launches coming", "No launch is due in the next month.", items)


def competitor_intel(user: User, period: Period) -> Section:
    """What sales heard about competitors since the last meeting, newest first."""
    intel = intel_feed(user=user, since=period.start, until=period.end)[:ITEMS_PER_SECTION]
    items = [
        AgendaItem(
            key=f"intel:{note.pk}",
            title=f"{note.competitor.name}: {note.offered[:100]}",
            detail=f"{note.account.name} · {note.author}",
            url=reverse("competition:competitor_detail", args=[note.competitor_id]),
        )
        for note in intel
    ]
    return Section(
        "competitor_intel", "Competitor intel", "No competitor intel was logged since the last meeting.", items
    )


SECTIONS: list[Callable[[User, Period], Section]] = [
    new_asks,
    revenue_at_stake,
    single_deal_asks,
    escalations_due,
    commitments_at_risk,
    launches_coming,
    competitor_intel,
]


def agenda_build(*, user: User, period: Period) -> list[Section]:
    return [section(user, period) for section in SECTIONS]


def agenda_item_keys(sections: list[Section]) -> set[str]:
    return {item.key for section in sections for item in section.items}
