"""Forecast history for a seeded workspace: weekly snapshots, calls and overrides, read from the
deals just loaded and written in bulk (`core.bulk`: COPY on PostgreSQL).

Each week from the start of two fiscal quarters back to this week gets a snapshot of the quarter
then current and the next, per rep. The system's figures are the deals *as they stood* that Monday,
as far as the deals tell: created by then; won or lost by then if closed by then; a deal closed since
counts as open then, in commit at 80% if it was won, in pipeline at 20% if it was lost (the seed
keeps no history of categories). One grouped query per week and quarter. Reps call from what their
deals say, each with a habit of calling high or low; some forget a quarter; a manager overrides
some calls from the third week on. The last values are the calls and overrides of today.
"""

import datetime
import random
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Round

from tandem.core.bulk import Row, Table, writer_for
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.roles import Role
from tandem.forecasting.models import ForecastCall, ForecastOverride, ForecastSnapshot, ForecastWeek
from tandem.forecasting.selectors import week_of
from tandem.people.models import User
from tandem.sales.models import Opportunity, Stage

C = Stage.ForecastCategory
CENTS = Cast(Round(F("amount_home") * 100), BigIntegerField())
HISTORY_QUARTERS = 2  # quarters before the current one whose weeks get snapshots
OVERRIDE_SHARE = 0.15
FORGETFUL = 0.08
NOTES = (
    "Two deals in legal; the rest is in commit already.",
    "Counting on the renewal landing before the quarter closes.",
    "Best case needs the expansion to clear procurement.",
    "Pushed one deal to next quarter after the customer's budget review.",
    "Commit is what is signed or verbally agreed.",
)
OVERRIDE_NOTES = (
    "The largest deal has no signed order form yet: I count it in best case.",
    "History says this rep calls high in the first weeks.",
    "Procurement at the biggest account always takes a month longer.",
    "Adding the renewal the rep left out: it is as good as signed.",
)


def _round(value: Decimal, step: int = 5_000) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _as_of(quarter: FiscalQuarter, start_month: int, moment: datetime.datetime) -> dict[int, dict[str, Decimal]]:
    """Each owner's figures in the quarter as the deals stood at `moment` (see the module's rules)."""
    first, last = quarter.bounds(start_month)
    open_then = Q(closed_at__isnull=True) | Q(closed_at__gt=moment)
    later_won = Q(closed_at__gt=moment, stage__is_won=True)
    later_lost = Q(closed_at__gt=moment, stage__is_lost=True)
    still_open = Q(closed_at__isnull=True, stage__is_won=False, stage__is_lost=False)
    probability = Case(
        When(later_won, then=Value(80)), When(later_lost, then=Value(20)), default=F("probability"),
        output_field=BigIntegerField(),
    )  # fmt: skip
    rows = (
        Opportunity.objects.filter(close_date__gte=first, close_date__lte=last, created_at__lte=moment)
        .order_by()
        .values("owner_id")
        .annotate(
            won=Sum(CENTS, filter=Q(stage__is_won=True, closed_at__lte=moment)),
            commit=Sum(CENTS, filter=(still_open & Q(forecast_category=C.COMMIT)) | later_won),
            best_case=Sum(CENTS, filter=still_open & Q(forecast_category=C.BEST_CASE)),
            pipeline=Sum(CENTS, filter=(still_open & Q(forecast_category=C.PIPELINE)) | later_lost),
            weighted=Sum(CENTS * probability, filter=open_then & (still_open | later_won | later_lost)),
        )
    )
    cents = lambda v: (Decimal(v or 0) / 100).quantize(Decimal("0.01"))  # noqa: E731
    return {
        row["owner_id"]: {
            "won": cents(row["won"]),
            "commit": cents(row["commit"]),
            "best_case": cents(row["best_case"]),
            "pipeline": cents(row["pipeline"]),
            "weighted": (Decimal(row["weighted"] or 0) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100,
        }
        for row in rows
    }


def forecast_history_fill(*, today: datetime.date, start_month: int, seed: int, progress: bool = False) -> int:
    """Write the forecast history of the workspace just loaded; returns the rows written."""
    rng = random.Random(seed * 7919 + 18)
    reps = list(User.objects.filter(role=Role.REP).values_list("id", "team__manager_id"))
    managers = dict(reps)
    habit = {rep: rng.uniform(0.85, 1.2) for rep, _ in reps}
    current = fiscal_quarter_of(today, start_month)
    start = current
    for _ in range(HISTORY_QUARTERS):
        start = start.previous()
    weeks = []
    week = week_of(start.bounds(start_month)[0])
    while week <= today:
        weeks.append(week)
        week += datetime.timedelta(weeks=1)
    # Per (rep, quarter): whether they call, whether and when their manager overrides.
    plans: dict[tuple[int, FiscalQuarter], tuple[bool, int | None, float]] = {}
    snapshots: list[Row] = []
    calls: dict[tuple[int, FiscalQuarter], tuple[Decimal, Decimal, str, datetime.datetime]] = {}
    overrides: dict[tuple[int, FiscalQuarter], tuple[Decimal, Decimal, str, datetime.datetime]] = {}
    week_rows: list[Row] = []
    for monday in weeks:
        moment = datetime.datetime.combine(monday, datetime.time(6, 0), tzinfo=datetime.UTC)
        week_rows.append((len(week_rows) + 1, monday, moment, 0))
        quarter = fiscal_quarter_of(monday, start_month)
        for q in (quarter, quarter.next()):
            figures = _as_of(q, start_month, moment)
            number = (monday - week_of(q.bounds(start_month)[0])).days // 7 + 1
            for rep, _ in reps:
                f = figures.get(rep)
                key = (rep, q)
                if key not in plans:
                    override_from = rng.randint(3, 7) if rng.random() < OVERRIDE_SHARE else None
                    if managers[rep] is None:
                        override_from = None
                    plans[key] = (rng.random() >= FORGETFUL, override_from, rng.uniform(0.8, 0.95))
                calls_it, override_from, override_factor = plans[key]
                call = None
                if calls_it and number >= -1 and f is not None:
                    base = f["won"] + f["commit"]
                    commit = _round(base * Decimal(str(habit[rep])))
                    best = max(commit, _round((base + f["best_case"]) * Decimal(str(habit[rep]))))
                    note = calls[key][2] if key in calls else rng.choice(NOTES)
                    call = (commit, best, note, moment)
                    calls[key] = call
                override = None
                if call is not None and override_from is not None and number >= override_from:
                    commit = _round(call[0] * Decimal(str(override_factor)))
                    best = max(commit, call[1])
                    note = overrides[key][2] if key in overrides else rng.choice(OVERRIDE_NOTES)
                    override = (commit, best, note, moment)
                    overrides[key] = override
                if f is None and call is None:
                    continue
                f = f or dict.fromkeys(("won", "commit", "best_case", "pipeline", "weighted"), Decimal("0.00"))
                snapshots.append(
                    (
                        len(snapshots) + 1, rep, q.year, q.quarter, monday, moment,
                        call[0] if call else None, call[1] if call else None,
                        override[0] if override else None, override[1] if override else None,
                        f["won"], f["commit"], f["best_case"], f["pipeline"], f["weighted"],
                    )
                )  # fmt: skip
    counts: dict[datetime.date, int] = {}
    for row in snapshots:
        counts[row[4]] = counts.get(row[4], 0) + 1
    week_rows = [(pk, monday, moment, counts.get(monday, 0)) for pk, monday, moment, _ in week_rows]

    def call_rows() -> Iterator[Row]:
        for i, ((rep, q), (commit, best, note, moment)) in enumerate(sorted(calls.items(), key=lambda c: c[0][0])):
            yield (i + 1, rep, q.year, q.quarter, commit, best, note, moment, moment, 1)

    def override_rows() -> Iterator[Row]:
        items = sorted(overrides.items(), key=lambda c: c[0][0])
        for i, ((rep, q), (commit, best, note, moment)) in enumerate(items):
            yield (i + 1, rep, q.year, q.quarter, commit, best, note, managers[rep], moment, moment, 1)

    writer = writer_for(connection)
    money = ("commit", "best_case")
    tables = [
        Table(ForecastWeek, ("id", "week", "taken_at", "snapshots"), week_rows),
        Table(
            ForecastCall,
            ("id", "rep", "fiscal_year", "fiscal_quarter", *money, "note", "created_at", "updated_at", "version"),
            call_rows(),
        ),
        Table(
            ForecastOverride,
            (
                "id",
                "rep",
                "fiscal_year",
                "fiscal_quarter",
                *money,
                "note",
                "set_by",
                "created_at",
                "updated_at",
                "version",
            ),
            override_rows(),
        ),
        Table(
            ForecastSnapshot,
            (
                "id",
                "rep",
                "fiscal_year",
                "fiscal_quarter",
                "week",
                "taken_at",
                "call_commit",
                "call_best_case",
                "override_commit",
                "override_best_case",
                "closed_won",
                "commit",
                "best_case",
                "pipeline",
                "weighted",
            ),
            snapshots,
            len(snapshots),
        ),
    ]
    return sum(writer.write(table, progress=progress) for table in tables)


FORECAST_MODELS = (ForecastWeek, ForecastCall, ForecastOverride, ForecastSnapshot)
