"""The actual values of a launch's success metrics, 30 and 90 days after its release shipped, taken
from Tandem's own data where it has it:

- **revenue influenced**: the home amount of deals won in the window that asked (an ask linked to
  one of the release's features);
- **asks closed**: asks on the release's features whose outcome is *shipped*, logged up to the
  window's end (shipping closes the loop for each);
- **win rate against a competitor**: of the deals fought against that competitor and closed in the
  window, the share won (in %);
- **adoption**: entered by hand (Tandem does not see product usage).

A window that has not ended yet shows the value so far, marked as such.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from tandem.asks.models import Ask
from tandem.launches.models import LaunchPlan, SuccessMetric
from tandem.sales.models import Opportunity

WINDOWS = (30, 90)


@dataclass(frozen=True)
class Actual:
    days: int
    value: Decimal | None
    final: bool  # the window has ended
    computed: bool  # from Tandem's data, not entered by hand


def _window(plan: LaunchPlan, days: int, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime] | None:
    shipped = plan.release.shipped_at
    if shipped is None:
        return None
    return shipped, min(shipped + datetime.timedelta(days=days), now)


def _computed(
    metric: SuccessMetric, feature_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> Decimal:
    if metric.kind == SuccessMetric.Kind.REVENUE_INFLUENCED:
        asked = Ask.objects.filter(feature_id__in=feature_ids, opportunity__isnull=False).values("opportunity_id")
        won = Opportunity.objects.filter(
            pk__in=asked, stage__is_won=True, closed_at__gte=start, closed_at__lte=end
        ).aggregate(total=Sum("amount_home"))["total"]
        return won or Decimal("0.00")
    if metric.kind == SuccessMetric.Kind.ASKS_CLOSED:
        closed = Ask.objects.filter(feature_id__in=feature_ids, outcome=Ask.Outcome.SHIPPED, created_at__lte=end)
        return Decimal(closed.count())
    if metric.competitor_id is None:  # the constraint requires one for a win rate
        return Decimal("0.0")
    fought = Opportunity.objects.filter(
        competitor_id=metric.competitor_id, closed_at__gte=start, closed_at__lte=end
    ).aggregate(won=Count("pk", filter=Q(stage__is_won=True)), lost=Count("pk", filter=Q(stage__is_lost=True)))
    decided = fought["won"] + fought["lost"]
    return (Decimal(fought["won"] * 100) / decided).quantize(Decimal("0.1")) if decided else Decimal("0.0")


def metric_actuals(
    *, plan: LaunchPlan, metrics: list[SuccessMetric], now: datetime.datetime
) -> dict[int, list[Actual]]:
    """Each metric's actual at 30 and 90 days (None before the release ships)."""
    feature_ids = list(plan.release.features.values_list("pk", flat=True))
    shipped = plan.release.shipped_at
    result: dict[int, list[Actual]] = {}
    for metric in metrics:
        actuals = []
        for days in WINDOWS:
            window = _window(plan, days, now)
            final = shipped is not None and shipped + datetime.timedelta(days=days) <= now
            if metric.kind == SuccessMetric.Kind.ADOPTION:
                value = metric.actual_30 if days == 30 else metric.actual_90
                actuals.append(Actual(days, value, final, computed=False))
            elif window is None:
                actuals.append(Actual(days, None, False, computed=True))
            else:
                actuals.append(Actual(days, _computed(metric, feature_ids, *window), final, computed=True))
        result[metric.pk] = actuals
    return result
