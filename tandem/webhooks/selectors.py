"""Reads of webhooks: subscriptions and their deliveries are the admins' alone (they carry the
secrets that sign deliveries and say where the workspace's events go)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.permissions import has_permission
from tandem.core.selectors import record_for_change
from tandem.people.models import User
from tandem.webhooks.models import Delivery, Subscription
from tandem.webhooks.permissions import WebhooksPermission


def subscription_visible(*, user: User) -> QuerySet[Subscription]:
    if has_permission(user, WebhooksPermission.MANAGE_WEBHOOKS):
        return Subscription.objects.all()
    return Subscription.objects.none()


def subscription_changeable(*, user: User) -> QuerySet[Subscription]:
    return subscription_visible(user=user)


def subscription_get(*, user: User, pk: int) -> Subscription:
    return get_object_or_404(subscription_visible(user=user), pk=pk)


def subscription_for_change(*, user: User, pk: int, lock: bool = False) -> Subscription:
    visible = subscription_visible(user=user)
    return record_for_change(
        visible=visible.select_for_update() if lock else visible,
        changeable=subscription_changeable(user=user),
        pk=pk,
        refusal="Only admins manage webhooks.",
    )


def delivery_visible(*, user: User) -> QuerySet[Delivery]:
    """A delivery is seen by whoever sees its subscription."""
    return Delivery.objects.filter(subscription__in=subscription_visible(user=user))


def delivery_changeable(*, user: User) -> QuerySet[Delivery]:
    """Replaying a delivery is a change of its subscription's."""
    return Delivery.objects.filter(subscription__in=subscription_changeable(user=user))


def delivery_get(*, user: User, pk: int) -> Delivery:
    return get_object_or_404(delivery_visible(user=user).select_related("subscription"), pk=pk)


def subscriptions_receiving(event: str) -> list[Subscription]:
    """The active subscriptions to `event`, for Tandem's own services (no user: an event is the
    workspace's, whoever caused it). Subscriptions are few; the event list is checked in Python,
    as SQLite's JSON has no "list contains"."""
    return [
        subscription for subscription in Subscription.objects.filter(is_active=True) if subscription.receives(event)
    ]
