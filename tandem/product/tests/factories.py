import datetime

import factory
from django.utils import timezone

from tandem.people.tests.factories import ProductManagerFactory
from tandem.product.models import Feature, Goal, Product, Release
from tandem.triage.suggestions import feature_indexed


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    lifecycle_stage = Product.Lifecycle.GROWTH
    manager = factory.SubFactory(ProductManagerFactory)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    name = factory.Sequence(lambda n: f"Goal {n}")
    weight = 3


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    name = factory.Sequence(lambda n: f"2027.{n}")
    product = factory.SubFactory(ProductFactory)
    target_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))


class FeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feature
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Feature {n}")
    description = "A capability customers keep asking for."
    visibility = Feature.Visibility.SALES
    owner = factory.SelfAttribute("product.manager")
    # As `feature_create` does: every feature has its evidence row, so lists sort on it.
    evidence = factory.RelatedFactory(
        "tandem.asks.tests.factories.FeatureEvidenceFactory", factory_related_name="feature"
    )

    @factory.post_generation
    def indexed(self, create: bool, extracted: object, **kwargs: object) -> None:
        """As `feature_create` does: the duplicate suggestions know the feature."""
        if create:
            feature_indexed(feature=self)
