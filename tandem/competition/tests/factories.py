import datetime

import factory
from django.utils import timezone

from tandem.competition.models import Battlecard, Competitor, FieldIntel, LossFeature
from tandem.sales.models import Opportunity, Stage
from tandem.sales.tests.factories import OpportunityFactory, StageFactory


class CompetitorFactory(factory.django.DjangoModelFactory[Competitor]):
    class Meta:
        model = Competitor

    name = factory.Sequence(lambda n: f"Rival {n}")
    positioning = "Cheap and cheerful, for mid-market teams."


class BattlecardFactory(factory.django.DjangoModelFactory[Battlecard]):
    class Meta:
        model = Battlecard

    competitor = factory.SubFactory(CompetitorFactory)


class FieldIntelFactory(factory.django.DjangoModelFactory[FieldIntel]):
    """Intel heard on a deal, logged by the deal's owner."""

    class Meta:
        model = FieldIntel

    competitor = factory.SubFactory(CompetitorFactory)
    opportunity = factory.SubFactory(OpportunityFactory)
    account = factory.SelfAttribute("opportunity.account")
    author = factory.SelfAttribute("opportunity.owner")
    offered = "Three years for the price of two"
    created_at = factory.LazyFunction(timezone.now)


def won_stage() -> Stage:
    return StageFactory(name="Closed won", order=90, default_probability=100, is_won=True)


def lost_stage() -> Stage:
    return StageFactory(name="Closed lost", order=91, default_probability=0, is_lost=True)


def closed_deal(*, won: bool, **fields: object) -> Opportunity:
    """A deal closed won or lost, closed when it was due."""
    deal = OpportunityFactory(stage=won_stage() if won else lost_stage(), **fields)
    deal.closed_at = timezone.make_aware(datetime.datetime.combine(deal.close_date, datetime.time(12)))
    deal.created_at = deal.closed_at - datetime.timedelta(days=30)
    deal.save(update_fields=["closed_at", "created_at"])
    return deal


class LossFeatureFactory(factory.django.DjangoModelFactory[LossFeature]):
    class Meta:
        model = LossFeature

    opportunity = factory.LazyFunction(lambda: closed_deal(won=False))
    feature = factory.SubFactory("tandem.product.tests.factories.FeatureFactory")
    cited_at = factory.LazyFunction(timezone.now)
