"""Reads of forecasts: the calls, overrides and snapshots a person may see, the system's figures
from the deals, the roll-ups rep → manager → company, the quarter's trend and each rep's accuracy.

Who sees what: a rep their own calls and snapshots (not their manager's override: it is the
manager's judgement, as in Salesforce's forecast adjustments); a sales manager their teams' reps';
executives and admins everyone's. Product managers and engineering leads none (the page and API
answer 403, as for leads). Only the rep changes their call; their sales manager and admins change
the override; snapshots are history, changed by nobody.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce

from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.roles import Role
from tandem.forecasting.models import ForecastCall, ForecastOverride, ForecastSnapshot, ForecastWeek
from tandem.people.models import User, user_name
from tandem.people.selectors import team_member_ids
from tandem.sales.models import RepMonthFigures

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
ACCURACY_WEEK = 4  # the call at the quarter's fourth week is the one measured against the result
ACCURACY_QUARTERS = 4


# -- the rules -----------------------------------------------------------------------------------


def forecast_rep_ids(*, user: User) -> list[int] | None:
    """The reps whose forecast this user sees: None for everyone (executives, admins), else a list."""
    if user.role in (Role.EXECUTIVE, Role.ADMIN):
        return None
    if user.role == Role.SALES_MANAGER:
        return team_member_ids(manager=user)
    if user.role == Role.REP:
        return [user.pk]
    return []


def _by_rep(queryset: QuerySet[Any], reps: list[int] | None) -> QuerySet[Any]:
    return queryset if reps is None else queryset.filter(rep__in=reps)


def forecast_call_visible(*, user: User) -> QuerySet[ForecastCall]:
    return _by_rep(ForecastCall.objects.all(), forecast_rep_ids(user=user))


def forecast_call_changeable(*, user: User) -> QuerySet[ForecastCall]:
    """A call is the rep's word: they alone make and change it."""
    if user.role == Role.REP:
        return ForecastCall.objects.filter(rep=user)
    return ForecastCall.objects.none()


def forecast_override_visible(*, user: User) -> QuerySet[ForecastOverride]:
    """The manager's judgement of a rep's call: the manager and those above see it, the rep not."""
    if user.role == Role.REP:
        return ForecastOverride.objects.none()
    return _by_rep(ForecastOverride.objects.all(), forecast_rep_ids(user=user))


def override_reps(*, user: User) -> list[int] | None:
    """The reps whose call this user may override: a manager their teams', an admin all (None)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.SALES_MANAGER:
        return team_member_ids(manager=user)
    return []


def forecast_override_changeable(*, user: User) -> QuerySet[ForecastOverride]:
    return _by_rep(ForecastOverride.objects.all(), override_reps(user=user))


def forecast_snapshot_visible(*, user: User) -> QuerySet[ForecastSnapshot]:
    return _by_rep(ForecastSnapshot.objects.all(), forecast_rep_ids(user=user))


def forecast_snapshot_changeable(*, user: User) -> QuerySet[ForecastSnapshot]:
    """History: written by the weekly snapshot alone."""
    return ForecastSnapshot.objects.none()


def forecast_week_visible(*, user: User) -> QuerySet[ForecastWeek]:
    """When snapshots were taken is no secret to those who read forecasts."""
    if forecast_rep_ids(user=user) == []:
        return ForecastWeek.objects.none()
    return ForecastWeek.objects.all()


def forecast_week_changeable(*, user: User) -> QuerySet[ForecastWeek]:
    return ForecastWeek.objects.none()


def sees_overrides(user: User) -> bool:
    return user.role in (Role.SALES_MANAGER, Role.EXECUTIVE, Role.ADMIN)


# -- the calendar --------------------------------------------------------------------------------


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the day's week: snapshots are keyed by it."""
    return day - datetime.timedelta(days=day.weekday())


def quarter_week(quarter: FiscalQuarter, start_month: int, week: datetime.date) -> int:
    """The week's number in the quarter: 1 for the week holding its first day; 0 and less before."""
    first, _ = quarter.bounds(start_month)
    return (week - week_of(first)).days // 7 + 1


def callable_quarters(today: datetime.date, start_month: int) -> list[FiscalQuarter]:
    """The quarters a call is made for: the current fiscal quarter and the next."""
    current = fiscal_quarter_of(today, start_month)
    return [current, current.next()]


# -- the system's figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What the deals closing in a quarter say, in the home currency: won so far, the open deals by
    forecast category, and every open deal at its probability (rounded to the cent once, at the end)."""

    closed_won: Decimal = ZERO
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            closed_won=self.closed_won + other.closed_won,
            commit=self.commit + other.commit,
            best_case=self.best_case + other.best_case,
            pipeline=self.pipeline + other.pipeline,
            weighted=self.weighted + other.weighted,
        )


def _cents(value: int | None) -> Decimal:
    # Shifting the integer's exponent is exact and, for 2,000 reps' five figures, far cheaper than dividing.
    return Decimal(value or 0).scaleb(-2)


def _weighted(cents_times_percent: int | None) -> Decimal:
    """The sum of cents times probability is exact in integers; it is rounded half up (away from zero,
    as Decimal's ROUND_HALF_UP) to the cent once, in integers."""
    value = cents_times_percent or 0
    cents = (abs(value) + 50) // 100
    return _cents(cents if value >= 0 else -cents)


def figures_by_rep(*, quarter: FiscalQuarter, start_month: int, reps: list[int] | None) -> dict[int, Figures]:
    """Each rep's figures for the quarter from their deals closing in it. A fiscal quarter is three
    calendar months, so this adds up the reps' three months of deals (`RepMonthFigures`, kept equal
    to the deals by the database) instead of grouping every deal: 6,000 rows for 2,000 reps rather
    than the quarter's 100,000 deals. Amounts are integer cents, so SQLite and PostgreSQL agree to
    the cent. `reps` None: every owner; a rep with no deal closing in the quarter has no entry."""
    first, last = quarter.bounds(start_month)
    months = RepMonthFigures.objects.filter(month__gte=first, month__lte=last)
    if reps is not None:
        months = months.filter(owner__in=reps)
    rows = (
        months.order_by()
        .values("owner_id")
        .annotate(
            count=Sum("deals"),
            won=Sum("won_cents"),
            commit=Sum("commit_cents"),
            best_case=Sum("best_case_cents"),
            pipeline=Sum("pipeline_cents"),
            weighted=Sum("weighted_cent_percents"),
        )
        .filter(count__gt=0)
    )
    return {
        row["owner_id"]: Figures(
            closed_won=_cents(row["won"]),
            commit=_cents(row["commit"]),
            best_case=_cents(row["best_case"]),
            pipeline=_cents(row["pipeline"]),
            weighted=_weighted(row["weighted"]),
        )
        for row in rows
    }


def _won_by_rep(
    *, quarters: list[FiscalQuarter], start_month: int, reps: list[int] | None
) -> dict[tuple[FiscalQuarter, int], int]:
    """Each rep's cents won in each quarter's deals, the one figure accuracy needs, in one pass over
    the reps' months (`figures_by_rep`'s other four figures would be built for nothing)."""
    bounds = [(q, *q.bounds(start_month)) for q in quarters]
    months = RepMonthFigures.objects.filter(
        month__gte=min(first for _, first, _ in bounds), month__lte=max(last for _, _, last in bounds)
    )
    if reps is not None:
        months = months.filter(owner__in=reps)
    which = Case(
        *(When(month__gte=first, month__lte=last, then=Value(i)) for i, (_, first, last) in enumerate(bounds)),
        output_field=IntegerField(),
    )
    rows = (
        months.annotate(which=which)
        .filter(which__isnull=False)
        .order_by()
        .values("which", "owner_id")
        .annotate(count=Sum("deals"), won=Sum("won_cents"))
        .filter(count__gt=0)
        .values_list("which", "owner_id", "won")
    )
    return {(bounds[i][0], owner): won for i, owner, won in rows}


# -- lines of the forecast page: rep → manager → company --------------------------------------


@dataclass
class Call:
    commit: Decimal
    best_case: Decimal
    note: str
    version: int
    updated_at: datetime.datetime
    set_by: str = ""


@dataclass
class RepLine:
    rep_id: int
    name: str
    team_id: int | None
    manager_id: int | None
    figures: Figures
    call: Call | None = None
    override: Call | None = None

    @property
    def forecast_commit(self) -> Decimal | None:
        """What counts in the roll-up: the override when there is one, else the rep's call."""
        chosen = self.override or self.call
        return chosen.commit if chosen else None

    @property
    def forecast_best_case(self) -> Decimal | None:
        chosen = self.override or self.call
        return chosen.best_case if chosen else None


@dataclass
class Total:
    """The sum of some lines: every figure, the calls, and the forecast (overrides counted instead
    of the calls they override). A missing call counts as nothing, and `calls` says how many there are."""

    label: str
    key: str = ""
    figures: Figures = field(default_factory=Figures)
    call_commit: Decimal = ZERO
    call_best_case: Decimal = ZERO
    forecast_commit: Decimal = ZERO
    forecast_best_case: Decimal = ZERO
    reps: int = 0
    calls: int = 0
    overrides: int = 0
    rep_ids: list[int] = field(default_factory=list)

    def add(self, line: "RepLine | Total") -> None:
        self.figures = self.figures + line.figures
        if isinstance(line, Total):
            self.call_commit += line.call_commit
            self.call_best_case += line.call_best_case
            self.forecast_commit += line.forecast_commit
            self.forecast_best_case += line.forecast_best_case
            self.reps += line.reps
            self.calls += line.calls
            self.overrides += line.overrides
            self.rep_ids += line.rep_ids
            return
        self.reps += 1
        self.rep_ids.append(line.rep_id)
        if line.call:
            self.calls += 1
            self.call_commit += line.call.commit
            self.call_best_case += line.call.best_case
        if line.override:
            self.overrides += 1
        self.forecast_commit += line.forecast_commit or ZERO
        self.forecast_best_case += line.forecast_best_case or ZERO


def _call(row: dict[str, Any], set_by: str = "") -> Call:
    return Call(
        commit=row["commit"],
        best_case=row["best_case"],
        note=row["note"],
        version=row["version"],
        updated_at=row["updated_at"],
        set_by=set_by,
    )


def rep_lines(*, user: User, quarter: FiscalQuarter, start_month: int, reps: list[int] | None = None) -> list[RepLine]:
    """One line per rep the user sees (narrowed to `reps` when given), with their call, the override
    (for those who see overrides) and the system's figures: four queries whatever the number of reps."""
    return _lines(
        visible=forecast_rep_ids(user=user),
        overrides=sees_overrides(user),
        quarter=quarter,
        start_month=start_month,
        reps=reps,
    )


def rep_lines_unrestricted(*, quarter: FiscalQuarter, start_month: int) -> list[RepLine]:
    """Every rep's line, overrides included, past any person's rule: for the weekly snapshot alone."""
    return _lines(visible=None, overrides=True, quarter=quarter, start_month=start_month, reps=None)


def _lines(
    *, visible: list[int] | None, overrides: bool, quarter: FiscalQuarter, start_month: int, reps: list[int] | None
) -> list[RepLine]:
    people = User.objects.filter(role=Role.REP)
    if visible is not None:
        people = people.filter(pk__in=visible)
    if reps is not None:
        people = people.filter(pk__in=reps)
    rows = list(
        people.order_by("first_name", "last_name", "id").values(
            "id", "first_name", "last_name", "username", "team_id", "team__manager_id", "is_active"
        )
    )
    ids = [row["id"] for row in rows]
    scope: list[int] | None = None if visible is None and reps is None else ids
    figures = figures_by_rep(quarter=quarter, start_month=start_month, reps=scope)
    in_quarter = {"fiscal_year": quarter.year, "fiscal_quarter": quarter.quarter}
    call_fields = ("rep_id", "commit", "best_case", "note", "version", "updated_at")
    calls = {
        row["rep_id"]: _call(row)
        for row in _scoped(ForecastCall.objects.filter(**in_quarter), scope).values(*call_fields)
    }
    found: dict[int, Call] = {}
    if overrides:
        override_rows = _scoped(ForecastOverride.objects.filter(**in_quarter), scope).values(
            *call_fields, "set_by__first_name", "set_by__last_name", "set_by__username"
        )
        found = {
            row["rep_id"]: _call(
                row, user_name(row["set_by__first_name"], row["set_by__last_name"], row["set_by__username"])
            )
            for row in override_rows
        }
    lines = []
    for row in rows:
        pk = row["id"]
        # A rep who left keeps their line while their quarter has deals, a call or an override.
        if not row["is_active"] and pk not in figures and pk not in calls and pk not in found:
            continue
        lines.append(
            RepLine(
                rep_id=pk,
                name=user_name(row["first_name"], row["last_name"], row["username"]),
                team_id=row["team_id"],
                manager_id=row["team__manager_id"],
                figures=figures.get(pk, Figures()),
                call=calls.get(pk),
                override=found.get(pk),
            )
        )
    return lines


def _scoped(queryset: QuerySet[Any], reps: list[int] | None) -> QuerySet[Any]:
    return queryset if reps is None else queryset.filter(rep_id__in=reps)


def total_of(lines: Iterable["RepLine | Total"], label: str, key: str = "") -> Total:
    total = Total(label=label, key=key)
    for line in lines:
        total.add(line)
    return total


NO_MANAGER = "none"


def manager_totals(*, lines: list[RepLine]) -> list[Total]:
    """The reps' lines rolled up by their team's manager (largest forecast first); reps whose team
    has no manager, or who have no team, in one line of their own, last."""
    managers = {line.manager_id for line in lines if line.manager_id is not None}
    names = {
        row["id"]: user_name(row["first_name"], row["last_name"], row["username"])
        for row in User.objects.filter(pk__in=managers).values("id", "first_name", "last_name", "username")
    }
    groups: dict[int | None, list[RepLine]] = {}
    for line in lines:
        groups.setdefault(line.manager_id, []).append(line)
    totals = [total_of(group, names[manager], str(manager)) for manager, group in groups.items() if manager is not None]
    totals.sort(key=lambda t: (-t.forecast_commit, t.label))
    if None in groups:
        totals.append(total_of(groups[None], "Reps without a manager", NO_MANAGER))
    return totals


# -- the trend and the accuracy --------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    week: datetime.date | None  # None: now, the live figures
    number: int | None  # the week's number in the quarter (0 and less: before it started)
    taken_at: datetime.datetime | None
    call_commit: Decimal | None
    call_best_case: Decimal | None
    forecast_commit: Decimal | None  # the override where there is one, else the call
    forecast_best_case: Decimal | None
    figures: Figures
    calls: int
    overrides: int


def trend(*, user: User, quarter: FiscalQuarter, start_month: int, rep_ids: list[int] | None) -> list[TrendPoint]:
    """The quarter's weekly snapshots of these reps (None: all the user sees), added up per week,
    oldest first: one grouped query. Those who do not see overrides get the calls alone."""
    snapshots = forecast_snapshot_visible(user=user).filter(fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
    if rep_ids is not None:
        snapshots = snapshots.filter(rep_id__in=rep_ids)
    show_override = sees_overrides(user)
    rows = (
        snapshots.order_by()
        .values("week")
        .annotate(
            sum_call_commit=Sum("call_commit"),
            sum_call_best_case=Sum("call_best_case"),
            sum_forecast_commit=Sum(Coalesce("override_commit", "call_commit")),
            sum_forecast_best_case=Sum(Coalesce("override_best_case", "call_best_case")),
            sum_override_count=Count("override_commit"),
            sum_call_count=Count("call_commit"),
            sum_closed_won=Sum("closed_won"),
            sum_commit=Sum("commit"),
            sum_best_case=Sum("best_case"),
            sum_pipeline=Sum("pipeline"),
            sum_weighted=Sum("weighted"),
            sum_taken_at=Max("taken_at"),
        )
        .order_by("week")
    )
    points = []
    for row in rows:
        overrides = row["sum_override_count"] if show_override else 0
        prefix = "forecast" if show_override else "call"
        chosen = {"commit": row[f"sum_{prefix}_commit"], "best_case": row[f"sum_{prefix}_best_case"]}  # type: ignore[literal-required]
        called = bool(row["sum_call_count"] or overrides)
        points.append(
            TrendPoint(
                week=row["week"],
                number=quarter_week(quarter, start_month, row["week"]),
                taken_at=row["sum_taken_at"],
                call_commit=_money(row["sum_call_commit"]) if row["sum_call_count"] else None,
                call_best_case=_money(row["sum_call_best_case"]) if row["sum_call_count"] else None,
                forecast_commit=_money(chosen["commit"]) if called else None,
                forecast_best_case=_money(chosen["best_case"]) if called else None,
                figures=Figures(
                    closed_won=_money(row["sum_closed_won"]),
                    commit=_money(row["sum_commit"]),
                    best_case=_money(row["sum_best_case"]),
                    pipeline=_money(row["sum_pipeline"]),
                    weighted=_money(row["sum_weighted"]),
                ),
                calls=row["sum_call_count"],
                overrides=overrides,
            )
        )
    return points


def live_point(total: "Total") -> TrendPoint:
    """Now, from the live lines: the last point of a trend."""
    return TrendPoint(
        week=None,
        number=None,
        taken_at=None,
        call_commit=total.call_commit if total.calls else None,
        call_best_case=total.call_best_case if total.calls else None,
        forecast_commit=total.forecast_commit if (total.calls or total.overrides) else None,
        forecast_best_case=total.forecast_best_case if (total.calls or total.overrides) else None,
        figures=total.figures,
        calls=total.calls,
        overrides=total.overrides,
    )


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


@dataclass(frozen=True)
class Accuracy:
    """How close a call at the quarter's fourth week came to what was won by its end."""

    quarter: FiscalQuarter
    call: Decimal | None  # the commit called, as it stood at week 4 (the latest snapshot up to it)
    won: Decimal  # won by the end of the quarter (the deals as they stand now)
    week: datetime.date | None  # the snapshot's week the call comes from

    @property
    def error(self) -> Decimal | None:
        return None if self.call is None else self.won - self.call

    @property
    def ratio(self) -> Decimal | None:
        """1 - |won - call| / call, never below 0, to four places (a hundredth of a percent).
        A call of nothing is right (1) when nothing was won, and wrong (0) otherwise."""
        return accuracy_ratio(self.call, self.won)


def accuracy_ratio(call: Decimal | None, won: Decimal) -> Decimal | None:
    if call is None:
        return None
    if call == 0:
        return Decimal("1.0000") if won == 0 else Decimal("0.0000")
    ratio = 1 - abs(won - call) / call
    return max(ratio, Decimal(0)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def accuracy_week(quarter: FiscalQuarter, start_month: int) -> datetime.date:
    """The Monday of the quarter's fourth week: the fixed point its calls are measured at."""
    first, _ = quarter.bounds(start_month)
    return week_of(first) + datetime.timedelta(weeks=ACCURACY_WEEK - 1)


def accuracies(
    *,
    user: User,
    rep_ids: list[int] | None,
    quarters: list[FiscalQuarter],
    start_month: int,
    use_override: bool = False,
) -> dict[int, dict[FiscalQuarter, Accuracy]]:
    """Each rep's accuracy in each of these (ended) quarters: the call of the latest snapshot taken
    up to the quarter's fourth week (`use_override`: the override where there was one) against what
    the rep's deals closing in the quarter won. Two queries whatever the number of quarters.

    `rep_ids` None: every rep, for a reader who sees every forecast (the company's roll-up): naming
    two thousand reps in each query cost Django more than reading them all. Then only reps with a
    snapshot or a deal in a quarter have its entry."""
    result: dict[int, dict[FiscalQuarter, Accuracy]] = {pk: {} for pk in rep_ids or []}
    if not quarters:
        return result
    by_key = {(q.year, q.quarter): q for q in quarters}
    measured = Q()
    for quarter in quarters:
        measured |= Q(
            fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, week__lte=accuracy_week(quarter, start_month)
        )
    snapshots = forecast_snapshot_visible(user=user).filter(measured)
    if rep_ids is not None:
        snapshots = snapshots.filter(rep_id__in=rep_ids)
    # Only each rep's latest snapshot up to that week leaves the database, not their weekly history,
    # as tuples: the company's 2,000 reps a quarter cost Django more as dictionaries.
    latest: dict[tuple[FiscalQuarter, int], tuple[datetime.date, Decimal | None]] = {}
    for rep, year, number, week, call, override in (
        snapshots.annotate(
            latest_week=Window(Max("week"), partition_by=[F("fiscal_year"), F("fiscal_quarter"), F("rep_id")])
        )
        .filter(week=F("latest_week"))
        .order_by()
        .values_list("rep_id", "fiscal_year", "fiscal_quarter", "week", "call_commit", "override_commit")
    ):
        latest[by_key[(year, number)], rep] = (week, call if not use_override or override is None else override)
    won = _won_by_rep(quarters=quarters, start_month=start_month, reps=rep_ids)
    keys = [(q, pk) for q in quarters for pk in rep_ids] if rep_ids is not None else latest.keys() | won.keys()
    for quarter, pk in keys:
        row = latest.get((quarter, pk))
        result.setdefault(pk, {})[quarter] = Accuracy(
            quarter=quarter,
            call=row[1] if row else None,
            won=_cents(won.get((quarter, pk))),
            week=row[0] if row else None,
        )
    return result


# The company's accuracy reads four ended quarters' snapshots and won deals of every rep, a third of
# the page's work on 2,000 reps. Those snapshots never change and an ended quarter's deals seldom do,
# so it is kept this long (per process), keyed by the quarters: a new quarter starts it afresh.
COMPANY_ACCURACY_FRESH_SECONDS = 3600


def company_calls_and_wins(
    *, user: User, quarters: list[FiscalQuarter], start_month: int
) -> dict[int, tuple[tuple[Decimal, Decimal] | None, ...]]:
    """For a reader who sees every forecast: each rep who called in one of these ended quarters, with
    per quarter their call at week 4 and what they won (None where they made no call), as computed at
    most `COMPANY_ACCURACY_FRESH_SECONDS` ago. A manager's row adds up their reps'."""
    assert forecast_rep_ids(user=user) is None, "only for readers who see every rep's forecast"
    key = ":".join(["forecast-company-accuracy", str(start_month), *(f"{q.year}-{q.quarter}" for q in quarters)])
    kept = cache.get(key)
    if kept is None:
        found = accuracies(user=user, rep_ids=None, quarters=quarters, start_month=start_month)
        kept = {}
        for pk, by_quarter in found.items():
            cells = tuple(
                (a.call, a.won) if (a := by_quarter.get(q)) is not None and a.call is not None else None
                for q in quarters
            )
            if any(cells):
                kept[pk] = cells
        cache.set(key, kept, COMPANY_ACCURACY_FRESH_SECONDS)
    return kept


def ended_quarters(today: datetime.date, start_month: int, count: int = ACCURACY_QUARTERS) -> list[FiscalQuarter]:
    """The last `count` fiscal quarters that have ended, oldest first."""
    quarters = [fiscal_quarter_of(today, start_month).previous()]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def call_for(*, user: User, rep_id: int, quarter: FiscalQuarter) -> ForecastCall | None:
    return (
        forecast_call_visible(user=user)
        .filter(rep_id=rep_id, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .first()
    )


def override_for(*, user: User, rep_id: int, quarter: FiscalQuarter) -> ForecastOverride | None:
    return (
        forecast_override_visible(user=user)
        .filter(rep_id=rep_id, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .first()
    )
