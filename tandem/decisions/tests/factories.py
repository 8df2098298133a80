import datetime

import factory
from django.utils import timezone

from tandem.asks.tests.factories import AskFactory
from tandem.decisions.models import Escalation
from tandem.people.tests.factories import SalesManagerFactory


class EscalationFactory(factory.django.DjangoModelFactory):
    """An open escalation of an ask, due in five days unless said otherwise."""

    class Meta:
        model = Escalation

    ask = factory.SubFactory(AskFactory)
    escalated_by = factory.SubFactory(SalesManagerFactory)
    reason = "Acme's renewal (1.2M) depends on it; the competitor already ships it."
    escalated_at = factory.LazyFunction(timezone.now)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=5))
