"""The reps' months of closed deals always equal the deals: whatever edits them, however.

The win-rate charts of the attainment page add these rows up instead of grouping a year of closed
deals (issue 18), so a row that drifted from its deals would show wrong win rates. Random sequences
of edits — new deals, a stage move, the amount, owner, close date, competitor, lead source or
account changed through `save`, bulk updates (the exchange rates' new amounts, a mass
reassignment), an account's segment, a competitor deleted, deletes, a stage turned won — and after
each sequence every row equals the same sums computed here in Python from the deals, to the cent.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.competition.models import Competitor
from tandem.competition.tests.factories import CompetitorFactory
from tandem.people.tests.factories import RepFactory
from tandem.sales.models import Account, Opportunity, Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory
from tandem.targets import closed_figures
from tandem.targets.models import ClosedMonthFigures

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 1, 1)
SEGMENTS = [s.value for s in Account.Segment]
SOURCES = ["", *(s.value for s in Opportunity.LeadSource)][:4]

amount = st.integers(0, 10**9).map(lambda cents: Decimal(cents) / 100)
some = st.integers(0, 50)
edit = st.one_of(
    st.tuples(st.just("new"), st.integers(0, 2), amount, st.integers(0, 120), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("owner"), some, st.integers(0, 2)),
    st.tuples(st.just("close"), some, st.integers(0, 120)),
    st.tuples(st.just("amount"), some, amount),
    st.tuples(st.just("stage"), some, st.integers(0, 2)),
    st.tuples(st.just("competitor"), some, st.integers(0, 2)),
    st.tuples(st.just("source"), some, st.integers(0, len(SOURCES) - 1)),
    st.tuples(st.just("account"), some, st.integers(0, 1)),
    st.tuples(st.just("segment"), st.integers(0, 1), st.integers(0, len(SEGMENTS) - 1)),
    st.tuples(st.just("bulk_amount"), st.integers(0, 2), amount),
    st.tuples(st.just("bulk_owner"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("drop_competitor"), st.integers(0, 1)),
    st.tuples(st.just("delete"), some),
)


def _expected() -> dict[tuple[object, ...], dict[str, int]]:
    """The rows as the definitions say, from the deals read back (what the charts used to group)."""
    rows: dict[tuple[object, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for deal in Opportunity.objects.select_related("stage", "account"):
        won, lost = deal.stage.is_won, deal.stage.is_lost
        if not (won or lost):
            continue
        key = (deal.owner_id, deal.close_date.replace(day=1), deal.competitor_id or 0, deal.account.segment)
        row = rows[(*key, deal.lead_source)]
        cents = int(deal.amount_home * 100)
        row["won_count" if won else "lost_count"] += 1
        row["won_cents" if won else "lost_cents"] += cents
    return {key: {c: v for c, v in value.items() if v} for key, value in rows.items()}


def _stored() -> dict[tuple[object, ...], dict[str, int]]:
    stored = {
        tuple(row[k] for k in ("owner_id", "month", "competitor", "segment", "lead_source")): {
            c: row[c] for c in closed_figures.COLUMNS if row[c]
        }
        for row in ClosedMonthFigures.objects.values(*closed_figures.KEY, *closed_figures.COLUMNS)
    }
    return {key: value for key, value in stored.items() if value}


def _apply(step, reps, stages, accounts, competitors):
    kind, *args = step
    deals = list(Opportunity.objects.order_by("pk"))
    if kind == "new":
        owner, value, day, stage, competitor = args
        OpportunityFactory(
            account=accounts[owner % 2],
            owner=reps[owner],
            amount=value,
            amount_home=value,
            stage=stages[stage],
            competitor=competitors[competitor],
            lead_source=SOURCES[day % len(SOURCES)],
            close_date=START + datetime.timedelta(days=day),
        )
        return
    if kind == "bulk_amount":  # as the exchange-rate task does: no save(), one UPDATE
        owner, value = args
        Opportunity.objects.filter(owner=reps[owner]).update(amount_home=value)
        return
    if kind == "bulk_owner":  # a mass reassignment: one UPDATE
        Opportunity.objects.filter(owner=reps[args[0]]).update(owner=reps[args[1]])
        return
    if kind == "segment":
        Account.objects.filter(pk=accounts[args[0]].pk).update(segment=SEGMENTS[args[1]])
        return
    if kind == "drop_competitor":  # its deals lose their competitor (SET_NULL: an UPDATE of them)
        competitor = competitors[args[0] + 1]
        if competitor is not None and Competitor.objects.filter(pk=competitor.pk).exists():
            competitor.delete()
            competitors[args[0] + 1] = None
        return
    if not deals:
        return
    deal = deals[args[0] % len(deals)]
    if kind == "delete":
        deal.delete()
        return
    if kind == "owner":
        deal.owner = reps[args[1]]
    elif kind == "close":
        deal.close_date = START + datetime.timedelta(days=args[1])
    elif kind == "amount":
        deal.amount_home = args[1]
    elif kind == "stage":
        deal.stage = stages[args[1]]
    elif kind == "competitor":
        deal.competitor = competitors[args[1]]
    elif kind == "source":
        deal.lead_source = SOURCES[args[1]]
    elif kind == "account":
        deal.account = accounts[args[1]]
    deal.save()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(edit, min_size=1, max_size=25), turn_won=st.booleans())
def test_the_months_of_closed_deals_equal_the_deals_after_any_edits(stages, steps, turn_won):
    Opportunity.objects.all().delete()
    reps = [RepFactory() for _ in range(3)]
    accounts = [AccountFactory(owner=reps[0]), AccountFactory(owner=reps[1])]
    competitors = [None, CompetitorFactory(), CompetitorFactory()]
    lineup = [stages.open, stages.won, stages.lost]
    for step in steps:
        _apply(step, reps, lineup, accounts, competitors)
    assert _stored() == _expected()
    if turn_won:  # an admin makes an open stage a won one: every deal in it counts as won
        Stage.objects.filter(pk=stages.open.pk).update(is_won=True)
        assert _stored() == _expected()
        Stage.objects.filter(pk=stages.open.pk).update(is_won=False)
    closed_figures.rebuild()
    assert _stored() == _expected()


def test_an_update_of_other_columns_leaves_the_months_alone(stages):
    deal = OpportunityFactory(stage=stages.won, amount_home=Decimal("10.00"))
    before = list(ClosedMonthFigures.objects.values())
    Opportunity.objects.filter(pk=deal.pk).update(next_step="Call back", version=5)
    assert list(ClosedMonthFigures.objects.values()) == before
