import factory
from django.utils import timezone

from tandem.launches.models import ChecklistItem, LaunchPlan, SuccessMetric
from tandem.product.tests.factories import ReleaseFactory


class LaunchPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaunchPlan

    release = factory.SubFactory(ReleaseFactory)
    created_by = factory.SelfAttribute("release.product.manager")
    created_at = factory.LazyFunction(timezone.now)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    plan = factory.SubFactory(LaunchPlanFactory)
    area = ChecklistItem.Area.ENABLEMENT
    title = "Brief sales"
    owner = factory.SelfAttribute("plan.created_by")


class SuccessMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMetric

    plan = factory.SubFactory(LaunchPlanFactory)
    kind = SuccessMetric.Kind.ADOPTION
    target = 50
