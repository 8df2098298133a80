"""The reps' months of deals always equal the deals: whatever edits them, however.

The forecast and attainment roll-ups add these rows up instead of grouping every deal (issue 18),
so a month that drifted from its deals would show a manager wrong figures. Random sequences of
edits — new deals, every watched field changed through `save`, bulk `update`, deletes, a stage
turned won — and after each sequence every month equals the same sums computed here in Python
from the deals as they are, to the cent and the microsecond.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.people.tests.factories import RepFactory
from tandem.sales import month_figures
from tandem.sales.models import Opportunity, RepMonthFigures, Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

pytestmark = pytest.mark.django_db
C = Stage.ForecastCategory
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

amount = st.integers(0, 10**9).map(lambda cents: Decimal(cents) / 100)
edit = st.one_of(
    st.tuples(st.just("new"), st.integers(0, 2), amount, st.integers(0, 120), st.integers(0, 2)),
    st.tuples(st.just("owner"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("close"), st.integers(0, 50), st.integers(0, 120)),
    st.tuples(st.just("amount"), st.integers(0, 50), amount),
    st.tuples(st.just("stage"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("category"), st.integers(0, 50), st.sampled_from([C.PIPELINE, C.BEST_CASE, C.COMMIT])),
    st.tuples(st.just("probability"), st.integers(0, 50), st.integers(0, 100)),
    st.tuples(st.just("closed"), st.integers(0, 50), st.integers(0, 10**7)),
    st.tuples(st.just("reopen"), st.integers(0, 50)),
    st.tuples(st.just("bulk_amount"), st.integers(0, 2), amount),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


def _expected() -> dict[tuple[int, datetime.date], dict[str, int]]:
    """The months as the definitions say, from the deals read back (what the roll-ups used to sum)."""
    months: dict[tuple[int, datetime.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for deal in Opportunity.objects.select_related("stage"):
        row = months[(deal.owner_id, deal.close_date.replace(day=1))]
        cents = int(deal.amount_home * 100)
        won, lost = deal.stage.is_won, deal.stage.is_lost
        live = not won and not lost
        row["deals"] += 1
        if won:
            row["won_cents"] += cents
            row["won_count"] += 1
            if deal.closed_at is not None:
                delta = deal.closed_at - deal.created_at
                row["cycle_microseconds"] += (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
                row["cycle_count"] += 1
        if lost:
            row["lost_cents"] += cents
            row["lost_count"] += 1
        if live and deal.closed_at is None:
            row["open_cents"] += cents
            row["open_count"] += 1
        if live:
            row["weighted_cent_percents"] += cents * deal.probability
            category = {C.COMMIT: "commit_cents", C.BEST_CASE: "best_case_cents", C.PIPELINE: "pipeline_cents"}
            if deal.forecast_category in category:
                row[category[deal.forecast_category]] += cents
    return {key: {c: v for c, v in value.items() if v} for key, value in months.items()}


def _stored() -> dict[tuple[int, datetime.date], dict[str, int]]:
    return {
        (row["owner_id"], row["month"]): {c: row[c] for c in month_figures.COLUMNS if row[c]}
        for row in RepMonthFigures.objects.filter(deals__gt=0).values("owner_id", "month", *month_figures.COLUMNS)
    }


def _apply(step, reps, stages, account):
    kind, *args = step
    deals = list(Opportunity.objects.order_by("pk"))
    if kind == "new":
        owner, value, day, stage = args
        OpportunityFactory(
            account=account,
            owner=reps[owner],
            amount=value,
            amount_home=value,
            stage=stages[stage],
            close_date=START.date() + datetime.timedelta(days=day),
            created_at=START,
            closed_at=START + datetime.timedelta(days=day) if stage else None,
        )
        return
    if kind == "bulk_amount":  # as the exchange-rate task does: no save(), one UPDATE
        owner, value = args
        Opportunity.objects.filter(owner=reps[owner]).update(amount_home=value)
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
        deal.close_date = START.date() + datetime.timedelta(days=args[1])
    elif kind == "amount":
        deal.amount_home = args[1]
    elif kind == "stage":
        deal.stage = stages[args[1]]
    elif kind == "category":
        deal.forecast_category = args[1]
    elif kind == "probability":
        deal.probability = args[1]
    elif kind == "closed":
        deal.closed_at = START + datetime.timedelta(seconds=args[1], microseconds=args[1] % 997)
    elif kind == "reopen":
        deal.closed_at = None
    deal.save()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(edit, min_size=1, max_size=25), turn_won=st.booleans())
def test_the_months_equal_the_deals_after_any_edits(stages, steps, turn_won):
    Opportunity.objects.all().delete()
    reps = [RepFactory() for _ in range(3)]
    account = AccountFactory(owner=reps[0])
    lineup = [stages.discovery, stages.won, stages.lost]
    for step in steps:
        _apply(step, reps, lineup, account)
    assert _stored() == _expected()
    if turn_won:  # an admin makes an open stage a won one: every deal in it moves column
        Stage.objects.filter(pk=stages.discovery.pk).update(is_won=True)
        assert _stored() == _expected()
        Stage.objects.filter(pk=stages.discovery.pk).update(is_won=False)
    month_figures.rebuild()
    assert _stored() == _expected()


def test_an_update_of_other_columns_leaves_the_months_alone(stages):
    deal = OpportunityFactory(stage=stages.discovery)
    before = list(RepMonthFigures.objects.values())
    Opportunity.objects.filter(pk=deal.pk).update(last_activity_at=START, version=5)
    assert list(RepMonthFigures.objects.values()) == before


def test_a_new_stage_counts_with_the_figures_of_the_deals_in_it():
    """A stage created won (no deal in it yet) needs no rebuild; its first deal counts as won."""
    stage = StageFactory(name="Won at once", order=50, forecast_category=C.CLOSED, is_won=True)
    deal = OpportunityFactory(stage=stage, amount=Decimal("12.34"), amount_home=Decimal("12.34"))
    row = RepMonthFigures.objects.get(owner=deal.owner)
    assert (row.deals, row.won_cents, row.won_count, row.open_count) == (1, 1234, 1, 0)
