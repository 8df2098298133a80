"""Reads of launches and the digest. A launch is read by everyone who reads releases (every role:
sales prepares for it, engineering builds it) and changed by whoever may manage its release."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.roles import Role
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, release_products
from tandem.launches.models import ChecklistItem, DigestDelivery, DigestSettings, LaunchPlan, SuccessMetric
from tandem.people.models import User
from tandem.product.models import Product


def launch_plan_visible(*, user: User) -> QuerySet[LaunchPlan]:
    return LaunchPlan.objects.all()


def _managed_products(user: User) -> QuerySet[Product]:
    return release_products(user, Product.objects.all(), decision_right_for(DecisionType.PLANNED))


def launch_plan_changeable(*, user: User) -> QuerySet[LaunchPlan]:
    """Those who may plan and ship the release (its product's manager, admins) run its launch."""
    return LaunchPlan.objects.filter(release__product__in=_managed_products(user))


def checklist_item_visible(*, user: User) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(plan__in=launch_plan_visible(user=user))


def checklist_item_changeable(*, user: User) -> QuerySet[ChecklistItem]:
    """The launch's owners change every task; a task's own owner ticks it off (`checklist_item_update`)."""
    return ChecklistItem.objects.filter(plan__in=launch_plan_changeable(user=user))


def success_metric_visible(*, user: User) -> QuerySet[SuccessMetric]:
    return SuccessMetric.objects.filter(plan__in=launch_plan_visible(user=user))


def success_metric_changeable(*, user: User) -> QuerySet[SuccessMetric]:
    return SuccessMetric.objects.filter(plan__in=launch_plan_changeable(user=user))


def digest_settings_visible(*, user: User) -> QuerySet[DigestSettings]:
    return DigestSettings.objects.all()


def digest_settings_changeable(*, user: User) -> QuerySet[DigestSettings]:
    """How often sales gets the digest is the admin's choice."""
    return DigestSettings.objects.all() if user.role == Role.ADMIN else DigestSettings.objects.none()


def digest_delivery_visible(*, user: User) -> QuerySet[DigestDelivery]:
    return DigestDelivery.objects.filter(reader_id=user.pk)


def digest_delivery_changeable(*, user: User) -> QuerySet[DigestDelivery]:
    """Deliveries are Tandem's record of what it sent: written by the digest task alone."""
    return DigestDelivery.objects.none()


def launch_plan_get(*, user: User, pk: int) -> LaunchPlan:
    return get_object_or_404(launch_plan_visible(user=user).select_related("release__product", "created_by"), pk=pk)


def launch_plan_rows(*, user: User) -> QuerySet[LaunchPlan]:
    return launch_plan_visible(user=user).select_related("release__product")


def digest_settings_get() -> DigestSettings:
    return DigestSettings.objects.filter(pk=1).first() or DigestSettings(pk=1)
