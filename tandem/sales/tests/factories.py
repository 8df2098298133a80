import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from tandem.people.tests.factories import RepFactory
from tandem.sales.models import Account, Contact, Opportunity, Quota, Stage


class StageFactory(factory.django.DjangoModelFactory[Stage]):
    class Meta:
        model = Stage
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: n + 100)
    default_probability = 20
    forecast_category = Stage.ForecastCategory.PIPELINE


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Faker("company")
    industry = "Software"
    segment = Account.Segment.MID_MARKET
    employees = 250
    region = "EMEA"
    owner = factory.SubFactory(RepFactory)


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")


class OpportunityFactory(factory.django.DjangoModelFactory[Opportunity]):
    """An open deal in the home currency; `amount_home` follows `amount`."""

    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.SelfAttribute("account.owner")
    amount = Decimal("50000.00")
    currency = "USD"
    amount_home = factory.SelfAttribute("amount")
    stage = factory.SubFactory(StageFactory)
    probability = factory.SelfAttribute("stage.default_probability")
    forecast_category = factory.SelfAttribute("stage.forecast_category")
    close_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=45))
    created_at = factory.LazyFunction(timezone.now)


class QuotaFactory(factory.django.DjangoModelFactory[Quota]):
    class Meta:
        model = Quota

    user = factory.SubFactory(RepFactory)
    fiscal_year = 2027
    fiscal_quarter = 1
    amount = Decimal("250000.00")
