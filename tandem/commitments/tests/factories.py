import factory
from django.utils import timezone

from tandem.commitments.models import Commitment
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.tests.factories import OpportunityFactory


class CommitmentFactory(factory.django.DjangoModelFactory):
    """An approved commitment of a feature to a deal's account, without a date."""

    class Meta:
        model = Commitment

    opportunity = factory.SubFactory(OpportunityFactory)
    account = factory.SelfAttribute("opportunity.account")
    feature = factory.SubFactory(FeatureFactory)
    status = Commitment.Status.APPROVED
    requested_by = factory.SelfAttribute("opportunity.owner")
    requested_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyFunction(timezone.now)
