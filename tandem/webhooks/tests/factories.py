import secrets

import factory

from tandem.webhooks.events import Event
from tandem.webhooks.models import Subscription


class SubscriptionFactory(factory.django.DjangoModelFactory[Subscription]):
    """An active webhook to decisions taken, in Tandem's own format."""

    class Meta:
        model = Subscription

    name = factory.Sequence(lambda n: f"Decisions feed {n}")
    # Refused by the address check unless a test allows loopback: no test reaches the network.
    url = "http://127.0.0.1:9/tandem"
    events = factory.LazyFunction(lambda: [Event.DECISION_TAKEN.value])
    secret = factory.LazyFunction(lambda: secrets.token_hex(32))
