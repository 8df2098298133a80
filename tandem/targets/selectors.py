"""Reads of targets, quotas and the sales metrics.

`sales_metrics` computes attainment and the other figures of a period for every rep in sight in
one grouped query over deals and one over quotas, then rolls them up rep → team → company in
Python by adding the members' components (won, lost, open, quota, cycle time), so a team's
figures are always the sum of its reps' and the company's the sum of its teams'. Ratios (attainment,
win rate, coverage, average deal size, cycle length) are computed from the summed components,
never averaged.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.roles import Role
from tandem.core.selectors import record_for_change
from tandem.people.models import Team, Territory, User, user_name
from tandem.people.selectors import (
    sees_everything_in_pipeline,
    team_member_ids,
    territory_changeable,
    territory_visible,
)
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import WEIGHTED, opportunity_visible, quota_visible, rep_month_figures_visible
from tandem.targets.models import ClosedMonthFigures, SalesTarget

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
NO_TEAM = 0


# Visibility of the annual target


def sales_target_visible(*, user: User) -> QuerySet[SalesTarget]:
    """The company's target is seen by sales managers, executives and admins (reps see their quotas)."""
    if user.role in (Role.SALES_MANAGER, Role.EXECUTIVE, Role.ADMIN):
        return SalesTarget.objects.all()
    return SalesTarget.objects.none()


def sales_target_changeable(*, user: User) -> QuerySet[SalesTarget]:
    """Executives and admins set the target; a sales manager changes their teams' rep quotas, which is
    a change to the quotas (`quota_changeable`), not to the target."""
    if user.role in (Role.EXECUTIVE, Role.ADMIN):
        return SalesTarget.objects.all()
    return SalesTarget.objects.none()


# The sales organisation the breakdown follows


@dataclass(frozen=True)
class SalesStructure:
    reps_by_team: dict[int, list[int]]  # sales teams with at least one active rep → rep ids
    potential_by_team: dict[int, Decimal]  # the potential of each team's territory


def sales_structure() -> SalesStructure:
    """The sales teams that carry quotas (a sales team with at least one active rep) and their reps,
    in two queries."""
    reps: dict[int, list[int]] = defaultdict(list)
    for user_id, team_id in (
        User.objects.filter(role=Role.REP, is_active=True, team__kind=Team.Kind.SALES)
        .order_by("pk")
        .values_list("pk", "team_id")
    ):
        reps[team_id].append(user_id)
    potential = dict(Team.objects.filter(pk__in=list(reps)).values_list("pk", "territory__potential"))
    return SalesStructure(reps_by_team=dict(reps), potential_by_team={k: v or ZERO for k, v in potential.items()})


# Periods


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str

    def quarters(self, start_month: int) -> list[FiscalQuarter]:
        first = fiscal_quarter_of(self.start, start_month)
        last = fiscal_quarter_of(self.end, start_month)
        quarters = [first]
        while quarters[-1] < last:
            quarters.append(quarters[-1].next())
        return quarters


def period_of_quarter(quarter: FiscalQuarter, start_month: int) -> Period:
    first, last = quarter.bounds(start_month)
    return Period(first, last, str(quarter))


def period_of_year(fiscal_year: int, start_month: int) -> Period:
    return Period(
        FiscalQuarter(fiscal_year, 1).bounds(start_month)[0],
        FiscalQuarter(fiscal_year, 4).bounds(start_month)[1],
        f"FY{fiscal_year}",
    )


def quota_share(amount: Decimal, quarter_bounds: tuple[datetime.date, datetime.date], period: Period) -> Decimal:
    """The part of a quarter's quota that falls in the period: all of it when the period covers the
    quarter, else in proportion to the days covered, rounded half up to the cent."""
    first, last = quarter_bounds
    start, end = max(first, period.start), min(last, period.end)
    if start > end:
        return ZERO
    if start == first and end == last:
        return amount
    covered = (end - start).days + 1
    days = (last - first).days + 1
    return (amount * covered / days).quantize(CENT, rounding=ROUND_HALF_UP)


# The figures


@dataclass
class Figures:
    """The components of the metrics of a rep, a team or the company over a period; ratios derive."""

    quota: Decimal = ZERO
    won_amount: Decimal = ZERO
    won_count: int = 0
    lost_amount: Decimal = ZERO
    lost_count: int = 0
    open_amount: Decimal = ZERO
    open_count: int = 0
    cycle_total: datetime.timedelta = datetime.timedelta(0)
    cycle_count: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            quota=self.quota + other.quota,
            won_amount=self.won_amount + other.won_amount,
            won_count=self.won_count + other.won_count,
            lost_amount=self.lost_amount + other.lost_amount,
            lost_count=self.lost_count + other.lost_count,
            open_amount=self.open_amount + other.open_amount,
            open_count=self.open_count + other.open_count,
            cycle_total=self.cycle_total + other.cycle_total,
            cycle_count=self.cycle_count + other.cycle_count,
        )

    def __sub__(self, other: "Figures") -> "Figures":
        return self + Figures(
            quota=-other.quota,
            won_amount=-other.won_amount,
            won_count=-other.won_count,
            lost_amount=-other.lost_amount,
            lost_count=-other.lost_count,
            open_amount=-other.open_amount,
            open_count=-other.open_count,
            cycle_total=-other.cycle_total,
            cycle_count=-other.cycle_count,
        )

    @property
    def attainment(self) -> Decimal | None:
        """Won as a share of quota (1 = 100%); None without a quota."""
        return self.won_amount / self.quota if self.quota else None

    @property
    def gap(self) -> Decimal:
        """What is still to win to reach the quota, never negative."""
        return max(self.quota - self.won_amount, ZERO)

    @property
    def coverage(self) -> Decimal | None:
        """Open pipeline closing in the period over the gap (2 = twice the gap); None without a gap."""
        return self.open_amount / self.gap if self.gap else None

    @property
    def win_rate(self) -> Decimal | None:
        """Deals won over deals closed (won or lost) in the period, by count: the one the pages show."""
        closed = self.won_count + self.lost_count
        return Decimal(self.won_count) / closed if closed else None

    @property
    def win_rate_amount(self) -> Decimal | None:
        """Amount won over amount closed (won or lost) in the period."""
        closed = self.won_amount + self.lost_amount
        return self.won_amount / closed if closed else None

    @property
    def average_deal(self) -> Decimal | None:
        """Average amount of the deals won in the period, to the cent."""
        return (self.won_amount / self.won_count).quantize(CENT, rounding=ROUND_HALF_UP) if self.won_count else None

    @property
    def cycle_days(self) -> Decimal | None:
        """Average days from creation to closing of the deals won in the period, to a tenth of a day."""
        if not self.cycle_count:
            return None
        seconds = (
            Decimal(self.cycle_total.days * 86400 + self.cycle_total.seconds)
            + Decimal(self.cycle_total.microseconds) / 1_000_000
        )
        return (seconds / 86400 / self.cycle_count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class MetricsRow:
    kind: str  # "rep", "team" or "company"
    id: int | None
    name: str
    figures: Figures
    team_id: int | None = None
    members: list["MetricsRow"] = field(default_factory=list)


@dataclass
class MetricsReport:
    period: Period
    company: MetricsRow
    teams: list[MetricsRow]

    def reps(self) -> list[MetricsRow]:
        return [rep for team in self.teams for rep in team.members]


WON = Q(stage__is_won=True)
LOST = Q(stage__is_lost=True)
OPEN = Q(closed_at__isnull=True, stage__is_won=False, stage__is_lost=False)
CYCLE = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def _people_in_scope(user: User) -> Q | None:
    """The reps whose rows a person sees even without deals or quota: their own, a manager's teams',
    every active rep for those who see the whole pipeline; None: only themselves."""
    if user.role == Role.SALES_MANAGER:
        return Q(pk__in=team_member_ids(manager=user))
    if user.role in (Role.EXECUTIVE, Role.ADMIN) or sees_everything_in_pipeline(user):
        return Q(role=Role.REP, is_active=True)
    return Q(pk=user.pk)


def _whole_months(period: Period) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of the calendar months the period covers whole, if any."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    ends_a_month = _next_month(period.end) - datetime.timedelta(days=1) == period.end
    last = period.end if ends_a_month else period.end.replace(day=1) - datetime.timedelta(days=1)
    return (first, last) if first <= last else None


@dataclass(frozen=True)
class MonthsAndDays:
    """A period read as whole months from a summary, plus the deals of some days, less those of others."""

    months: tuple[datetime.date, datetime.date] | None  # first days of the first and last month
    added: list[tuple[datetime.date, datetime.date]]
    taken: list[tuple[datetime.date, datetime.date]]


def _months_and_days(period: Period) -> MonthsAndDays:
    """A partial month at either end is read from whichever side has fewer days: its days in the
    period from the deals, or the whole month from the summary less its days outside the period
    (the 365 days to the 8th: 8 days taken off the first month rather than its 23 added)."""
    start, end = period.start, period.end
    if start.replace(day=1) == end.replace(day=1) and _whole_months(period) is None:
        return MonthsAndDays(None, [(start, end)], [])
    added: list[tuple[datetime.date, datetime.date]] = []
    taken: list[tuple[datetime.date, datetime.date]] = []
    first = start.replace(day=1)
    if start != first:
        after = _next_month(start)
        if (start - first).days < (after - start).days:
            taken.append((first, start - datetime.timedelta(days=1)))
        else:
            added.append((start, after - datetime.timedelta(days=1)))
            first = after
    last = end.replace(day=1)
    month_end = _next_month(end) - datetime.timedelta(days=1)
    if end != month_end:
        if (month_end - end).days < end.day:
            taken.append((end + datetime.timedelta(days=1), month_end))
        else:
            added.append((last, end))
            last = (last - datetime.timedelta(days=1)).replace(day=1)
    return MonthsAndDays((first, last) if first <= last else None, added, taken)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _cents(value: int | None) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(CENT)


def _deal_figures(*, user: User, period: Period) -> dict[int, Figures]:
    """Each visible rep's deal figures over the period: the months it covers whole from the reps'
    months of deals (`RepMonthFigures`, kept equal to the deals by the database), the days before
    and after them from the deals themselves. Two grouped queries, the second over a few weeks of
    deals at most, whatever the period's length."""
    figures: dict[int, Figures] = defaultdict(Figures)
    plan = _months_and_days(period)
    if plan.months is not None:
        first, last = plan.months
        months = (
            rep_month_figures_visible(user=user)
            .filter(month__gte=first, month__lte=last)
            .order_by()
            .values("owner_id")
            .annotate(
                count=Sum("deals"),
                won_amount=Sum("won_cents"),
                won_count=Sum("won_count"),
                lost_amount=Sum("lost_cents"),
                lost_count=Sum("lost_count"),
                open_amount=Sum("open_cents"),
                open_count=Sum("open_count"),
                cycle_total=Sum("cycle_microseconds"),
                cycle_count=Sum("cycle_count"),
            )
            .filter(count__gt=0)
        )
        for row in months:
            figures[row["owner_id"]] = Figures(
                won_amount=_cents(row["won_amount"]),
                won_count=row["won_count"],
                lost_amount=_cents(row["lost_amount"]),
                lost_count=row["lost_count"],
                open_amount=_cents(row["open_amount"]),
                open_count=row["open_count"],
                cycle_total=datetime.timedelta(microseconds=row["cycle_total"]),
                cycle_count=row["cycle_count"],
            )
    if not (plan.added or plan.taken):
        return figures
    days = Q()
    for start, end in plan.added + plan.taken:
        days |= Q(close_date__gte=start, close_date__lte=end)
    taken = Q()
    for start, end in plan.taken:
        taken |= Q(close_date__gte=start, close_date__lte=end)
    cycled = WON & Q(closed_at__isnull=False)
    sums: dict[str, Any] = {}
    sides = [("added", ~taken), ("taken", taken)] if plan.taken else [("added", Q())]
    for side, where in sides:
        sums |= {
            f"{side}_won_amount": Sum("amount_home", filter=WON & where),
            f"{side}_won_count": Count("id", filter=WON & where),
            f"{side}_lost_amount": Sum("amount_home", filter=LOST & where),
            f"{side}_lost_count": Count("id", filter=LOST & where),
            f"{side}_open_amount": Sum("amount_home", filter=OPEN & where),
            f"{side}_open_count": Count("id", filter=OPEN & where),
            f"{side}_cycle_total": Sum(CYCLE, filter=cycled & where),
            f"{side}_cycle_count": Count("id", filter=cycled & where),
        }
    for deal in opportunity_visible(user=user).filter(days).order_by().values("owner_id").annotate(**sums):
        owner = deal["owner_id"]
        figures[owner] = figures[owner] + _side(deal, "added")
        if plan.taken:
            figures[owner] = figures[owner] - _side(deal, "taken")
    return figures


def _side(deal: Mapping[str, Any], side: str) -> Figures:
    return Figures(
        won_amount=deal[f"{side}_won_amount"] or ZERO,
        won_count=deal[f"{side}_won_count"],
        lost_amount=deal[f"{side}_lost_amount"] or ZERO,
        lost_count=deal[f"{side}_lost_count"],
        open_amount=deal[f"{side}_open_amount"] or ZERO,
        open_count=deal[f"{side}_open_count"],
        cycle_total=_duration(deal[f"{side}_cycle_total"]),
        cycle_count=deal[f"{side}_cycle_count"],
    )


def sales_metrics(*, user: User, period: Period, start_month: int) -> MetricsReport:
    """Attainment to date, gap, coverage, win rate, average deal size and cycle length of the period,
    for every rep this person sees, rolled up rep → team → company. Four queries whatever the
    number of reps: the deals grouped by owner (`_deal_figures`: their whole months, then the days
    around them), the quotas of the period's quarters, the people."""
    figures = _deal_figures(user=user, period=period)
    quarters = period.quarters(start_month)
    in_quarters = Q()
    for quarter in quarters:
        in_quarters |= Q(fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
    bounds = {(q.year, q.quarter): q.bounds(start_month) for q in quarters}
    for user_id, year, number, amount in (
        quota_visible(user=user)
        .filter(in_quarters, user__isnull=False)
        .order_by()
        .values_list("user_id", "fiscal_year", "fiscal_quarter", "amount")
    ):
        figures[user_id].quota += quota_share(amount, bounds[(year, number)], period)
    scope = _people_in_scope(user)
    people = User.objects.filter(Q(pk__in=list(figures)) | scope if scope is not None else Q(pk__in=list(figures)))
    teams: dict[int, MetricsRow] = {}
    for pk, first, last, username, team_id, team_name in people.order_by("first_name", "last_name", "pk").values_list(
        "pk", "first_name", "last_name", "username", "team_id", "team__name"
    ):
        key = team_id or NO_TEAM
        team = teams.get(key)
        if team is None:
            team = teams[key] = MetricsRow("team", team_id, team_name or "No team", Figures())
        rep = MetricsRow("rep", pk, user_name(first, last, username), figures.get(pk, Figures()), team_id=team_id)
        team.members.append(rep)
        team.figures = team.figures + rep.figures
    ordered = sorted(teams.values(), key=lambda t: (t.id is None, t.name))
    company = MetricsRow("company", None, "Company" if sees_everything_in_pipeline(user) else "Total", Figures())
    for team in ordered:
        company.figures = company.figures + team.figures
    return MetricsReport(period=period, company=company, teams=ordered)


def _duration(value: object) -> datetime.timedelta:
    if value is None:
        return datetime.timedelta(0)
    if isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=int(value))  # type: ignore[call-overload]


# Win rate by competitor, segment or lead source: the charts of the attainment page

WIN_RATE_GROUPS = {
    "competitor": "Competitor",
    "segment": "Segment",
    "lead_source": "Lead source",
}


@dataclass(frozen=True)
class WinRateRow:
    key: str
    label: str
    won_count: int
    lost_count: int
    won_amount: Decimal
    lost_amount: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won_count + self.lost_count
        return Decimal(self.won_count) / closed if closed else None


def closed_month_figures_visible(*, user: User) -> QuerySet[ClosedMonthFigures]:
    """A rep's month of closed deals is seen by whoever sees that rep's deals (`opportunity_visible`):
    it is their sum."""
    qs = ClosedMonthFigures.objects.all()
    if sees_everything_in_pipeline(user):
        return qs
    if user.role == Role.SALES_MANAGER:
        return qs.filter(owner__in=team_member_ids(manager=user))
    if user.role == Role.REP:
        return qs.filter(owner=user)
    return qs.none()


def closed_month_figures_changeable(*, user: User) -> QuerySet[ClosedMonthFigures]:
    """Written by the database's triggers alone (tandem/targets/closed_figures.py)."""
    return ClosedMonthFigures.objects.none()


def win_rates(*, user: User, period: Period) -> dict[str, list[WinRateRow]]:
    """Deals closed (won or lost) in the period that this person sees, grouped by competitor, account
    segment and lead source (`WIN_RATE_GROUPS`), most closed first. Two queries, grouped by the three
    at once (a few hundred rows): the months the period covers whole from the reps' months of closed
    deals (`ClosedMonthFigures`, kept equal to the deals by the database), the days before and after
    them from the deals themselves. Deals without one are grouped under "None"."""
    columns = {"competitor": "competitor_id", "segment": "account__segment", "lead_source": "lead_source"}
    rows: list[dict[str, Any]] = []
    plan = _months_and_days(period)
    if plan.months is not None:
        first, last = plan.months
        for month in (
            closed_month_figures_visible(user=user)
            .filter(month__gte=first, month__lte=last)
            .order_by()
            .values("competitor", "segment", "lead_source")
            .annotate(
                won=Sum("won_count"), lost=Sum("lost_count"), won_cents=Sum("won_cents"), lost_cents=Sum("lost_cents")
            )
        ):
            rows.append(
                {
                    "competitor_id": month["competitor"] or None,
                    "account__segment": month["segment"],
                    "lead_source": month["lead_source"],
                    "won_count": month["won"],
                    "lost_count": month["lost"],
                    "won_amount": _cents(month["won_cents"]),
                    "lost_amount": _cents(month["lost_cents"]),
                }
            )
    if plan.added or plan.taken:
        days = Q()
        for start, end in plan.added + plan.taken:
            days |= Q(close_date__gte=start, close_date__lte=end)
        taken = Q()
        for start, end in plan.taken:
            taken |= Q(close_date__gte=start, close_date__lte=end)
        sign = Case(When(taken, then=Value(-1)), default=Value(1)) if plan.taken else Value(1)
        money = DecimalField(max_digits=16, decimal_places=2)
        rows += (
            opportunity_visible(user=user)
            .filter(WON | LOST, days)
            .order_by()
            .values(*columns.values())
            .annotate(
                won_count=Sum(sign, filter=WON),
                lost_count=Sum(sign, filter=LOST),
                won_amount=Sum(ExpressionWrapper(F("amount_home") * sign, output_field=money), filter=WON),
                lost_amount=Sum(ExpressionWrapper(F("amount_home") * sign, output_field=money), filter=LOST),
            )
        )
    charts = {}
    for by, column in columns.items():
        sums: dict[object, list[Any]] = {}
        for row in rows:
            key = row[column]
            total = sums.setdefault(key, [0, 0, ZERO, ZERO])
            total[0] += row["won_count"] or 0
            total[1] += row["lost_count"] or 0
            total[2] += row["won_amount"] or ZERO
            total[3] += row["lost_amount"] or ZERO
        labels = _labels(by, sums)
        result = [
            WinRateRow(
                key="" if key in (None, "") else str(key),
                label=labels.get(key, "None"),
                won_count=won_count,
                lost_count=lost_count,
                won_amount=won_amount,
                lost_amount=lost_amount,
            )
            for key, (won_count, lost_count, won_amount, lost_amount) in sums.items()
            if won_count or lost_count  # a group whose deals all moved away, or were taken off, shows no bar
        ]
        charts[by] = sorted(result, key=lambda r: (-(r.won_count + r.lost_count), r.label))
    return charts


def _labels(by: str, keys: Iterable[object]) -> dict[object, str]:
    if by == "segment":
        return dict(Account.Segment.choices)
    if by == "lead_source":
        return dict(Opportunity.LeadSource.choices)
    from tandem.competition.models import Competitor

    ids = [k for k in keys if isinstance(k, int)]
    return dict(Competitor.objects.filter(pk__in=ids).values_list("pk", "name"))


def year_forecast(*, user: User, fiscal_year: int, start_month: int) -> dict[str, Decimal]:
    """The year's forecast beside its target, over the deals this person sees: won so far in the year,
    plus the open pipeline closing in it weighted by each deal's probability."""
    period = period_of_year(fiscal_year, start_month)
    figures = (
        opportunity_visible(user=user)
        .filter(close_date__gte=period.start, close_date__lte=period.end)
        .aggregate(
            won=Sum("amount_home", filter=WON),
            weighted=Sum(WEIGHTED, filter=OPEN),
            open=Sum("amount_home", filter=OPEN),
        )
    )
    won = figures["won"] or ZERO
    weighted = (figures["weighted"] or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"won": won, "weighted": weighted, "open": figures["open"] or ZERO, "forecast": won + weighted}


# Territories


def territory_rule(territory: Territory) -> Q | None:
    """The accounts a territory's rule matches (every non-empty part must match), or None without a rule."""
    parts = {
        "region__iexact": territory.rule_region,
        "segment": territory.rule_segment,
        "industry__iexact": territory.rule_industry,
    }
    given = {k: v for k, v in parts.items() if v}
    return Q(**given) if given else None


def territory_get(*, user: User, pk: int) -> Territory:
    return get_object_or_404(territory_visible(user=user), pk=pk)


def territory_for_change(*, user: User, pk: int, lock: bool = False) -> Territory:
    """A territory to change: 404 unseen, 403 seen but not the user's (admins, a manager's teams')."""
    territory = record_for_change(
        visible=territory_visible(user=user),
        changeable=territory_changeable(user=user),
        pk=pk,
        refusal="Admins change territories; a sales manager those their teams cover.",
    )
    return Territory.objects.select_for_update().get(pk=territory.pk) if lock else territory


def territory_rows(*, user: User) -> QuerySet[Territory]:
    """Territories with the number of accounts in each and the teams covering it, for the list."""
    return (
        territory_visible(user=user).annotate(account_count=Count("accounts", distinct=True)).prefetch_related("teams")
    )
