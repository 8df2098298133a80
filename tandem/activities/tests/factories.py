import factory
from django.utils import timezone

from tandem.activities.models import Activity
from tandem.sales.tests.factories import OpportunityFactory


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    opportunity = factory.SubFactory(OpportunityFactory)
    kind = Activity.Kind.CALL
    body = "Walked through the pricing."
    occurred_at = factory.LazyFunction(timezone.now)
    created_at = factory.LazyFunction(timezone.now)
    author = factory.SelfAttribute("opportunity.owner")
