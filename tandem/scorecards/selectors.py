"""The scorecards of a quarter, side by side: the product manager's, the sales manager's and the
joint ones, each figure linking to the records behind it.

Each card is a list of plain metric functions (`PM_METRICS`, `SALES_METRICS`, `JOINT_METRICS`):
a metric for a new kind of fact is one function and one line.
Every figure is read through the viewer's visibility selectors.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.asks.selectors import ask_visible, decision_visible
from tandem.calls.selectors import calls_joined
from tandem.commitments.selectors import commitment_rows
from tandem.commitments.tracking import State, state_condition
from tandem.core import formats
from tandem.core.fiscal import FiscalQuarter, day_start
from tandem.core.roles import Role
from tandem.forecasting.selectors import accuracies, accuracy_ratio
from tandem.launches.metrics import metric_actuals
from tandem.launches.selectors import launch_plan_visible, success_metric_visible
from tandem.people.models import Team, User
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible
from tandem.sales.selectors import opportunity_visible, quota_visible
from tandem.targets.selectors import Figures, period_of_quarter, sales_metrics

TOP = 10


@dataclass
class Scope:
    """Whose scorecards, for which quarter, read by whom."""

    viewer: User
    quarter: FiscalQuarter
    start_month: int
    pm: User | None
    manager: User | None
    currency: str

    @property
    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return self.quarter.bounds(self.start_month)


@dataclass
class Bar:
    label: str
    value: float
    text: str
    url: str


@dataclass
class Metric:
    key: str
    label: str
    value: Decimal | float | int | None
    text: str  # the figure as the page writes it
    hint: str
    url: str = ""
    bars: list[Bar] = field(default_factory=list)  # the chart's breakdown, each bar opening its records


def _in_quarter(scope: Scope, name: str) -> Q:
    first, last = scope.bounds
    return Q(**{f"{name}__gte": day_start(first), f"{name}__lt": day_start(last + datetime.timedelta(days=1))})


def _deals_url(**filters: object) -> str:
    return f"{reverse('sales:opportunity_list')}?{urlencode(filters)}"


# -- the product manager's card ---------------------------------------------------------------------


def ask_to_decision(scope: Scope) -> Metric:
    """Median days from an ask being logged to the first decision on it or its feature, over the asks
    on the PM's products' features first decided in the quarter (two queries)."""
    if scope.pm is None:
        return Metric("ask_to_decision", "Time from ask to decision", None, "—", "No product manager chosen.")
    first, last = scope.bounds
    asks = list(
        ask_visible(user=scope.viewer)
        .filter(feature__product__manager=scope.pm, created_at__lt=day_start(last + datetime.timedelta(days=1)))
        .values_list("pk", "feature_id", "feature__product__name", "feature__product_id", "created_at")
    )
    feature_ids = {feature_id for _, feature_id, *_ in asks}
    decided: dict[int, list[datetime.datetime]] = defaultdict(list)
    by_ask: dict[int, list[datetime.datetime]] = defaultdict(list)
    for feature_id, ask_id, at in (
        decision_visible(user=scope.viewer)
        .filter(Q(feature_id__in=feature_ids) | Q(ask__feature_id__in=feature_ids))
        .values_list("feature_id", "ask_id", "decided_at")
    ):
        if ask_id:
            by_ask[ask_id].append(at)
        else:
            decided[feature_id].append(at)
    days_by_product: dict[tuple[int, str], list[float]] = defaultdict(list)
    for pk, feature_id, product, product_id, created in asks:
        after = [at for at in decided[feature_id] + by_ask[pk] if at >= created]
        if after and first <= min(after).date() <= last:
            days_by_product[(product_id, product)].append((min(after) - created).total_seconds() / 86400)
    every = [days for values in days_by_product.values() for days in values]
    median = statistics.median(every) if every else None
    bars = [
        Bar(
            label=product,
            value=round(statistics.median(values), 1),
            text=f"{formats.number(statistics.median(values), 1)} days over {len(values)} asks",
            url=reverse("product:product_detail", args=[product_id]),
        )
        for (product_id, product), values in sorted(days_by_product.items(), key=lambda item: item[0][1])
    ]
    return Metric(
        "ask_to_decision",
        "Time from ask to decision",
        None if median is None else round(median, 1),
        "—" if median is None else f"{formats.number(median, 1)} days",
        f"Median over {len(every)} asks first decided in the quarter, on {scope.pm}'s products.",
        url=f"{reverse('asks:ask_list')}?{urlencode({'status': 'planned'})}",
        bars=bars,
    )


def commitments_kept(scope: Scope) -> Metric:
    """Of the promises on the PM's products whose date fell in the quarter (up to today), the share
    delivered: past its date, an approved commitment is either delivered or broken."""
    if scope.pm is None:
        return Metric("commitments_kept", "Commitments kept", None, "—", "No product manager chosen.")
    first, last = scope.bounds
    today = min(last, timezone.localdate())
    due = commitment_rows(user=scope.viewer, today=today).filter(
        feature__product__manager=scope.pm, due_date__gte=first, due_date__lte=today
    )
    counts = due.aggregate(
        kept=Count("pk", filter=state_condition(State.DELIVERED, today=today)),
        broken=Count("pk", filter=state_condition(State.BROKEN, today=today)),
    )
    kept, broken = counts["kept"], counts["broken"]
    share = kept / (kept + broken) if kept + broken else None
    return Metric(
        "commitments_kept",
        "Commitments kept",
        share,
        "—" if share is None else f"{formats.percent(share)} ({kept} of {kept + broken})",
        f"Promises on {scope.pm}'s products whose date fell in the quarter: delivered against broken.",
        url=f"{reverse('commitments:commitment_list')}?{urlencode({'state': 'broken'})}",
    )


def customer_calls_joined(scope: Scope) -> Metric:
    if scope.pm is None:
        return Metric("calls_joined", "Customer calls joined", None, "—", "No product manager chosen.")
    joined = calls_joined(scope.pm, scope.quarter)
    return Metric(
        "calls_joined",
        "Customer calls joined",
        joined,
        formats.number(joined),
        f"Customer calls {scope.pm} signed up to that were held in the quarter.",
        url=reverse("calls:call_list"),
    )


def launches_on_target(scope: Scope) -> Metric:
    """The PM's launches (of their products' releases shipped in the quarter): of their success
    metrics measured so far, how many reached their target, each at its latest window (90 days
    when it has passed, else 30, else the value so far). Two queries, and those of each metric's actual."""
    if scope.pm is None:
        return Metric("launches_on_target", "Launches on target", None, "—", "No product manager chosen.")
    plans = list(
        launch_plan_visible(user=scope.viewer)
        .filter(release__product__manager=scope.pm, release__shipped_at__isnull=False)
        .filter(_in_quarter(scope, "release__shipped_at"))
        .select_related("release__product")
        .order_by("release__shipped_at", "pk")
    )
    metrics: dict[int, list[Any]] = defaultdict(list)
    for metric in success_metric_visible(user=scope.viewer).filter(plan__in=plans).order_by("pk"):
        metrics[metric.plan_id].append(metric)
    now = timezone.now()
    bars = []
    met_total = measured_total = 0
    for plan in plans:
        actuals = metric_actuals(plan=plan, metrics=metrics[plan.pk], now=now)
        met = measured = 0
        for metric in metrics[plan.pk]:
            latest = [actual.value for actual in actuals[metric.pk] if actual.value is not None]
            if latest:
                measured += 1
                met += latest[-1] >= metric.target
        met_total, measured_total = met_total + met, measured_total + measured
        bars.append(
            Bar(
                f"{plan.release.product.name} {plan.release.name}",
                met,
                f"{met} of {measured} measured metrics on target",
                reverse("launches:launch_detail", args=[plan.pk]),
            )
        )
    share = met_total / measured_total if measured_total else None
    launches = "1 launch" if len(plans) == 1 else f"{len(plans)} launches"
    return Metric(
        "launches_on_target",
        "Launches on target",
        share,
        "—" if share is None else f"{formats.percent(share)} ({met_total} of {measured_total} metrics)",
        f"Success metrics of {scope.pm}'s {launches} shipped in the quarter that reached their target, "
        "at 90 days when past, else 30, else so far.",
        url=reverse("launches:launch_list"),
        bars=bars,
    )


PM_METRICS: list[Callable[[Scope], Metric]] = [
    launches_on_target,
    ask_to_decision,
    commitments_kept,
    customer_calls_joined,
]


# -- the sales manager's card -------------------------------------------------------------------------


def _manager_figures(scope: Scope) -> tuple[Figures, list[tuple[str, int, Figures]], list[int]]:
    """The quarter's figures of the manager's teams, each team's, and their reps' ids."""
    if scope.manager is None:
        return Figures(), [], []
    period = period_of_quarter(scope.quarter, scope.start_month)
    report = sales_metrics(user=scope.viewer, period=period, start_month=scope.start_month)
    managed = set(Team.objects.filter(manager=scope.manager).values_list("pk", flat=True))
    teams = [row for row in report.teams if row.id in managed]
    total = Figures()
    for row in teams:
        total = total + row.figures
    reps = [member.id for row in teams for member in row.members if member.id is not None]
    return total, [(row.name, row.id or 0, row.figures) for row in teams], reps


def _attainment_url(team_id: int | None = None) -> str:
    query = {"team": team_id} if team_id else {}
    return f"{reverse('targets:attainment')}?{urlencode(query)}" if query else reverse("targets:attainment")


def sales_card(scope: Scope) -> list[Metric]:
    """Attainment, forecast accuracy, win rate and coverage of the manager's teams (one read of the
    sales metrics shared by the four)."""
    total, teams, reps = _manager_figures(scope)
    accuracy = None
    if reps:
        by_rep = accuracies(
            user=scope.viewer, rep_ids=reps, quarters=[scope.quarter], start_month=scope.start_month, use_override=True
        )
        calls = [a[scope.quarter] for a in by_rep.values() if a[scope.quarter].call is not None]
        if calls:
            accuracy = accuracy_ratio(
                sum((a.call or Decimal(0) for a in calls), Decimal(0)), sum((a.won for a in calls), Decimal(0))
            )
    bar = lambda name, team_id, value, text: Bar(name, float(value or 0), text, _attainment_url(team_id))  # noqa: E731
    won = formats.money(total.won_amount, scope.currency)
    # Quotas are the sales side's and the executive's: a product manager reads what was won, not a 0 quota.
    sees_quotas = not quota_visible(user=scope.viewer).query.is_empty()
    return [
        Metric(
            "attainment",
            "Attainment",
            total.attainment,
            formats.percent(total.attainment),
            f"Won {won} of a quota of {formats.money(total.quota, scope.currency)}."
            if sees_quotas
            else f"Won {won}; quotas are shown to sales and executives only.",
            url=_attainment_url(),
            bars=[bar(n, t, (f.attainment or 0) * 100, formats.percent(f.attainment)) for n, t, f in teams],
        ),
        Metric(
            "forecast_accuracy",
            "Forecast accuracy",
            accuracy,
            formats.percent(accuracy),
            "The commit called at the quarter's fourth week (the manager's override where there is one) against "
            "what was won.",
            url=reverse("forecasting:forecast"),
        ),
        Metric(
            "win_rate",
            "Win rate",
            total.win_rate,
            formats.percent(total.win_rate),
            f"{total.won_count} won of {total.won_count + total.lost_count} closed in the quarter.",
            url=_deals_url(status="closed"),
            bars=[bar(n, t, (f.win_rate or 0) * 100, formats.percent(f.win_rate)) for n, t, f in teams],
        ),
        Metric(
            "coverage",
            "Coverage",
            total.coverage,
            "—" if total.coverage is None else f"{formats.number(total.coverage, 1)}x",
            "Open pipeline closing in the quarter over what is still to win.",
            url=_deals_url(status="open"),
        ),
    ]


# -- the joint card -------------------------------------------------------------------------------


def revenue_blocked(scope: Scope) -> Metric:
    """Deals closing in the quarter, open or lost, with a blocker ask on a feature not shipped.

    One read of those blocker asks (the `ask_blocker` index) gives both the total, over their deals,
    and the features blocking most, over the asks: an ask's value is its deal's amount.
    """
    first, last = scope.bounds
    deals = opportunity_visible(user=scope.viewer).filter(
        close_date__gte=first, close_date__lte=last, stage__is_won=False
    )
    blockers = (
        Ask.objects.filter(importance=Ask.Importance.BLOCKER, opportunity__in=deals, feature__isnull=False)
        .exclude(feature__status=Feature.Status.SHIPPED)
        .order_by()
        .values_list("opportunity_id", "feature_id", "value_home")
    )
    by_deal: dict[int, Decimal] = {}
    by_feature: dict[int, Decimal] = defaultdict(Decimal)
    for deal_id, feature_id, value in blockers:
        by_deal[deal_id] = value
        by_feature[feature_id] += value
    total = sum(by_deal.values(), Decimal(0))
    titles = dict(feature_visible(user=scope.viewer).filter(pk__in=list(by_feature)).values_list("pk", "title"))
    features = sorted((pk for pk in by_feature if pk in titles), key=lambda pk: (-by_feature[pk], pk))[:TOP]
    return Metric(
        "revenue_blocked",
        "Revenue blocked by missing features",
        total,
        formats.money(total, scope.currency),
        "Deals closing in the quarter, open or lost, with a blocker ask on a feature not shipped.",
        url=f"{reverse('asks:ask_list')}?{urlencode({'importance': 'blocker'})}",
        bars=[
            Bar(
                titles[pk],
                float(by_feature[pk]),
                formats.money(by_feature[pk], scope.currency),
                reverse("product:feature_detail", args=[pk]),
            )
            for pk in features
        ],
    )


def revenue_unlocked(scope: Scope) -> Metric:
    """Deals won in the quarter that asked for a feature shipped before they closed."""
    first, last = scope.bounds
    won = opportunity_visible(user=scope.viewer).filter(close_date__gte=first, close_date__lte=last, stage__is_won=True)
    shipped = Ask.objects.filter(
        feature__status=Feature.Status.SHIPPED, feature__release__shipped_at__lte=OuterRef("closed_at")
    )
    total = won.filter(Exists(shipped.filter(opportunity=OuterRef("pk")))).aggregate(s=Sum("amount_home"))["s"]
    features = (
        feature_visible(user=scope.viewer)
        .filter(status=Feature.Status.SHIPPED, asks__opportunity__in=won)
        .annotate(unlocked=Sum("asks__opportunity__amount_home"))
        .order_by("-unlocked", "pk")[:TOP]
    )
    return Metric(
        "revenue_unlocked",
        "Revenue unlocked by shipped features",
        total or Decimal(0),
        formats.money(total or 0, scope.currency),
        "Deals won in the quarter that asked for a feature shipped before they closed.",
        url=_deals_url(status="won", close_date_from=first.isoformat(), close_date_to=last.isoformat()),
        bars=[
            Bar(
                f.title,
                float(f.unlocked),
                formats.money(f.unlocked, scope.currency),
                reverse("product:feature_detail", args=[f.pk]),
            )
            for f in features
        ],
    )


def asks_answered(scope: Scope) -> Metric:
    """Of the asks logged in the quarter, how many have an answer (planned, declined, deferred, needs
    more information, shipped)."""
    asks = ask_visible(user=scope.viewer).filter(_in_quarter(scope, "created_at"))
    counts = {row["outcome"]: row["count"] for row in asks.order_by().values("outcome").annotate(count=Count("*"))}
    logged = sum(counts.values())
    answered = logged - counts.get("", 0)
    share = Decimal(answered) / logged if logged else None
    labels = dict(Ask.Outcome.choices)
    status_of = {"": "new"}
    return Metric(
        "asks_answered",
        "Asks answered",
        share,
        "—" if share is None else f"{formats.percent(share)} ({answered} of {logged})",
        "Asks logged in the quarter that product has answered.",
        url=reverse("asks:ask_list"),
        bars=[
            Bar(
                str(labels.get(outcome, outcome)),
                count,
                formats.number(count),
                f"{reverse('asks:ask_list')}?{urlencode({'status': status_of.get(outcome, outcome)})}",
            )
            for outcome, count in sorted(counts.items())
        ],
    )


JOINT_METRICS: list[Callable[[Scope], Metric]] = [revenue_blocked, revenue_unlocked, asks_answered]


def scorecards(scope: Scope) -> dict[str, Any]:
    return {
        "pm": [metric(scope) for metric in PM_METRICS],
        "sales": sales_card(scope) if scope.manager is not None else [],
        "joint": [metric(scope) for metric in JOINT_METRICS],
    }


# The cards read a quarter's deals and asks: on the large workspace, a few hundred thousand rows and
# about half a second of the database's work. A reader's cards are kept this long and say as of when;
# the key holds what their visibility rests on, so nobody is answered from another's cards.
SCORECARDS_FRESH_SECONDS = 300


def scorecards_recent(scope: Scope) -> tuple[dict[str, Any], datetime.datetime]:
    """The scope's scorecards as computed at most `SCORECARDS_FRESH_SECONDS` ago, and when."""
    viewer = scope.viewer
    key = ":".join(
        str(part)
        for part in (
            "scorecards",
            viewer.pk,
            viewer.role,
            viewer.team_id,
            scope.quarter.year,
            scope.quarter.quarter,
            scope.start_month,
            scope.pm.pk if scope.pm else "",
            scope.manager.pk if scope.manager else "",
            scope.currency,
        )
    )
    kept = cache.get(key)
    if kept is None:
        kept = (scorecards(scope), timezone.now())
        cache.set(key, kept, SCORECARDS_FRESH_SECONDS)
    return kept


def scorecard_people(*, viewer: User) -> tuple[list[User], list[User]]:
    """The product managers and sales managers whose cards this person may choose between: a sales
    manager reads their own sales card only."""
    pms = list(User.objects.filter(role=Role.PRODUCT_MANAGER, is_active=True).order_by("first_name", "last_name"))
    if viewer.role == Role.SALES_MANAGER:
        return pms, [viewer]
    managers = list(
        User.objects.filter(role=Role.SALES_MANAGER, is_active=True, managed_teams__kind=Team.Kind.SALES)
        .distinct()
        .order_by("first_name", "last_name")
    )
    return pms, managers
