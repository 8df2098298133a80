"""The win rate against each competitor by fiscal quarter, against an independent computation."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.competition.models import Competitor
from tandem.competition.selectors import features_cited_in_losses, win_rate_by_quarter
from tandem.competition.tests.factories import CompetitorFactory, LossFeatureFactory, closed_deal, lost_stage, won_stage
from tandem.core.fiscal import FiscalQuarter
from tandem.sales.models import Opportunity
from tandem.sales.selectors import opportunity_visible
from tandem.sales.tests.factories import OpportunityFactory

FIRST, LAST = FiscalQuarter(2026, 3), FiscalQuarter(2027, 2)

deal_strategy = st.fixed_dictionaries(
    {
        "competitor": st.sampled_from([0, 1, 2, None]),
        "outcome": st.sampled_from(["won", "lost", "open"]),
        "close_date": st.dates(datetime.date(2025, 1, 1), datetime.date(2027, 12, 31)),
        "owner": st.sampled_from(["rep", "outsider"]),
    }
)


def _by_hand(deals: list[Opportunity], quarters: list[FiscalQuarter], start_month: int) -> dict:
    """{(competitor id, quarter): [won, lost]} by looking each deal's close date up in the quarters' bounds."""
    counts: dict = {}
    for deal in deals:
        if deal.competitor_id is None or not (deal.stage.is_won or deal.stage.is_lost):
            continue
        for quarter in quarters:
            first, last = quarter.bounds(start_month)
            if first <= deal.close_date <= last:
                row = counts.setdefault((deal.competitor_id, quarter), [0, 0])
                row[0 if deal.stage.is_won else 1] += 1
    return counts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deals=st.lists(deal_strategy, max_size=15), start_month=st.integers(1, 12), as_rep=st.booleans())
def test_win_rates_agree_with_counting_by_hand(rep, outsider_rep, executive, deals, start_month, as_rep):
    Opportunity.objects.all().delete()
    Competitor.objects.all().delete()
    competitors = [CompetitorFactory(name=f"Rival {i}") for i in range(3)]
    stages = {"won": won_stage(), "lost": lost_stage()}
    owners = {"rep": rep, "outsider": outsider_rep}
    for spec in deals:
        owner = owners[spec["owner"]]
        fields = {
            "owner": owner,
            "account__owner": owner,
            "close_date": spec["close_date"],
            "competitor": None if spec["competitor"] is None else competitors[spec["competitor"]],
        }
        if spec["outcome"] == "open":
            OpportunityFactory(**fields)
        else:
            OpportunityFactory(stage=stages[spec["outcome"]], **fields)
    viewer = rep if as_rep else executive

    rows = win_rate_by_quarter(user=viewer, first=FIRST, last=LAST, start_month=start_month)

    quarters = [FIRST]
    while quarters[-1] < LAST:
        quarters.append(quarters[-1].next())
    expected = _by_hand(list(opportunity_visible(user=viewer).select_related("stage")), quarters, start_month)
    got = {(row.competitor_id, q.quarter): [q.won, q.lost] for row in rows for q in row.quarters if q.won or q.lost}
    assert got == expected
    for row in rows:
        assert [str(q.quarter) for q in row.quarters] == [str(q) for q in quarters]
        for q in row.quarters:
            closed = q.won + q.lost
            assert q.rate == (Decimal(q.won) / closed if closed else None)
    assert {row.competitor_id for row in rows} == {pk for pk, _ in expected}


def test_one_query_whatever_the_competitors(executive, django_assert_num_queries):
    for i in range(6):
        competitor = CompetitorFactory(name=f"Rival {i}")
        closed_deal(won=i % 2 == 0, competitor=competitor, close_date=datetime.date(2026, 8, 1))
    with django_assert_num_queries(1):
        rows = win_rate_by_quarter(user=executive, first=FIRST, last=LAST, start_month=1)
    assert len(rows) == 6


def test_features_cited_in_losses_are_counted_per_feature(product_manager):
    first = LossFeatureFactory()
    LossFeatureFactory(feature=first.feature)
    LossFeatureFactory()
    rows = features_cited_in_losses(user=product_manager)
    assert (rows[0].feature_id, rows[0].lost_deals) == (first.feature_id, 2)
    assert rows[0].lost_amount == Decimal("100000.00")
