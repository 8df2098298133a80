import factory
from django.utils import timezone

from tandem.notifications.models import Notification
from tandem.people.tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.DECISION
    title = factory.Sequence(lambda n: f"Planned for 2027.{n}: SAML single sign-on")
    body = "Rationale:\nThree enterprise deals are blocked on it."
    url = "/product/features/1/"
    created_at = factory.LazyFunction(timezone.now)
