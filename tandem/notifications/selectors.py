"""Reads of notifications. A notification is its recipient's alone."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tandem.notifications.models import Notification
from tandem.people.models import User


def notification_visible(*, user: User) -> QuerySet[Notification]:
    """Only my own notifications: not even an admin reads another person's."""
    return Notification.objects.filter(recipient=user)


def notification_get(*, user: User, pk: int) -> Notification:
    return get_object_or_404(notification_visible(user=user), pk=pk)


def notification_unread(*, user: User) -> QuerySet[Notification]:
    """My unread notifications, unordered: counted on the partial unread index for the bell."""
    return notification_visible(user=user).filter(read_at__isnull=True).order_by()


def notification_unread_count(*, user: User) -> int:
    return notification_unread(user=user).count()


def notification_changeable(*, user: User) -> QuerySet[Notification]:
    """Only I mark my notifications read."""
    return notification_visible(user=user)
