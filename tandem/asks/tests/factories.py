import factory
from django.utils import timezone

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.sales.tests.factories import OpportunityFactory
from tandem.triage.suggestions import ask_indexed


class AskFactory(factory.django.DjangoModelFactory):
    """An ask logged by the deal's owner on their deal."""

    class Meta:
        model = Ask
        skip_postgeneration_save = True

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
    # As `ask_create` values it, from the deal and account objects given.
    value_home = factory.LazyAttribute(
        lambda ask: ask.opportunity.amount_home if ask.opportunity is not None else ask.account.annual_revenue
    )

    @factory.post_generation
    def indexed(self, create: bool, extracted: object, **kwargs: object) -> None:
        """As `ask_create` does: the duplicate suggestions know the ask (and the feature it names)."""
        if create:
            ask_indexed(ask=self)


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
