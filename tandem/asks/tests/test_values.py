"""Each ask's stored value follows its deal and account through every write (`asks/values.py`):
examples first, then a property test against an independent computation over random sequences of
writes through the services."""

import datetime
import importlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.asks.models import Ask
from tandem.asks.services import ask_create, ask_merge
from tandem.asks.tests.factories import AskFactory
from tandem.core.models import ExchangeRate
from tandem.sales.models import Account, Opportunity
from tandem.sales.services import account_update, opportunity_delete, opportunity_move_stage, opportunity_update
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

CENT = Decimal("0.01")
# EUR is worth 1.10 of the home currency until mid-2027, then 1.25.
RATE_CHANGES_ON = datetime.date(2027, 6, 1)
EARLY, LATE = datetime.date(2027, 3, 31), datetime.date(2027, 9, 30)


@pytest.fixture
def euro(db) -> None:
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.10"))
    ExchangeRate.objects.create(currency="EUR", valid_from=RATE_CHANGES_ON, rate_to_home=Decimal("1.25"))


def value_of(ask: Ask) -> Decimal:
    return Ask.objects.values_list("value_home", flat=True).get(pk=ask.pk)


def deal_of(rep, amount: str, **fields) -> Opportunity:
    return OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, amount=Decimal(amount), **fields)


def fresh(deal: Opportunity) -> Opportunity:
    return Opportunity.objects.get(pk=deal.pk)


# --- logging an ask ------------------------------------------------------------------------------


def test_an_ask_logged_on_a_deal_is_worth_the_deals_home_amount(rep):
    deal = deal_of(rep, "80000.00")
    # The account's revenue does not count while there is a deal.
    Account.objects.filter(pk=deal.account_id).update(annual_revenue=Decimal("5000000.00"))

    ask = ask_create(actor=rep, account=deal.account, opportunity=deal, need="Audit log export")

    assert ask.value_home == value_of(ask) == Decimal("80000.00")


def test_an_ask_logged_on_an_account_is_worth_its_annual_revenue(rep):
    account = AccountFactory(owner=rep, annual_revenue=Decimal("1200000.00"))

    ask = ask_create(actor=rep, account=account, need="Audit log export")

    assert ask.value_home == value_of(ask) == Decimal("1200000.00")


def test_an_ask_on_a_prospect_without_revenue_or_deal_is_worth_nothing(rep):
    ask = ask_create(actor=rep, account=AccountFactory(owner=rep), need="Audit log export")
    assert value_of(ask) == Decimal("0.00")


def test_the_value_is_read_from_the_database_not_from_a_stale_deal_object(rep):
    deal = deal_of(rep, "80000.00")
    Opportunity.objects.filter(pk=deal.pk).update(amount=Decimal("90000.00"), amount_home=Decimal("90000.00"))

    ask = ask_create(actor=rep, account=deal.account, opportunity=deal, need="Audit log export")

    assert value_of(ask) == Decimal("90000.00")


# --- the deal changes ----------------------------------------------------------------------------


def test_a_new_deal_amount_is_the_new_value_of_its_asks(rep):
    deal = deal_of(rep, "80000.00")
    asks = AskFactory.create_batch(2, opportunity=deal)
    other = AskFactory(opportunity=deal_of(rep, "1000.00"))

    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"amount": Decimal("120000")})

    assert [value_of(ask) for ask in asks] == [Decimal("120000.00")] * 2
    assert value_of(other) == Decimal("1000.00")


def test_a_new_currency_converts_the_value_at_the_close_date_rate(rep, euro):
    deal = deal_of(rep, "1000.00", close_date=EARLY)
    ask = AskFactory(opportunity=deal)

    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"currency": "EUR"})

    assert value_of(ask) == Decimal("1100.00")


def test_a_new_close_date_takes_the_rate_of_that_date(rep, euro):
    deal = deal_of(rep, "1000.00", close_date=EARLY)
    ask = AskFactory(opportunity=deal)
    deal = opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"currency": "EUR"})

    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"close_date": LATE})

    assert value_of(ask) == Decimal("1250.00")


def test_moving_a_deal_to_another_stage_keeps_its_asks_value(rep, stages):
    deal = deal_of(rep, "80000.00", stage=stages["open"])
    ask = AskFactory(opportunity=deal)

    opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=stages["won"])

    assert value_of(ask) == Decimal("80000.00")


def test_a_stage_move_with_a_new_amount_moves_the_value(rep, stages):
    deal = deal_of(rep, "80000.00", stage=stages["open"])
    ask = AskFactory(opportunity=deal)

    opportunity_update(
        actor=rep,
        opportunity=deal,
        expected_version=deal.version,
        data={"stage": stages["won"], "amount": Decimal("75000.00")},
    )

    assert value_of(ask) == Decimal("75000.00")


def test_deleting_a_deal_leaves_its_asks_worth_their_accounts_revenue(rep):
    deal = deal_of(rep, "80000.00")
    Account.objects.filter(pk=deal.account_id).update(annual_revenue=Decimal("2500000.00"))
    ask = AskFactory(opportunity=deal)
    elsewhere = AskFactory(opportunity=deal_of(rep, "1000.00"))

    opportunity_delete(actor=rep, opportunity=deal)

    ask.refresh_from_db()
    assert (ask.opportunity, ask.value_home) == (None, Decimal("2500000.00"))
    assert value_of(elsewhere) == Decimal("1000.00")


# --- the account changes -------------------------------------------------------------------------


def test_new_annual_revenue_is_the_value_of_the_accounts_asks_without_a_deal(rep):
    account = AccountFactory(owner=rep, annual_revenue=Decimal("100000.00"))
    on_account = AskFactory(opportunity=None, account=account, requested_by=rep)
    on_deal = AskFactory(opportunity=OpportunityFactory(account=account, owner=rep, amount=Decimal("5000.00")))
    account = Account.objects.get(pk=account.pk)

    account_update(
        actor=rep, account=account, expected_version=account.version, data={"annual_revenue": Decimal("300000")}
    )

    assert value_of(on_account) == Decimal("300000.00")
    assert value_of(on_deal) == Decimal("5000.00")


def test_merging_asks_keeps_each_asks_own_value(product_manager, rep):
    original = AskFactory(opportunity=deal_of(rep, "80000.00"))
    duplicate = AskFactory(opportunity=deal_of(rep, "1000.00"))

    ask_merge(actor=product_manager, duplicate=duplicate, original=original)

    assert (value_of(original), value_of(duplicate)) == (Decimal("80000.00"), Decimal("1000.00"))


# --- the migration that filled the value of the asks that existed before it ---------------------


def test_the_fill_migration_values_every_existing_ask_by_the_same_rule(rep):
    fill = importlib.import_module("tandem.asks.migrations.0007_ask_fill_value_home").FILL
    account = AccountFactory(owner=rep, annual_revenue=Decimal("300000.00"))
    on_deal = AskFactory(opportunity=OpportunityFactory(account=account, owner=rep, amount=Decimal("80000.10")))
    on_account = AskFactory(opportunity=None, account=account, requested_by=rep)
    on_prospect = AskFactory(opportunity=None, account=AccountFactory(owner=rep), requested_by=rep)
    Ask.objects.update(value_home=Decimal("0"))  # as the column starts

    with connection.cursor() as cursor:
        cursor.execute(fill)

    assert [value_of(ask) for ask in (on_deal, on_account, on_prospect)] == [
        Decimal("80000.10"),
        Decimal("300000.00"),
        Decimal("0.00"),
    ]


# --- property test: after any sequence of writes, every ask's value is the rule's --------------


@dataclass
class DealSpec:
    account: int
    amount: Decimal
    currency: str = "USD"
    close_date: datetime.date = EARLY
    deleted: bool = False


@dataclass
class WorldSpec:
    revenues: list[Decimal]
    deals: list[DealSpec]
    asks: list[tuple[int | None, int]]  # (deal, account) of each ask, the deal None once deleted
    steps: list[tuple] = field(default_factory=list)


ACCOUNTS = 3
money = st.decimals(min_value=0, max_value=Decimal("5000000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def worlds(draw) -> WorldSpec:
    deals = [
        DealSpec(account=draw(st.integers(0, ACCOUNTS - 1)), amount=draw(money)) for _ in range(draw(st.integers(1, 4)))
    ]
    deal_or_none = st.none() | st.integers(0, len(deals) - 1)
    asks = []
    for deal in draw(st.lists(deal_or_none, min_size=1, max_size=6)):
        asks.append((deal, deals[deal].account if deal is not None else draw(st.integers(0, ACCOUNTS - 1))))
    deal_index = st.integers(0, len(deals) - 1)
    step = st.one_of(
        st.tuples(st.just("amount"), deal_index, money),
        st.tuples(st.just("currency"), deal_index, st.sampled_from(["USD", "EUR"])),
        st.tuples(st.just("close_date"), deal_index, st.sampled_from([EARLY, LATE])),
        st.tuples(st.just("move"), deal_index, st.sampled_from(["open", "won", "lost"])),
        st.tuples(st.just("delete"), deal_index),
        st.tuples(st.just("revenue"), st.integers(0, ACCOUNTS - 1), money),
        st.tuples(st.just("ask"), deal_or_none, st.integers(0, ACCOUNTS - 1)),
    )
    return WorldSpec(
        revenues=draw(st.lists(money, min_size=ACCOUNTS, max_size=ACCOUNTS)),
        deals=deals,
        asks=asks,
        steps=draw(st.lists(step, max_size=8)),
    )


def home_amount(deal: DealSpec) -> Decimal:
    if deal.currency == "USD":
        return deal.amount
    rate = Decimal("1.10") if deal.close_date < RATE_CHANGES_ON else Decimal("1.25")
    return (deal.amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def expected_values(world: WorldSpec) -> list[Decimal]:
    """Each ask's value from the specification alone: its live deal's home amount, else its account's revenue."""
    return [
        home_amount(world.deals[deal]) if deal is not None else world.revenues[account] for deal, account in world.asks
    ]


@pytest.fixture
def property_world(rep, stages, euro):
    return {"rep": rep, "stages": stages, "accounts": [AccountFactory(owner=rep) for _ in range(ACCOUNTS)]}


def _apply_step(step: tuple, world: WorldSpec, env: dict, deals: list[Opportunity], asks: list[Ask]) -> None:
    """Change the database through the services, and the specification alike."""
    rep, kind = env["rep"], step[0]
    if kind == "revenue":
        _, index, revenue = step
        account = Account.objects.get(pk=env["accounts"][index].pk)
        account_update(actor=rep, account=account, expected_version=account.version, data={"annual_revenue": revenue})
        world.revenues[index] = revenue
        return
    if kind == "ask":
        _, index, account_index = step
        if index is not None and world.deals[index].deleted:
            return
        deal = deals[index] if index is not None else None
        account = deal.account if deal is not None else env["accounts"][account_index]
        asks.append(ask_create(actor=rep, account=account, opportunity=deal, need="Audit log export"))
        world.asks.append((index, world.deals[index].account if index is not None else account_index))
        return
    index = step[1]
    spec = world.deals[index]
    if spec.deleted:
        return
    deal = fresh(deals[index])
    if kind == "delete":
        opportunity_delete(actor=rep, opportunity=deal)
        spec.deleted = True
        world.asks = [(None if d == index else d, account) for d, account in world.asks]
    elif kind == "move":
        stage = env["stages"][step[2]]
        # A deal moved to lost says why (the stage asks); the reason does not move an ask's value.
        reason = "price" if stage.is_lost and not deal.stage.is_lost else ""
        opportunity_move_stage(
            actor=rep, opportunity=deal, expected_version=deal.version, stage=stage, loss_reason=reason
        )
    else:
        opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={kind: step[2]})
        setattr(spec, kind, step[2])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_every_asks_value_agrees_with_an_independent_computation(property_world, world):
    env = property_world
    rep, accounts = env["rep"], env["accounts"]
    with transaction.atomic():
        for account, revenue in zip(accounts, world.revenues, strict=True):
            Account.objects.filter(pk=account.pk).update(annual_revenue=revenue)
        deals = [
            OpportunityFactory(
                account=accounts[d.account], owner=rep, amount=d.amount, stage=env["stages"]["open"], close_date=EARLY
            )
            for d in world.deals
        ]
        asks = [
            ask_create(
                actor=rep,
                account=accounts[account],
                opportunity=deals[deal] if deal is not None else None,
                need="Single sign-on with Okta",
            )
            for deal, account in world.asks
        ]

        def check() -> None:
            stored = Ask.objects.in_bulk([ask.pk for ask in asks])
            assert [stored[ask.pk].value_home for ask in asks] == expected_values(world)

        check()
        for step in world.steps:
            _apply_step(step, world, env, deals, asks)
            check()
        transaction.set_rollback(True)
