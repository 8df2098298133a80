"""A review's figures, computed independently on generated data, agree with what the review shows.

Generated: deals of the reviewed rep and of a team-mate (which must never count), open, won or
lost, closing around the edges of a month or a fiscal quarter of a fiscal year starting in any
month; the rep's quota for the quarters around; the activities both logged at any hour near the
period's edges; and for an ended quarter, the rep's call at its fourth week.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.activities.models import Activity
from tandem.activities.tests.factories import ActivityFactory
from tandem.coaching.selectors import month_period, quarter_period, review_figures_compute
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.forecasting.models import ForecastSnapshot
from tandem.forecasting.selectors import accuracy_week
from tandem.sales.models import Opportunity, Quota
from tandem.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
TODAY = datetime.date(2027, 6, 15)
NOW = timezone.now()

deals = st.lists(
    st.tuples(
        st.booleans(),  # the reviewed rep's (else the team-mate's)
        st.sampled_from(["open", "won", "lost"]),
        st.integers(1, 10**9),  # home amount in cents
        st.integers(-20, 110),  # close date, days from the period's first day
    ),
    max_size=15,
)
activities = st.lists(
    st.tuples(st.booleans(), st.sampled_from(Activity.Kind.values), st.integers(-2 * 24, 100 * 24)),  # hours
    max_size=12,
)
periods = st.one_of(
    st.tuples(st.just("month"), st.integers(2026, 2027), st.integers(1, 12)),
    st.tuples(st.just("quarter"), st.integers(2026, 2027), st.integers(1, 4)),
)


def _bounds(spec, start_month):
    kind, year, number = spec
    if kind == "month":
        return month_period(year, number)[:2]
    return quarter_period(FiscalQuarter(year, number), start_month)[:2]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deals=deals,
    activities=activities,
    spec=periods,
    start_month=st.integers(1, 12),
    quotas=st.lists(st.integers(0, 10**8), min_size=3, max_size=3),
    call=st.one_of(st.none(), st.integers(0, 10**9)),
)
def test_the_review_figures_agree_with_computing_them_by_hand(
    rep, other_rep, stages, deals, activities, spec, start_month, quotas, call
):
    Opportunity.objects.all().delete()
    Quota.objects.all().delete()
    Activity.objects.all().delete()
    ForecastSnapshot.objects.all().delete()
    first, last = _bounds(spec, start_month)
    stage = {"open": stages.discovery, "won": stages.won, "lost": stages.lost}
    expected: dict[str, Any] = {"won_amount": Decimal(0), "won": 0, "lost": 0, "open_amount": Decimal(0)}
    won_by_quarter: dict[FiscalQuarter, Decimal] = {}
    for mine, kind, cents, offset in deals:
        owner = rep if mine else other_rep
        close = first + datetime.timedelta(days=offset)
        home = Decimal(cents) / 100
        OpportunityFactory(
            owner=owner,
            account__owner=owner,
            stage=stage[kind],
            amount=home,
            amount_home=home,
            close_date=close,
            created_at=NOW - datetime.timedelta(days=30),
            closed_at=NOW if kind != "open" else None,
        )
        if not mine:
            continue
        if kind == "won":
            quarter = fiscal_quarter_of(close, start_month)
            won_by_quarter[quarter] = won_by_quarter.get(quarter, Decimal(0)) + home
        if first <= close <= last:
            if kind == "won":
                expected["won_amount"] += home
                expected["won"] += 1
            elif kind == "lost":
                expected["lost"] += 1
            else:
                expected["open_amount"] += home
    # Quotas of the quarter holding the period's first day, and of the one before and after.
    quota = Decimal(0)
    quarter = fiscal_quarter_of(first, start_month).previous()
    for cents in quotas:
        Quota.objects.create(
            user=rep, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, amount=Decimal(cents) / 100
        )
        q_first, q_last = quarter.bounds(start_month)
        start, end = max(q_first, first), min(q_last, last)
        if start <= end:
            days, covered = (q_last - q_first).days + 1, (end - start).days + 1
            share = Decimal(cents) / 100 * covered / days
            quota += share if covered == days else share.quantize(CENT, rounding=ROUND_HALF_UP)
        quarter = quarter.next()
    zone = timezone.get_current_timezone()
    start_of_period = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    counted = dict.fromkeys(Activity.Kind.values, 0)
    # The deal the activities are logged on closes far from any period: it adds no figure.
    far = OpportunityFactory(
        owner=rep, account__owner=rep, stage=stages.discovery, close_date=datetime.date(2035, 1, 1)
    )
    for mine, kind, hours in activities:
        when = start_of_period + datetime.timedelta(hours=hours)
        ActivityFactory(
            opportunity=far,
            author=rep if mine else other_rep,
            kind=kind,
            occurred_at=when,
        )
        if mine and first <= timezone.localtime(when, zone).date() <= last:
            counted[kind] += 1
    ended = [q for q in _quarters(first, last, start_month) if q.bounds(start_month)[1] < TODAY]
    for q in ended:
        if call is not None:
            ForecastSnapshot.objects.create(
                rep=rep,
                fiscal_year=q.year,
                fiscal_quarter=q.quarter,
                week=accuracy_week(q, start_month),
                taken_at=timezone.now(),
                call_commit=Decimal(call) / 100,
            )

    figures = review_figures_compute(rep=rep, first=first, last=last, start_month=start_month, today=TODAY)

    assert figures.won_amount == expected["won_amount"]
    assert (figures.won_count, figures.lost_count) == (expected["won"], expected["lost"])
    assert figures.open_amount == expected["open_amount"]
    assert figures.quota == quota
    assert figures.attainment == (_share(expected["won_amount"] / quota) if quota else None)
    closed = expected["won"] + expected["lost"]
    assert figures.win_rate == (_share(Decimal(expected["won"]) / closed) if closed else None)
    assert figures.activities == counted
    assert [row["quarter"] for row in figures.accuracy] == [str(q) for q in ended]
    for row, q in zip(figures.accuracy, ended, strict=True):
        won = won_by_quarter.get(q, Decimal(0))
        assert Decimal(row["won"]) == won
        if call is None:
            assert row["ratio"] is None
        else:
            called = Decimal(call) / 100
            ratio = (1 if won == 0 else 0) if called == 0 else max(1 - abs(won - called) / called, 0)
            assert Decimal(row["ratio"]) == Decimal(ratio).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _share(value):
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _quarters(first, last, start_month):
    quarter = fiscal_quarter_of(first, start_month)
    while quarter.bounds(start_month)[0] <= last:
        yield quarter
        quarter = quarter.next()
