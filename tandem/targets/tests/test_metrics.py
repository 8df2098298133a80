"""The sales metrics, computed independently in Python on generated pipelines, agree to the cent.

Generated: deals of three reps in two teams, open, won or lost, in two currencies (the home amount
converted at a rate), closing around quarter and year boundaries of a fiscal year that starts in
any month, created some days before; quotas per rep and quarter; a period that is a fiscal quarter,
the fiscal year or any dates.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.fiscal import FiscalQuarter
from tandem.people.tests.factories import TeamFactory, UserFactory
from tandem.sales.models import Opportunity, Quota
from tandem.sales.tests.factories import OpportunityFactory
from tandem.targets.selectors import Period, period_of_quarter, period_of_year, sales_metrics

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
RATES = {"USD": Decimal("1"), "EUR": Decimal("1.0837"), "JPY": Decimal("0.006712")}

deal_strategy = st.tuples(
    st.integers(0, 2),  # owner
    st.sampled_from(["open", "won", "lost"]),
    st.integers(0, 10**9),  # amount in cents
    st.sampled_from(list(RATES)),
    st.integers(-40, 410),  # close date, days from the fiscal year's first day
    st.integers(0, 300),  # created, days before the close date
    st.integers(0, 200),  # closed, days after creation
    st.integers(0, 86399),  # and seconds
)
quota_strategy = st.dictionaries(st.tuples(st.integers(0, 2), st.integers(1, 4)), st.integers(0, 10**8), max_size=12)
period_strategy = st.one_of(
    st.tuples(st.just("quarter"), st.integers(1, 4), st.just(0)),
    st.tuples(st.just("year"), st.just(0), st.just(0)),
    st.tuples(st.just("custom"), st.integers(-30, 380), st.integers(0, 200)),
)


@pytest.fixture
def reps(db):
    first, second = TeamFactory(name="North"), TeamFactory(name="South")
    return [
        UserFactory(username="ann", role="rep", team=first),
        UserFactory(username="bob", role="rep", team=first),
        UserFactory(username="cy", role="rep", team=second),
    ]


def _period(spec, fiscal_year, start_month):
    kind, a, b = spec
    if kind == "quarter":
        return period_of_quarter(FiscalQuarter(fiscal_year, a), start_month)
    if kind == "year":
        return period_of_year(fiscal_year, start_month)
    first = period_of_year(fiscal_year, start_month).start
    return Period(first + datetime.timedelta(days=a), first + datetime.timedelta(days=a + b), "custom")


def _expected_quota(amount, quarter, period, start_month):
    first, last = quarter.bounds(start_month)
    start, end = max(first, period.start), min(last, period.end)
    if start > end:
        return Decimal(0)
    days = (last - first).days + 1
    covered = (end - start).days + 1
    return amount if covered == days else (amount * covered / days).quantize(CENT, rounding=ROUND_HALF_UP)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deals=st.lists(deal_strategy, max_size=20),
    quotas=quota_strategy,
    period_spec=period_strategy,
    start_month=st.integers(1, 12),
)
def test_the_metrics_agree_with_computing_them_by_hand(
    executive, reps, stages, deals, quotas, period_spec, start_month
):
    Opportunity.objects.all().delete()
    Quota.objects.all().delete()
    fiscal_year = 2027
    year_start = period_of_year(fiscal_year, start_month).start
    stage = {"open": stages.open, "won": stages.won, "lost": stages.lost}
    made = []
    for owner, kind, cents, currency, close, before, after, seconds in deals:
        amount = Decimal(cents) / 100
        close_date = year_start + datetime.timedelta(days=close)
        created = timezone.make_aware(datetime.datetime.combine(close_date, datetime.time(9))) - datetime.timedelta(
            days=before
        )
        closed = created + datetime.timedelta(days=after, seconds=seconds) if kind != "open" else None
        home = (amount * RATES[currency]).quantize(CENT, rounding=ROUND_HALF_UP)
        OpportunityFactory(
            owner=reps[owner],
            account__owner=reps[owner],
            stage=stage[kind],
            amount=amount,
            currency=currency,
            amount_home=home,
            close_date=close_date,
            created_at=created,
            closed_at=closed,
        )
        made.append((owner, kind, home, close_date, (closed - created) if closed else None))
    for (owner, quarter), cents in quotas.items():
        Quota.objects.create(
            user=reps[owner], fiscal_year=fiscal_year, fiscal_quarter=quarter, amount=Decimal(cents) / 100
        )
    period = _period(period_spec, fiscal_year, start_month)

    report = sales_metrics(user=executive, period=period, start_month=start_month)

    by_hand = defaultdict(lambda: defaultdict(lambda: Decimal(0)))
    for owner, kind, home, close_date, cycle in made:
        if not period.start <= close_date <= period.end:
            continue
        figures = by_hand[reps[owner].pk]
        figures[f"{kind}_amount"] += home
        figures[f"{kind}_count"] += 1
        if kind == "won":
            figures["cycle_seconds"] += Decimal(cycle.total_seconds())
    for (owner, quarter), cents in quotas.items():
        by_hand[reps[owner].pk]["quota"] += _expected_quota(
            Decimal(cents) / 100, FiscalQuarter(fiscal_year, quarter), period, start_month
        )

    rows = {rep.id: rep.figures for rep in report.reps()}
    assert set(rows) == {rep.pk for rep in reps}
    for pk, figures in rows.items():
        expected = by_hand[pk]
        assert figures.won_amount == expected["won_amount"]
        assert figures.lost_amount == expected["lost_amount"]
        assert figures.open_amount == expected["open_amount"]
        assert figures.quota == expected["quota"]
        won, lost = int(expected["won_count"]), int(expected["lost_count"])
        assert (figures.won_count, figures.lost_count) == (won, lost)
        quota = expected["quota"]
        assert figures.attainment == (expected["won_amount"] / quota if quota else None)
        gap = max(quota - expected["won_amount"], Decimal(0))
        assert figures.gap == gap
        assert figures.coverage == (expected["open_amount"] / gap if gap else None)
        assert figures.win_rate == (Decimal(won) / (won + lost) if won + lost else None)
        closed_amount = expected["won_amount"] + expected["lost_amount"]
        assert figures.win_rate_amount == (expected["won_amount"] / closed_amount if closed_amount else None)
        assert figures.average_deal == (
            (expected["won_amount"] / won).quantize(CENT, rounding=ROUND_HALF_UP) if won else None
        )
        assert figures.cycle_days == (
            (expected["cycle_seconds"] / 86400 / won).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if won else None
        )
    # Every roll-up is the sum of its members: reps → team → company.
    for team in report.teams:
        for name in ("quota", "won_amount", "lost_amount", "open_amount", "won_count", "lost_count", "cycle_total"):
            assert getattr(team.figures, name) == sum(
                (getattr(m.figures, name) for m in team.members), type(getattr(team.figures, name))()
            )
    for name in ("quota", "won_amount", "lost_amount", "open_amount", "won_count", "lost_count"):
        assert getattr(report.company.figures, name) == sum(
            (getattr(t.figures, name) for t in report.teams), type(getattr(report.company.figures, name))()
        )
    assert report.company.figures.won_amount == sum((by_hand[r.pk]["won_amount"] for r in reps), Decimal(0))


def test_a_rep_sees_their_own_row_and_a_manager_their_teams(rep, other_rep, outsider_rep, sales_manager, stages):
    today = timezone.localdate()
    for owner in (rep, other_rep, outsider_rep):
        opened = timezone.now() - datetime.timedelta(days=30)
        OpportunityFactory(
            owner=owner,
            account__owner=owner,
            stage=stages.won,
            close_date=today,
            created_at=opened,
            closed_at=timezone.now(),
        )
    period = Period(today, today, "today")
    mine = sales_metrics(user=rep, period=period, start_month=1)
    assert [r.id for r in mine.reps()] == [rep.pk]
    team = sales_metrics(user=sales_manager, period=period, start_month=1)
    assert {r.id for r in team.reps()} == {rep.pk, other_rep.pk, sales_manager.pk}
    assert team.company.figures.won_count == 2


def test_the_report_takes_three_queries_whatever_the_number_of_reps(executive, stages, django_assert_num_queries):
    team = TeamFactory(name="West")
    today = timezone.localdate()
    for _ in range(12):
        person = UserFactory(role="rep", team=team)
        OpportunityFactory(owner=person, account__owner=person, stage=stages.open, close_date=today)
        Quota.objects.create(user=person, fiscal_year=today.year, fiscal_quarter=1, amount=Decimal("10"))
    with django_assert_num_queries(3):
        report = sales_metrics(user=executive, period=period_of_year(today.year, 1), start_month=1)
    assert len(report.reps()) == 12
