from decimal import Decimal

import factory

from tandem.targets.models import SalesTarget


class SalesTargetFactory(factory.django.DjangoModelFactory[SalesTarget]):
    class Meta:
        model = SalesTarget
        django_get_or_create = ["fiscal_year"]

    fiscal_year = 2027
    amount = Decimal("4000000.00")
    method = SalesTarget.Method.EVEN
