import secrets

import factory

from tandem.webhooks.events import Event
from tandem.webhooks.models import Subscription


class SubscriptionFactory(factory.django.DjangoModelFactory[Subscription]):
    """An active webhook to decisions taken, in Tandem's own format."""

    class Meta:
        model = Subscription

    name = factory.Sequence(lambda n: f"Decisions feed {n}")
    url = "https://hooks.example.com/tandem"
    events = factory.LazyFunction(lambda: [Event.DECISION_TAKEN.value])
    secret = factory.LazyFunction(lambda: secrets.token_hex(32))
