"""A new, corrected or removed exchange rate moves the home amounts of the deals it converts, their
asks' values and their features' evidence: examples first, then a property test against an
independent computation over random sequences of rate changes."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.core.models import ExchangeRate
from tandem.core.tests.admin_forms import change_form_data
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.models import Opportunity
from tandem.sales.services import (
    exchange_rate_deletable,
    exchange_rate_delete,
    exchange_rate_set,
    home_amounts_follow_rates,
)
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

FIRST = datetime.date(2026, 1, 1)
EARLY, JUNE, LATE = datetime.date(2027, 3, 31), datetime.date(2027, 6, 1), datetime.date(2027, 9, 30)


@pytest.fixture
def first_rate(db) -> ExchangeRate:
    return ExchangeRate.objects.create(currency="EUR", valid_from=FIRST, rate_to_home=Decimal("1.10"))


def euro_deal(rep, close_date: datetime.date, amount: str = "1000.00") -> Opportunity:
    return OpportunityFactory(
        account=AccountFactory(owner=rep),
        owner=rep,
        amount=Decimal(amount),
        currency="EUR",
        amount_home=(Decimal(amount) * Decimal("1.10")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        close_date=close_date,
    )


def rate_set(admin, capture, *, valid_from: datetime.date, rate: str, of: ExchangeRate | None = None, currency="EUR"):
    """Set a rate as the admin, and run what it enqueued (the recompute) as the worker would."""
    with capture(execute=True):
        return exchange_rate_set(
            actor=admin, rate=of, currency=currency, valid_from=valid_from, rate_to_home=Decimal(rate)
        )


def home_amount(deal: Opportunity) -> Decimal:
    return Opportunity.objects.values_list("amount_home", flat=True).get(pk=deal.pk)


def test_a_new_rate_moves_the_deals_closing_from_its_date_on_their_asks_and_evidence(
    rep, admin_user, first_rate, django_capture_on_commit_callbacks
):
    early, late = euro_deal(rep, EARLY), euro_deal(rep, LATE)
    dollars = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, close_date=LATE)
    feature = FeatureFactory()
    ask = AskFactory(opportunity=late, feature=feature, status=Ask.Status.LINKED)
    AskFactory(opportunity=early, feature=feature, status=Ask.Status.LINKED)
    feature_evidence_refresh(feature_ids=[feature.pk])
    assert FeatureEvidence.objects.get(feature=feature).open_pipeline == Decimal("2200.00")

    rate_set(admin_user, django_capture_on_commit_callbacks, currency="eur", valid_from=JUNE, rate="1.25")

    assert home_amount(late) == Decimal("1250.00")
    assert home_amount(early) == Decimal("1100.00")  # closes before the new rate
    assert home_amount(dollars) == dollars.amount_home
    assert Ask.objects.get(pk=ask.pk).value_home == Decimal("1250.00")
    assert FeatureEvidence.objects.get(feature=feature).open_pipeline == Decimal("2350.00")
    assert Opportunity.objects.get(pk=late.pk).version == late.version  # no one's open edit goes stale


def test_correcting_a_rates_date_or_removing_it_moves_the_deals_back(
    rep, admin_user, first_rate, django_capture_on_commit_callbacks
):
    late = euro_deal(rep, LATE)
    rate = rate_set(admin_user, django_capture_on_commit_callbacks, valid_from=JUNE, rate="1.25")
    assert home_amount(late) == Decimal("1250.00")

    rate_set(
        admin_user, django_capture_on_commit_callbacks, of=rate, valid_from=datetime.date(2027, 12, 1), rate="1.25"
    )
    assert home_amount(late) == Decimal("1100.00")

    rate_set(admin_user, django_capture_on_commit_callbacks, of=rate, valid_from=LATE, rate="1.20")
    assert home_amount(late) == Decimal("1200.00")

    with django_capture_on_commit_callbacks(execute=True):
        exchange_rate_delete(actor=admin_user, rate=rate)
    assert home_amount(late) == Decimal("1100.00")


def test_the_rate_a_deal_needs_cannot_go_and_the_home_currency_takes_none(rep, admin_user, first_rate):
    euro_deal(rep, EARLY)

    assert not exchange_rate_deletable(first_rate)
    with pytest.raises(ValidationError, match="1 deals in EUR close with no other rate"):
        exchange_rate_delete(actor=admin_user, rate=first_rate)
    with pytest.raises(ValidationError, match="1 deals in EUR close before 2027-06-01") as moved:
        exchange_rate_set(
            actor=admin_user,
            rate=first_rate,
            currency="EUR",
            valid_from=datetime.date(2027, 6, 1),
            rate_to_home=Decimal("1.10"),
        )
    assert "valid_from" in moved.value.message_dict
    with pytest.raises(ValidationError) as home:
        exchange_rate_set(actor=admin_user, rate=None, currency="USD", valid_from=FIRST, rate_to_home=Decimal("1"))
    assert home.value.message_dict == {"currency": ["USD is the home currency: it needs no rate."]}
    assert ExchangeRate.objects.get() == first_rate


def test_only_admins_set_rates(rep, sales_manager, executive, first_rate):
    for person in (rep, sales_manager, executive):
        with pytest.raises(PermissionDenied):
            exchange_rate_set(actor=person, rate=None, currency="GBP", valid_from=FIRST, rate_to_home=Decimal("1.3"))
        with pytest.raises(PermissionDenied):
            exchange_rate_delete(actor=person, rate=first_rate)
    assert ExchangeRate.objects.count() == 1


def test_the_admin_pages_go_through_the_rules(rep, admin_user, first_rate, client, django_capture_on_commit_callbacks):
    late = euro_deal(rep, LATE)
    client.force_login(admin_user)

    change = f"/admin/core/exchangerate/{first_rate.pk}/change/"
    refused = client.post(change, change_form_data(client, change, valid_from="2027-12-01", rate_to_home="1.10"))
    assert refused.status_code == 200
    assert "1 deals in EUR close before 2027-12-01" in refused.content.decode()
    assert ExchangeRate.objects.get(pk=first_rate.pk).valid_from == FIRST
    assert client.get(f"/admin/core/exchangerate/{first_rate.pk}/delete/").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/core/exchangerate/add/", {"currency": "EUR", "valid_from": "2027-06-01", "rate_to_home": "1.25"}
        )
    assert response.status_code == 302
    assert home_amount(late) == Decimal("1250.00")


# --- property: every deal's home amount is its amount at the latest rate on or before its close ---

DAYS = [datetime.date(2026, 1, 1) + datetime.timedelta(days=60 * i) for i in range(10)]
rates = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=4)
operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(DAYS[1:]), rates),
    st.tuples(st.just("correct"), st.integers(0, 5), st.sampled_from(DAYS), rates),
    st.tuples(st.just("remove"), st.integers(0, 5)),
)


def expected_home(amount: Decimal, close_date: datetime.date, table: dict[datetime.date, Decimal]) -> Decimal:
    day = max(day for day in table if day <= close_date)
    return (amount * table[day]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deals=st.lists(st.tuples(st.sampled_from(DAYS), st.integers(1, 10**7)), min_size=1, max_size=6),
    operations=st.lists(operation, min_size=1, max_size=6),
)
def test_home_amounts_always_follow_the_rates(rep, admin_user, django_capture_on_commit_callbacks, deals, operations):
    ExchangeRate.objects.all().delete()
    Opportunity.objects.all().delete()
    ExchangeRate.objects.create(currency="EUR", valid_from=DAYS[0], rate_to_home=Decimal("1.10"))
    made = [euro_deal(rep, close, f"{cents / 100:.2f}") for close, cents in deals]
    for op in operations:
        existing = list(ExchangeRate.objects.order_by("valid_from"))
        try:
            with django_capture_on_commit_callbacks(execute=True):
                if op[0] == "add":
                    exchange_rate_set(actor=admin_user, rate=None, currency="EUR", valid_from=op[1], rate_to_home=op[2])
                elif op[0] == "correct":
                    rate = existing[op[1] % len(existing)]
                    exchange_rate_set(actor=admin_user, rate=rate, currency="EUR", valid_from=op[2], rate_to_home=op[3])
                else:
                    exchange_rate_delete(actor=admin_user, rate=existing[op[1] % len(existing)])
        except ValidationError:
            pass  # refused (a day taken, or deals left without a rate): nothing changes
        table = dict(ExchangeRate.objects.values_list("valid_from", "rate_to_home"))
        for deal in made:
            assert home_amount(deal) == expected_home(deal.amount, deal.close_date, table)


@pytest.mark.django_db(transaction=True)
def test_after_rewriting_many_deals_postgresql_vacuums_their_tables(rep, admin_user, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    monkeypatch.setattr("tandem.sales.services.VACUUM_AFTER", 1)
    ExchangeRate.objects.create(currency="EUR", valid_from=FIRST, rate_to_home=Decimal("1.10"))
    ExchangeRate.objects.create(currency="EUR", valid_from=LATE, rate_to_home=Decimal("1.30"))
    deal = euro_deal(rep, LATE)

    def vacuumed() -> object:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'sales_opportunity'")
            return cursor.fetchone()[0]

    before = vacuumed()
    assert home_amounts_follow_rates(currency="EUR", since=LATE) == 1
    assert home_amount(deal) == Decimal("1300.00")
    assert vacuumed() not in (None, before)
