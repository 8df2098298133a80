import datetime

import factory
from django.utils import timezone

from tandem.calls.models import CallAttendee, CustomerCall
from tandem.sales.tests.factories import OpportunityFactory


class CustomerCallFactory(factory.django.DjangoModelFactory[CustomerCall]):
    """An upcoming call on a deal, opened by the deal's owner (`past=True`: one held yesterday)."""

    class Meta:
        model = CustomerCall

    class Params:
        past = factory.Trait(scheduled_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)))

    opportunity = factory.SubFactory(OpportunityFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    agenda = "Their security review and the SSO roadmap"
    opened_by = factory.SelfAttribute("opportunity.owner")
    created_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))


class CallAttendeeFactory(factory.django.DjangoModelFactory[CallAttendee]):
    class Meta:
        model = CallAttendee

    call = factory.SubFactory(CustomerCallFactory)
    joined_at = factory.LazyFunction(timezone.now)
