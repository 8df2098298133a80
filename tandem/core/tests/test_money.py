import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tandem.core.models import ExchangeRate
from tandem.core.money import to_home_currency, workspace_get


@pytest.fixture
def euro_rates(db):
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("1.08"))
    ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 7, 1), rate_to_home=Decimal("1.1234"))


def test_home_currency_amounts_are_kept_to_the_cent(db):
    assert to_home_currency(amount=Decimal("1000.005"), currency="USD", on=datetime.date(2026, 5, 1)) == Decimal(
        "1000.01"
    )


def test_conversion_uses_the_rate_valid_on_the_day(euro_rates):
    day_before_change = datetime.date(2026, 6, 30)
    assert to_home_currency(amount=Decimal("1000"), currency="EUR", on=day_before_change) == Decimal("1080.00")
    assert to_home_currency(amount=Decimal("1000"), currency="EUR", on=datetime.date(2026, 7, 1)) == Decimal("1123.40")


def test_conversion_without_a_known_rate_names_the_field_and_the_currency(euro_rates):
    with pytest.raises(ValidationError) as error:
        to_home_currency(amount=Decimal("10"), currency="EUR", on=datetime.date(2025, 12, 31))
    assert "EUR" in error.value.message_dict["currency"][0]


def test_the_database_refuses_a_second_workspace_and_bad_currencies(db):
    workspace_get()
    from tandem.core.models import Workspace

    with pytest.raises(IntegrityError):
        Workspace.objects.create(id=2, name="Another company")


def test_the_database_refuses_a_non_positive_exchange_rate(db):
    with pytest.raises(IntegrityError):
        ExchangeRate.objects.create(currency="GBP", valid_from=datetime.date(2026, 1, 1), rate_to_home=Decimal("0"))
