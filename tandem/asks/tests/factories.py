import factory
from django.utils import timezone

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.sales.tests.factories import OpportunityFactory


class AskFactory(factory.django.DjangoModelFactory):
    """An ask logged by the deal's owner on their deal."""

    class Meta:
        model = Ask

    class Params:
        blocker = factory.Trait(importance=Ask.Importance.BLOCKER)

    opportunity = factory.SubFactory(OpportunityFactory)
    account = factory.SelfAttribute("opportunity.account")
    requested_by = factory.SelfAttribute("opportunity.owner")
    need = "Single sign-on with Okta for all employees"
    why = "Security team will not approve without it"
    importance = Ask.Importance.IMPORTANT
    source = Ask.Source.CALL
    created_at = factory.LazyFunction(timezone.now)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    outcome = Decision.Outcome.LATER
    rationale = "Not this quarter: capacity is committed to the platform work."
    decided_at = factory.LazyFunction(timezone.now)


class FeatureEvidenceFactory(factory.django.DjangoModelFactory):
    """The empty evidence row every feature has from its creation (see `feature_create`)."""

    class Meta:
        model = FeatureEvidence
        django_get_or_create = ["feature"]
