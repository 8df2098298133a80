"""The forecast's figures, computed independently on generated pipelines, agree to the cent with the
page's SQL: per rep, rolled up rep → manager → company, and each rep's forecast accuracy. Pipelines
straddle the quarter's first and last days, and the fiscal year starts in any month."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.fiscal import FiscalQuarter
from tandem.core.roles import Role
from tandem.forecasting.models import ForecastCall, ForecastSnapshot
from tandem.forecasting.selectors import (
    Accuracy,
    _weighted,
    accuracies,
    accuracy_week,
    company_calls_and_wins,
    figures_by_rep,
    manager_totals,
    rep_lines,
    total_of,
    week_of,
)
from tandem.people.tests.factories import TeamFactory, UserFactory
from tandem.sales.models import Opportunity, Stage
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
C = Stage.ForecastCategory

# One generated deal: (owner index, amount in cents, probability, category, open/won/lost, day offset
# from the quarter's first day: some before it, some after its last day).
deals_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 10**11),
        st.integers(0, 100),
        st.sampled_from([C.PIPELINE, C.BEST_CASE, C.COMMIT, C.OMITTED]),
        st.sampled_from(["open", "won", "lost"]),
        st.integers(-3, 95),
    ),
    max_size=20,
)
quarter_strategy = st.tuples(st.integers(2025, 2029), st.integers(1, 4), st.integers(1, 12))


def _stages():
    return {
        "open": StageFactory(name="Open", order=1),
        "won": StageFactory(name="Won", order=8, forecast_category=C.CLOSED, is_won=True, default_probability=100),
        "lost": StageFactory(name="Lost", order=9, forecast_category=C.OMITTED, is_lost=True, default_probability=0),
    }


def _make(specs, owners, first):
    stages = _stages()
    Opportunity.objects.all().delete()
    account = AccountFactory(owner=owners[0])
    for owner, cents, probability, category, status, offset in specs:
        amount = Decimal(cents) / 100
        OpportunityFactory(
            account=account,
            owner=owners[owner],
            amount=amount,
            amount_home=amount,
            probability=probability,
            forecast_category=category if status == "open" else C.CLOSED,
            stage=stages[status],
            close_date=first + datetime.timedelta(days=offset),
        )


def _by_hand(specs, owner, first, last):
    """Won, each open category and the weighted open pipeline, in exact fractions, rounded once."""
    won, by_category, weighted = Fraction(0), {c: Fraction(0) for c in C.values}, Fraction(0)
    for who, cents, probability, category, status, offset in specs:
        day = first + datetime.timedelta(days=offset)
        if who != owner or not first <= day <= last:
            continue
        amount = Fraction(cents, 100)
        if status == "won":
            won += amount
        elif status == "open":
            by_category[category] += amount
            weighted += amount * probability / 100
    cents = lambda f: Decimal(f.numerator) / Decimal(f.denominator)  # noqa: E731
    return {
        "closed_won": cents(won).quantize(CENT),
        "commit": cents(by_category[C.COMMIT]).quantize(CENT),
        "best_case": cents(by_category[C.BEST_CASE]).quantize(CENT),
        "pipeline": cents(by_category[C.PIPELINE]).quantize(CENT),
        "weighted": (Decimal(weighted.numerator) / Decimal(weighted.denominator)).quantize(CENT, ROUND_HALF_UP),
    }


@pytest.fixture
def org(db):
    """Two managers with a rep each, a second rep for the first, and a rep without a team."""
    first_manager = UserFactory(role=Role.SALES_MANAGER, first_name="Mia", last_name="First")
    second_manager = UserFactory(role=Role.SALES_MANAGER, first_name="Max", last_name="Second")
    east, west = TeamFactory(manager=first_manager), TeamFactory(manager=second_manager)
    reps = [
        UserFactory(role=Role.REP, team=east),
        UserFactory(role=Role.REP, team=east),
        UserFactory(role=Role.REP, team=west),
        UserFactory(role=Role.REP, team=None),
    ]
    executive = UserFactory(role=Role.EXECUTIVE)
    return {"reps": reps, "managers": [first_manager, second_manager], "executive": executive}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=deals_strategy, when=quarter_strategy)
def test_each_reps_figures_and_every_roll_up_agree_with_adding_by_hand(org, specs, when):
    year, number, start_month = when
    quarter = FiscalQuarter(year, number)
    first, last = quarter.bounds(start_month)
    reps = org["reps"]
    _make(specs, reps, first)

    figures = figures_by_rep(quarter=quarter, start_month=start_month, reps=None)
    for i, rep in enumerate(reps):
        got = figures.get(rep.pk)
        expected = _by_hand(specs, i, first, last)
        assert (got.__dict__ if got else dict.fromkeys(expected, Decimal("0.00"))) == expected

    lines = rep_lines(user=org["executive"], quarter=quarter, start_month=start_month)
    groups = manager_totals(lines=lines)
    company = total_of(groups, "Company")
    # Each manager's line adds up their reps'; the company adds up the managers' and the reps without one.
    for group in groups:
        members = [
            line
            for line in lines
            if str(line.manager_id) == group.key or (line.manager_id is None and group.key == "none")
        ]
        assert group.figures == total_of(members, "").figures
    every = [_by_hand(specs, i, first, last) for i in range(len(reps))]
    for name in ("closed_won", "commit", "best_case", "pipeline", "weighted"):
        assert getattr(company.figures, name) == sum((e[name] for e in every), Decimal("0.00"))
    # A manager sees exactly their own team's roll-up.
    mine = rep_lines(user=org["managers"][0], quarter=quarter, start_month=start_month)
    assert {line.rep_id for line in mine} == {reps[0].pk, reps[1].pk}
    assert total_of(mine, "").figures == groups[[g.key for g in groups].index(str(org["managers"][0].pk))].figures


# One generated snapshot: (week offset from the quarter's first Monday, from -3 to 8; commit called or None).
snapshots_strategy = st.lists(
    st.tuples(st.integers(-3, 8), st.one_of(st.none(), st.integers(0, 10**10))), max_size=8, unique_by=lambda s: s[0]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=deals_strategy, snapshots=snapshots_strategy, when=quarter_strategy)
def test_accuracy_measures_the_call_at_week_4_against_what_was_won(org, specs, snapshots, when):
    year, number, start_month = when
    quarter = FiscalQuarter(year, number)
    first, last = quarter.bounds(start_month)
    rep = org["reps"][0]
    _make(specs, org["reps"], first)
    ForecastSnapshot.objects.all().delete()
    for offset, call in snapshots:
        ForecastSnapshot.objects.create(
            rep=rep,
            fiscal_year=year,
            fiscal_quarter=number,
            week=week_of(first) + datetime.timedelta(weeks=offset),
            taken_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            call_commit=None if call is None else Decimal(call) / 100,
        )

    found = accuracies(user=org["executive"], rep_ids=[rep.pk], quarters=[quarter], start_month=start_month)[rep.pk][
        quarter
    ]
    # The company's roll-up reads every rep at once: the same accuracy, or none where nothing was called or won.
    every = accuracies(user=org["executive"], rep_ids=None, quarters=[quarter], start_month=start_month)
    assert every.get(rep.pk, {}).get(quarter, Accuracy(quarter=quarter, call=None, won=Decimal(0), week=None)) == found
    # Read beside its neighbours (the deals straddle its edges), the quarter's accuracy is the same.
    around = [quarter.previous(), quarter, quarter.next()]
    beside = accuracies(user=org["executive"], rep_ids=[rep.pk], quarters=around, start_month=start_month)[rep.pk]
    assert beside[quarter] == found
    # The company page's kept calls and wins: the rep's pair where they called, nothing where they did not.
    cache.clear()
    kept = company_calls_and_wins(user=org["executive"], quarters=around, start_month=start_month)
    assert kept.get(rep.pk, (None, None, None))[1] == (None if found.call is None else (found.call, found.won))

    # By hand: the fourth week starts 21 days after the Monday of the week holding the first day.
    monday = first - datetime.timedelta(days=first.weekday())
    fixed = monday + datetime.timedelta(days=21)
    assert accuracy_week(quarter, start_month) == fixed
    upto = sorted((s for s in snapshots if monday + datetime.timedelta(weeks=s[0]) <= fixed), key=lambda s: s[0])
    won = _by_hand(specs, 0, first, last)["closed_won"]
    assert found.won == won
    if not upto or upto[-1][1] is None:
        assert found.call is None
        assert found.ratio is None
        return
    call = Fraction(upto[-1][1], 100)
    assert found.call == Decimal(upto[-1][1]) / 100
    assert found.error == won - found.call
    if call == 0:
        expected = Decimal(1) if won == 0 else Decimal(0)
    else:
        exact = max(1 - abs(Fraction(str(won)) - call) / call, Fraction(0))
        expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert found.ratio == expected


def test_a_call_counts_once_in_the_team_and_an_override_replaces_it_in_the_roll_up(org):
    quarter = FiscalQuarter(2027, 1)
    rep, teammate = org["reps"][0], org["reps"][1]
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for who, commit in ((rep, "100"), (teammate, "50")):
        ForecastCall.objects.create(
            rep=who, fiscal_year=2027, fiscal_quarter=1, commit=Decimal(commit), best_case=Decimal(commit),
            created_at=now, updated_at=now,
        )  # fmt: skip
    from tandem.forecasting.models import ForecastOverride

    ForecastOverride.objects.create(
        rep=rep, fiscal_year=2027, fiscal_quarter=1, commit=Decimal("70"), best_case=Decimal("90"), note="Slips",
        set_by=org["managers"][0], created_at=now, updated_at=now,
    )  # fmt: skip
    team = total_of(rep_lines(user=org["managers"][0], quarter=quarter, start_month=1), "")
    assert team.call_commit == Decimal("150")
    assert team.forecast_commit == Decimal("120")
    assert (team.calls, team.overrides) == (2, 1)
    # The rep reads their own call, never the override.
    (own,) = rep_lines(user=rep, quarter=quarter, start_month=1)
    assert own.override is None
    assert own.forecast_commit == Decimal("100")


@given(st.integers(-(10**15), 10**15))
def test_the_weighted_sum_is_rounded_half_up_to_the_cent_in_integers_as_decimal_rounds_it(cents_times_percent):
    by_decimal = (Decimal(cents_times_percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100
    assert _weighted(cents_times_percent) == by_decimal.quantize(CENT)
    assert _weighted(cents_times_percent).as_tuple().exponent == -2  # always to the cent
