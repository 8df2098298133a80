from decimal import Decimal

import factory

from tandem.people.models import Team
from tandem.people.tests.factories import TeamFactory
from tandem.planning.models import FeatureBuild, TeamCapacity
from tandem.product.tests.factories import FeatureFactory


class EngineeringTeamFactory(TeamFactory):
    name = factory.Sequence(lambda n: f"Platform squad {n}")
    kind = Team.Kind.ENGINEERING


class TeamCapacityFactory(factory.django.DjangoModelFactory[TeamCapacity]):
    class Meta:
        model = TeamCapacity

    team = factory.SubFactory(EngineeringTeamFactory)
    fiscal_year = 2027
    fiscal_quarter = 2
    person_weeks = Decimal("40")


class FeatureBuildFactory(factory.django.DjangoModelFactory[FeatureBuild]):
    class Meta:
        model = FeatureBuild

    feature = factory.SubFactory(FeatureFactory)
    team = factory.SubFactory(EngineeringTeamFactory)
    must_have = False
