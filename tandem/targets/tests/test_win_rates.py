"""The attainment page's win rates by competitor, segment and lead source, read in one grouped query,
against counting the same deals by hand."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.competition.tests.factories import CompetitorFactory
from tandem.sales.models import Account, Opportunity
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory
from tandem.targets.selectors import Period, win_rates

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 1, 1)

# One deal: (competitor index or None, segment, lead source or "", open/won/lost, days after the start:
# some after the period's end).
deals_strategy = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 2)),
        st.sampled_from(Account.Segment.values),
        st.sampled_from(["", *Opportunity.LeadSource.values]),
        st.sampled_from(["open", "won", "lost"]),
        st.integers(0, 400),
    ),
    max_size=15,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=deals_strategy, first=st.integers(0, 45), days=st.sampled_from([0, 20, 60, 364, 400]))
def test_each_chart_counts_the_closed_deals_of_the_period_as_counting_by_hand(executive, specs, first, days):
    """Whole months (read from the reps' months of closed deals) and edge days (from the deals)."""
    start = START + datetime.timedelta(days=first)
    period = Period(start, start + datetime.timedelta(days=days), "custom")
    Opportunity.objects.all().delete()
    stages = {
        "open": StageFactory(name="Open", order=1),
        "won": StageFactory(name="Won", order=8, is_won=True, default_probability=100),
        "lost": StageFactory(name="Lost", order=9, is_lost=True, default_probability=0),
    }
    rivals = [CompetitorFactory() for _ in range(3)]
    expected: dict[str, Counter[tuple[str, str]]] = {
        "competitor": Counter(),
        "segment": Counter(),
        "lead_source": Counter(),
    }
    for rival, segment, source, state, day in specs:
        close = START + datetime.timedelta(days=day)
        OpportunityFactory(
            account=AccountFactory(segment=segment),
            competitor=rivals[rival] if rival is not None else None,
            lead_source=source,
            stage=stages[state],
            close_date=close,
            amount=Decimal("1000"),
        )
        if state != "open" and period.start <= close <= period.end:
            expected["competitor"][(rivals[rival].name if rival is not None else "None", state)] += 1
            expected["segment"][(Account.Segment(segment).label, state)] += 1
            label = Opportunity.LeadSource(source).label if source else "None"
            expected["lead_source"][(label, state)] += 1

    charts = win_rates(user=executive, period=period)

    for by, counts in expected.items():
        found = Counter()
        for row in charts[by]:
            found[(row.label, "won")] += row.won_count
            found[(row.label, "lost")] += row.lost_count
        assert +found == counts, by
        totals = [row.won_count + row.lost_count for row in charts[by]]
        assert totals == sorted(totals, reverse=True)  # most closed first


def test_the_charts_take_three_queries_whatever_the_number_of_reps(executive, django_assert_num_queries):
    """The whole months, the edge days, the competitors' names: not a query a rep or a month."""
    won = StageFactory(name="Won", order=8, is_won=True, default_probability=100)
    rival = CompetitorFactory()
    period = Period(datetime.date(2026, 1, 20), datetime.date(2026, 12, 10), "custom")
    for day in (0, 100, 320):  # a first edge day, a whole month, a last edge day
        for _ in range(10):
            OpportunityFactory(stage=won, competitor=rival, close_date=period.start + datetime.timedelta(days=day))
    with django_assert_num_queries(3):
        charts = win_rates(user=executive, period=period)
    assert [(row.label, row.won_count) for row in charts["competitor"]] == [(rival.name, 30)]


def test_a_partial_month_read_as_its_whole_month_less_its_other_days_counts_to_the_cent(executive):
    """Jan 5 to Dec 28: January and December come from the months of closed deals, less the deals of
    Jan 1 to 4 and Dec 29 to 31 (fewer days than those in the period)."""
    won = StageFactory(name="Won", order=8, is_won=True, default_probability=100)
    lost = StageFactory(name="Lost", order=9, is_lost=True, default_probability=0)
    for day, stage in ((2, won), (10, won), (10, lost), (358, won), (362, lost), (363, won)):
        OpportunityFactory(
            stage=stage,
            amount_home=Decimal("12.34"),
            close_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
        )
    charts = win_rates(user=executive, period=Period(datetime.date(2026, 1, 5), datetime.date(2026, 12, 28), "custom"))
    [row] = charts["segment"]
    assert (row.won_count, row.lost_count, row.won_amount, row.lost_amount) == (
        2,
        1,
        Decimal("24.68"),
        Decimal("12.34"),
    )
