"""What each person sees first: their next things to do, by role.

Every card reads through the apps' visibility selectors and costs one bounded query (a LIMIT or
an aggregate), so a home page costs the same whether the company has ten deals or a million.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from tandem.asks.filters import asks_escalated, asks_in_status
from tandem.asks.models import Ask
from tandem.asks.selectors import ask_inbox_count, ask_rows, ask_visible, decision_visible, feature_evidence_visible
from tandem.core import formats
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.money import CENT, workspace_get
from tandem.core.permissions import has_permission
from tandem.core.roles import Role
from tandem.decisions.selectors import escalations_overdue_for_home
from tandem.people.models import User
from tandem.people.selectors import team_visible, user_visible
from tandem.planning.permissions import PlanningPermission
from tandem.product.models import Feature, Release
from tandem.product.selectors import feature_visible, release_visible
from tandem.reviews.selectors import action_items_open_for
from tandem.sales.models import Opportunity, Stage
from tandem.sales.selectors import WEIGHTED, opportunity_visible, quota_visible
from tandem.scorecards.permissions import ScorecardsPermission

ZERO = Decimal("0.00")
OPEN = Q(stage__is_won=False, stage__is_lost=False)
WON = Q(stage__is_won=True)


@dataclass(frozen=True)
class Attainment:
    """Won and open money in one period against its quota, all in the home currency."""

    won: Decimal
    open: Decimal
    weighted: Decimal
    open_count: int
    quota: Decimal | None

    @property
    def percent(self) -> int | None:
        """Won as a whole percentage of quota; None when there is no quota to measure against."""
        if not self.quota:
            return None
        return int(self.won * 100 / self.quota)

    @property
    def gap(self) -> Decimal | None:
        """What is still to win to reach the quota (never negative)."""
        if self.quota is None:
            return None
        return max(self.quota - self.won, ZERO)


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def _in_quarter(quarter: FiscalQuarter, start_month: int) -> Q:
    first, last = quarter.bounds(start_month)
    return Q(close_date__gte=first, close_date__lte=last)


def _attainment(deals: QuerySet[Opportunity], quota: Decimal | None) -> Attainment:
    totals = deals.aggregate(
        won=Sum("amount_home", filter=WON),
        open=Sum("amount_home", filter=OPEN),
        weighted=Sum(WEIGHTED, filter=OPEN),
        open_count=Count("id", filter=OPEN),
    )
    return Attainment(
        won=_money(totals["won"]),
        open=_money(totals["open"]),
        weighted=_money(totals["weighted"]),
        open_count=totals["open_count"],
        quota=quota,
    )


def quota_totals(*, user: User, quarters: list[FiscalQuarter]) -> dict[FiscalQuarter, Decimal]:
    """Quota per fiscal quarter over the quotas this person may see, in one grouped query.

    A rep sees their own quota, a sales manager their teams' and members', an executive or admin
    every quota. Where a quarter has team quotas they are the target; otherwise the people's
    quotas add up to it. Summing both would count the same target twice.
    """
    if not quarters:
        return {}
    wanted = Q()
    for quarter in quarters:
        wanted |= Q(fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
    rows = (
        quota_visible(user=user)
        .filter(wanted)
        .values("fiscal_year", "fiscal_quarter")
        .annotate(
            teams=Sum("amount", filter=Q(team__isnull=False)),
            people=Sum("amount", filter=Q(user__isnull=False)),
        )
        .order_by()
    )
    return {
        FiscalQuarter(row["fiscal_year"], row["fiscal_quarter"]): _money(row["teams"] or row["people"]) for row in rows
    }


def _quota_for(user: User, quarter: FiscalQuarter) -> Decimal | None:
    return quota_totals(user=user, quarters=[quarter]).get(quarter)


def _top_features(user: User) -> list[Any]:
    return list(
        feature_evidence_visible(user=user)
        .filter(open_pipeline__gt=0)
        .exclude(feature__status__in=[Feature.Status.SHIPPED, Feature.Status.DECLINED])
        .select_related("feature", "feature__product", "feature__release")
        .order_by("-open_pipeline", "feature_id")[:10]
    )


def _upcoming_releases(user: User, today: datetime.date) -> list[Release]:
    return list(
        release_visible(user=user)
        .filter(status=Release.Status.PLANNED)
        .select_related("product")
        .annotate(
            features_count=Count("features"),
            unestimated_count=Count(
                "features",
                filter=Q(features__effort__isnull=True) & ~Q(features__status=Feature.Status.DECLINED),
            ),
        )
        .order_by("target_date", "name")[:6]
    )


def _deal_list(**filters: object) -> str:
    """The deal list showing the rows behind a figure (the list applies the viewer's visibility)."""
    return f"{reverse('sales:opportunity_list')}?{urlencode({k: str(v) for k, v in filters.items()})}"


def _deal_links(quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, str]:
    """Where each pipeline figure of a home page leads: the deals it adds up."""
    first, last = quarter.bounds(start_month)
    in_quarter = {"close_date_from": first.isoformat(), "close_date_to": last.isoformat()}
    return {
        "won": _deal_list(status="won", **in_quarter),
        "open": _deal_list(status="open", **in_quarter),
        "slipping": _deal_list(status="open", close_date_to=(today - datetime.timedelta(days=1)).isoformat()),
        **{
            f"forecast_{category}": _deal_list(status="open", forecast_category=category, **in_quarter)
            for category in Stage.ForecastCategory.values
        },
    }


def _rep(user: User, quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, Any]:
    mine = opportunity_visible(user=user).filter(owner=user)
    this_quarter = mine.filter(_in_quarter(quarter, start_month))
    return {
        "deals": list(
            this_quarter.filter(OPEN)
            .select_related("account", "stage")
            .order_by("-amount_home", "close_date", "id")[:10]
        ),
        "attainment": _attainment(this_quarter, _quota_for(user, quarter)),
        "asks": list(
            ask_visible(user=user)
            .filter(requested_by=user)
            .select_related("account", "feature__release")
            .order_by("-created_at", "-id")[:8]
        ),
        "slipping_count": mine.filter(OPEN, close_date__lt=today).count(),
        "links": _deal_links(quarter, start_month, today),
    }


def _sales_manager(user: User, quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, Any]:
    team_deals = opportunity_visible(user=user)
    slipping = team_deals.filter(OPEN, close_date__lt=today)
    this_quarter = team_deals.filter(_in_quarter(quarter, start_month))
    by_category: dict[str, Any] = {
        row["forecast_category"]: row
        for row in this_quarter.filter(OPEN)
        .values("forecast_category")
        .annotate(total=Sum("amount_home"), count=Count("id"))
        .order_by()
    }
    # Strongest first: commit, then best case, then pipeline.
    forecast = [
        {
            "category": category,
            "label": label,
            "total": _money(by_category.get(category, {}).get("total")),
            "count": by_category.get(category, {}).get("count", 0),
        }
        for category, label in reversed(Stage.ForecastCategory.choices)
        if category not in (Stage.ForecastCategory.CLOSED, Stage.ForecastCategory.OMITTED)
    ]
    links = _deal_links(quarter, start_month, today)
    for row in forecast:
        row["url"] = links[f"forecast_{row['category']}"]
    answered_no = asks_escalated(asks_in_status(ask_rows(user=user), "declined_or_later"), "none")
    return {
        "answered_no": list(answered_no.order_by("-value_home", "-id")[:5]),
        "answered_no_url": f"{reverse('asks:ask_list')}?status=declined_or_later&escalation=none&sort=-value",
        "links": links,
        "forecast": forecast,
        "attainment": _attainment(this_quarter, _quota_for(user, quarter)),
        "slipping_count": slipping.count(),
        "slipping": list(
            slipping.select_related("account", "owner", "stage").order_by("close_date", "-amount_home", "id")[:10]
        ),
    }


def _product_manager(user: User, quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, Any]:
    new_asks = ask_visible(user=user).filter(status=Ask.Status.NEW)
    new_count = ask_inbox_count(user=user)
    return {
        "new_asks_count": new_count.shown,
        "more_new_asks": new_count.more,
        "new_asks": list(
            new_asks.select_related("account", "requested_by", "opportunity").order_by("-created_at", "-id")[:10]
        ),
        "top_features": _top_features(user),
        "releases": _upcoming_releases(user, today),
    }


def _engineering_lead(user: User, quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, Any]:
    unestimated = feature_visible(user=user).filter(
        status__in=[Feature.Status.PLANNED, Feature.Status.IN_PROGRESS], effort__isnull=True
    )
    return {
        "unestimated_url": f"{reverse('product:feature_list')}?status=scheduled&estimated=no",
        "unestimated_count": unestimated.count(),
        "unestimated": list(
            unestimated.select_related("product", "release").order_by(
                F("release__target_date").asc(nulls_last=True), "title", "id"
            )[:10]
        ),
        "releases": _upcoming_releases(user, today),
    }


def _executive(user: User, quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, Any]:
    this_quarter = opportunity_visible(user=user).filter(_in_quarter(quarter, start_month))
    return {
        "links": _deal_links(quarter, start_month, today),
        "attainment": _attainment(this_quarter, _quota_for(user, quarter)),
        "top_features": _top_features(user),
        "decisions": list(
            decision_visible(user=user)
            .select_related("feature", "ask", "decided_by", "release")
            .order_by("-decided_at", "-id")[:8]
        ),
    }


def _admin(user: User, quarter: FiscalQuarter, start_month: int, today: datetime.date) -> dict[str, Any]:
    counts = {
        row["role"]: row["count"]
        for row in user_visible(user=user).filter(is_active=True).values("role").annotate(count=Count("id")).order_by()
    }
    # One row more than shown tells whether there are more, without a COUNT.
    teams = list(team_visible(user=user).filter(manager__isnull=True).order_by("name")[:11])
    users = reverse("admin:people_user_changelist")
    return {
        "users_url": f"{users}?is_active__exact=1",
        "users_by_role": [
            {"role": role, "label": label, "count": counts.get(role, 0), "url": f"{users}?role__exact={role}"}
            for role, label in Role.choices
        ],
        "users_total": sum(counts.values()),
        "teams_without_manager": teams[:10],
        "more_teams_without_manager": len(teams) > 10,
    }


SECTIONS = {
    Role.REP: _rep,
    Role.SALES_MANAGER: _sales_manager,
    Role.PRODUCT_MANAGER: _product_manager,
    Role.ENGINEERING_LEAD: _engineering_lead,
    Role.EXECUTIVE: _executive,
    Role.ADMIN: _admin,
}


def _together_links(user: User) -> list[tuple[str, str, str]]:
    """Where product and sales work together, for those who may open it (the navbar has no room)."""
    links = [("Product-sales reviews", reverse("reviews:review_list"), "bi-people")]
    if has_permission(user, PlanningPermission.VIEW_PLANNING):
        links.append(("Quarterly planning", reverse("planning:planning"), "bi-kanban"))
    if has_permission(user, ScorecardsPermission.VIEW_SCORECARDS):
        links.append(("Scorecards", reverse("scorecards:scorecards"), "bi-clipboard-data"))
    return links


def home_context(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the home page of `user` shows, read through the visibility selectors."""
    today = today or timezone.localdate()
    workspace = workspace_get()
    start_month = workspace.fiscal_year_start_month
    quarter = fiscal_quarter_of(today, start_month)
    first, last = quarter.bounds(start_month)
    return {
        "role": user.role,
        "today": today,
        "quarter": quarter,
        "quarter_first": first,
        "quarter_last": last,
        "home_currency": workspace.home_currency,
        "overdue_escalations": escalations_overdue_for_home(user=user, today=today),
        "open_action_items": action_items_open_for(user=user),
        "together_links": _together_links(user),
        **SECTIONS[Role(user.role)](user, quarter, start_month, today),
    }


DASHBOARD_QUARTERS = 6


def _chart_ready(months: dict[str, Any]) -> dict[str, Any]:
    """Amounts as numbers for the page's JSON (json_script does not write Decimals)."""
    for series in months["series"]:
        for point in series["points"]:
            point["total"] = float(point["total"])
    return months


CLOSE_MONTHS = 6
# The stacking order of the month-of-close chart: surest at the bottom.
OPEN_CATEGORIES = [
    Stage.ForecastCategory.COMMIT,
    Stage.ForecastCategory.BEST_CASE,
    Stage.ForecastCategory.PIPELINE,
    Stage.ForecastCategory.OMITTED,
]


def _month_start(day: datetime.date, months_after: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months_after
    return datetime.date(index // 12, index % 12 + 1, 1)


def pipeline_by_close_month(*, user: User, today: datetime.date, months: int = CLOSE_MONTHS) -> dict[str, Any]:
    """The open deals this user sees, by month of close date (this month and the next ones) and by
    forecast category, each figure with the deal list behind it. Deals whose close date has passed
    are counted in a first "Overdue" column: they are still open and still someone's to close.
    One grouped query."""
    first = _month_start(today)
    after = _month_start(today, months)
    columns: list[tuple[str, datetime.date | None, datetime.date | None]] = [("Overdue", None, first)]
    for i in range(months):
        start = _month_start(today, i)
        columns.append((formats.month_short(start), start, _month_start(today, i + 1)))
    totals: dict[tuple[int, str], tuple[Decimal, int]] = {}
    rows = (
        opportunity_visible(user=user)
        .filter(OPEN, closed_at__isnull=True, close_date__lt=after)
        .annotate(month=TruncMonth("close_date"))
        .values("month", "forecast_category")
        .annotate(total=Sum("amount_home"), count=Count("id"))
        .order_by()
    )
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        column = 0 if month < first else (month.year * 12 + month.month) - (first.year * 12 + first.month) + 1
        old_total, old_count = totals.get((column, row["forecast_category"]), (ZERO, 0))
        totals[(column, row["forecast_category"])] = (old_total + _money(row["total"]), old_count + row["count"])
    series = []
    for category in OPEN_CATEGORIES:
        points = []
        for index, (_, month_first, month_after) in enumerate(columns):
            total, count = totals.get((index, category), (ZERO, 0))
            dates = {"close_date_to": (month_after - datetime.timedelta(days=1)).isoformat()} if month_after else {}
            if month_first:
                dates["close_date_from"] = month_first.isoformat()
            points.append(
                {
                    "total": total,
                    "count": count,
                    "url": _deal_list(status="open", forecast_category=category, **dates),
                }
            )
        series.append({"category": category.value, "name": category.label, "points": points})
    return {"months": [label for label, _, _ in columns], "series": series}


def dashboard_pipeline(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """The pipeline dashboard: open deals by stage and by month of close, and won per fiscal quarter
    against quota.

    Four aggregate queries whatever the number of deals: one GROUP BY stage, one sum per quarter
    (filtered sums in a single statement), one grouped read of the quotas, one GROUP BY month and
    forecast category.
    """
    today = today or timezone.localdate()
    workspace = workspace_get()
    start_month = workspace.fiscal_year_start_month
    quarters = [fiscal_quarter_of(today, start_month)]
    while len(quarters) < DASHBOARD_QUARTERS:
        quarters.insert(0, quarters[0].previous())
    deals = opportunity_visible(user=user)
    stages = (
        deals.filter(OPEN)
        .values("stage_id", "stage__name", "stage__order")
        .annotate(total=Sum("amount_home"), count=Count("id"))
        .order_by("stage__order")
    )
    first, _ = quarters[0].bounds(start_month)
    _, last = quarters[-1].bounds(start_month)
    won = deals.filter(WON, close_date__gte=first, close_date__lte=last).aggregate(
        **{f"q{i}": Sum("amount_home", filter=_in_quarter(q, start_month)) for i, q in enumerate(quarters)}
    )
    quotas = quota_totals(user=user, quarters=quarters)
    return {
        "currency": workspace.home_currency,
        "quarter": str(quarters[-1]),
        # Product managers see no quota: their chart is won revenue alone, and says so.
        "has_quota": bool(quotas),
        "stages": [
            {
                "name": row["stage__name"],
                "total": float(_money(row["total"])),
                "count": row["count"],
                "url": _deal_list(status="open", stage=row["stage_id"]),
            }
            for row in stages
        ],
        "close_months": _chart_ready(pipeline_by_close_month(user=user, today=today)),
        "quarters": [
            {
                "label": str(q),
                "won": float(_money(won[f"q{i}"])),
                "quota": float(quotas[q]) if q in quotas else None,
            }
            for i, q in enumerate(quarters)
        ],
    }
