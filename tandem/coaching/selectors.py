"""Reads of coaching: the notes and reviews a person may see, and a rep's figures for a period.

Who sees what: a rep their own notes and their own *shared* reviews (a draft is the manager's
until shared); a sales manager the notes and reviews of the reps of their teams; executives and
admins all. Product managers and engineering leads none (the pages and API answer 403).
Who changes what: the rep's sales manager and admins write notes and reviews; the rep alone
acknowledges a shared review of theirs (`review_acknowledgeable`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tandem.activities.models import Activity
from tandem.coaching.models import CoachingNote, Review
from tandem.core import formats
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.roles import Role
from tandem.forecasting.selectors import accuracies
from tandem.people.models import User
from tandem.people.selectors import team_member_ids
from tandem.targets.selectors import Period, sales_metrics

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")

# -- the rules -----------------------------------------------------------------------------------


def coached_rep_ids(*, user: User) -> list[int] | None:
    """The reps whose coaching this user reads: None for everyone (executives, admins), else a list."""
    if user.role in (Role.EXECUTIVE, Role.ADMIN):
        return None
    if user.role == Role.SALES_MANAGER:
        return team_member_ids(manager=user)
    if user.role == Role.REP:
        return [user.pk]
    return []


def coaching_rep_ids(*, user: User) -> list[int] | None:
    """The reps this user coaches (writes notes and reviews for): a manager their teams', an admin all."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.SALES_MANAGER:
        return team_member_ids(manager=user)
    return []


def _by_rep(queryset: QuerySet[Any], reps: list[int] | None) -> QuerySet[Any]:
    return queryset if reps is None else queryset.filter(rep__in=reps)


def coaching_note_visible(*, user: User) -> QuerySet[CoachingNote]:
    return _by_rep(CoachingNote.objects.all(), coached_rep_ids(user=user))


def coaching_note_changeable(*, user: User) -> QuerySet[CoachingNote]:
    return _by_rep(CoachingNote.objects.all(), coaching_rep_ids(user=user))


def review_visible(*, user: User) -> QuerySet[Review]:
    if user.role == Role.REP:
        return Review.objects.filter(rep=user, status=Review.Status.SHARED)
    return _by_rep(Review.objects.all(), coached_rep_ids(user=user))


def review_changeable(*, user: User) -> QuerySet[Review]:
    return _by_rep(Review.objects.all(), coaching_rep_ids(user=user))


def review_acknowledgeable(*, user: User) -> QuerySet[Review]:
    """A shared review is acknowledged by its rep alone."""
    if user.role != Role.REP:
        return Review.objects.none()
    return Review.objects.filter(rep=user, status=Review.Status.SHARED)


def coaching_rep_get(*, user: User, pk: int) -> User:
    """A rep whose coaching this user reads: 404 for anyone else, as for no one."""
    reps = coached_rep_ids(user=user)
    rep = User.objects.filter(pk=pk, role=Role.REP).select_related("team").first()
    if rep is None or (reps is not None and pk not in reps):
        raise Http404("No such rep.")
    return rep


def coaches(*, user: User, rep: User) -> bool:
    reps = coaching_rep_ids(user=user)
    return reps is None or rep.pk in reps


def coaching_note_get(*, user: User, pk: int) -> CoachingNote:
    return get_object_or_404(coaching_note_visible(user=user).select_related("rep", "author"), pk=pk)


def review_get(*, user: User, pk: int) -> Review:
    return get_object_or_404(review_visible(user=user).select_related("rep", "author"), pk=pk)


def coaching_notes_of(*, user: User, rep: User) -> QuerySet[CoachingNote]:
    return coaching_note_visible(user=user).filter(rep=rep).select_related("author")


def reviews_of(*, user: User, rep: User) -> QuerySet[Review]:
    return review_visible(user=user).filter(rep=rep).select_related("author")


@dataclass(frozen=True)
class CoachedRep:
    """A row of the coaching overview: a rep, their last note and their reviews."""

    id: int
    name: str
    team: str
    last_noted_on: datetime.date | None
    notes: int
    reviews: int
    drafts: int


def coached_reps(*, user: User) -> list[CoachedRep]:
    """The reps whose coaching this user reads, each with their notes' and reviews' counts: three
    queries whatever the number of reps."""
    reps = coached_rep_ids(user=user)
    people = User.objects.filter(role=Role.REP, is_active=True)
    if reps is not None:
        people = people.filter(pk__in=reps)
    notes: dict[int, dict[str, Any]] = {
        row["rep_id"]: dict(row)
        for row in coaching_note_visible(user=user)
        .order_by()
        .values("rep_id")
        .annotate(count=Count("id"), last=Max("noted_on"))
    }
    reviews: dict[int, dict[str, Any]] = {
        row["rep_id"]: dict(row)
        for row in review_visible(user=user)
        .order_by()
        .values("rep_id")
        .annotate(count=Count("id"), drafts=Count("id", filter=Q(status=Review.Status.DRAFT)))
    }
    rows = []
    for person in people.select_related("team").order_by("team__name", "first_name", "last_name", "pk"):
        note, review = notes.get(person.pk, {}), reviews.get(person.pk, {})
        rows.append(
            CoachedRep(
                id=person.pk,
                name=str(person),
                team=person.team.name if person.team else "No team",
                last_noted_on=note.get("last"),
                notes=note.get("count", 0),
                reviews=review.get("count", 0),
                drafts=review.get("drafts", 0),
            )
        )
    return rows


# -- periods -------------------------------------------------------------------------------------


def quarter_period(quarter: FiscalQuarter, start_month: int) -> tuple[datetime.date, datetime.date, str]:
    first, last = quarter.bounds(start_month)
    return first, last, str(quarter)


def month_period(year: int, month: int) -> tuple[datetime.date, datetime.date, str]:
    first = datetime.date(year, month, 1)
    after = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, after - datetime.timedelta(days=1), formats.month_long(first)


def reviewable_periods(today: datetime.date, start_month: int) -> list[tuple[str, str]]:
    """The periods offered for a new review, as (key, label): the current and the last three fiscal
    quarters, and the current and the last five months, newest first."""
    options = []
    quarter = fiscal_quarter_of(today, start_month)
    for _ in range(4):
        options.append((f"{quarter.year}-Q{quarter.quarter}", str(quarter)))
        quarter = quarter.previous()
    year, month = today.year, today.month
    for _ in range(6):
        options.append((f"{year}-{month:02d}", formats.month_long(datetime.date(year, month, 1))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return options


# -- the rep's figures for a period ------------------------------------------------------------


@dataclass
class ReviewFigures:
    """What a review pulls in for its rep and period: attainment (won against the period's quota),
    win rate, deals, forecast accuracy of the fiscal quarters the period covers that have ended, and
    the activities the rep logged. Amounts in the home currency."""

    quota: Decimal
    won_amount: Decimal
    won_count: int
    lost_count: int
    open_amount: Decimal
    attainment: Decimal | None
    win_rate: Decimal | None
    average_deal: Decimal | None
    cycle_days: Decimal | None
    activities: dict[str, int]
    # Per ended quarter: its label, the commit called at week 4 (None: no call), won, the accuracy.
    accuracy: list[dict[str, str | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def text(value: object) -> str | None:
            return None if value is None else str(value)

        return {
            "quota": text(self.quota),
            "won_amount": text(self.won_amount),
            "won_count": self.won_count,
            "lost_count": self.lost_count,
            "open_amount": text(self.open_amount),
            "attainment": text(self.attainment),
            "win_rate": text(self.win_rate),
            "average_deal": text(self.average_deal),
            "cycle_days": text(self.cycle_days),
            "activities": dict(self.activities),
            "accuracy": list(self.accuracy),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReviewFigures":
        def number(value: str | None) -> Decimal | None:
            return None if value is None else Decimal(value)

        return cls(
            quota=Decimal(data["quota"]),
            won_amount=Decimal(data["won_amount"]),
            won_count=data["won_count"],
            lost_count=data["lost_count"],
            open_amount=Decimal(data["open_amount"]),
            attainment=number(data["attainment"]),
            win_rate=number(data["win_rate"]),
            average_deal=number(data["average_deal"]),
            cycle_days=number(data["cycle_days"]),
            activities=dict(data["activities"]),
            accuracy=list(data["accuracy"]),
        )

    @property
    def activity_total(self) -> int:
        return sum(self.activities.values())


def _ratio(value: Decimal | None) -> Decimal | None:
    """A share to a hundredth of a percent, as the forecast's accuracy is."""
    return None if value is None else value.quantize(RATIO, rounding=ROUND_HALF_UP)


def _day_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def review_figures_compute(
    *, rep: User, first: datetime.date, last: datetime.date, start_month: int, today: datetime.date | None = None
) -> ReviewFigures:
    """The rep's figures for the period from the domains' own selectors, read in the rep's own scope
    (their deals, quotas and forecast history): the caller has checked that the viewer reads this
    rep's coaching, which shows these figures and nothing else of the rep's pipeline."""
    today = today or timezone.localdate()
    report = sales_metrics(user=rep, period=Period(first, last, ""), start_month=start_month)
    mine = next((row.figures for row in report.reps() if row.id == rep.pk), None)
    if mine is None:
        mine = report.company.figures
    ended = []
    quarter = fiscal_quarter_of(first, start_month)
    while quarter.bounds(start_month)[0] <= last:
        if quarter.bounds(start_month)[1] < today:
            ended.append(quarter)
        quarter = quarter.next()
    accuracy = []
    if ended:
        by_quarter = accuracies(user=rep, rep_ids=[rep.pk], quarters=ended, start_month=start_month)[rep.pk]
        for q in ended:
            found = by_quarter[q]
            accuracy.append(
                {
                    "quarter": str(q),
                    "call": None if found.call is None else str(found.call),
                    "won": str(found.won),
                    "ratio": None if found.ratio is None else str(found.ratio),
                }
            )
    start, end = _day_bounds(first, last)
    counts = dict(
        Activity.objects.filter(author=rep, occurred_at__gte=start, occurred_at__lt=end)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id"))
    )
    return ReviewFigures(
        quota=mine.quota.quantize(CENT),
        won_amount=mine.won_amount.quantize(CENT),
        won_count=mine.won_count,
        lost_count=mine.lost_count,
        open_amount=mine.open_amount.quantize(CENT),
        attainment=_ratio(mine.attainment),
        win_rate=_ratio(mine.win_rate),
        average_deal=mine.average_deal,
        cycle_days=mine.cycle_days,
        activities={kind: counts.get(kind, 0) for kind in Activity.Kind.values},
        accuracy=accuracy,
    )


def review_figures(*, review: Review, start_month: int) -> ReviewFigures:
    """A shared review's figures as they were shared; a draft's as they stand today."""
    if review.figures is not None:
        return ReviewFigures.from_json(review.figures)
    return review_figures_compute(
        rep=review.rep, first=review.period_start, last=review.period_end, start_month=start_month
    )
