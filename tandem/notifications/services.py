"""Writes of notifications: telling people in the app, and by email through a background task."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tandem.core.navigation_counts import navigation_counts_forget
from tandem.notifications import tasks
from tandem.notifications.models import Notification
from tandem.people.models import User

TITLE_MAX = Notification._meta.get_field("title").max_length or 200


@dataclass(frozen=True)
class Notice:
    """One notification for one person, before it is written."""

    recipient: User
    kind: str
    title: str
    body: str
    url: str = ""
    links: tuple[tuple[str, str], ...] = ()


def notices_send(*, notices: Sequence[Notice]) -> list[Notification]:
    """Write these notifications in one INSERT and email them after the transaction commits.

    Inactive people get nothing; the same person gets one notice per call at most (the first). The
    email goes out through a task, so a slow mail server never holds a page, and only once the
    decision or shipment that caused it is saved: a rolled-back write sends nothing.
    """
    now = timezone.now()
    seen: set[int] = set()
    rows: list[Notification] = []
    for notice in notices:
        if not notice.recipient.is_active or notice.recipient.pk in seen:
            continue
        seen.add(notice.recipient.pk)
        rows.append(
            Notification(
                recipient=notice.recipient,
                kind=notice.kind,
                title=notice.title[:TITLE_MAX],
                body=notice.body,
                url=notice.url,
                links=[list(link) for link in notice.links],
                created_at=now,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    navigation_counts_forget(seen)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: tasks.notification_emails_send.enqueue(notification_ids=ids))
    return created


def notify(*, recipients: Iterable[User], kind: str, title: str, body: str, url: str = "") -> list[Notification]:
    """Tell each of these people the same thing, in the app and by email (see `notices_send`)."""
    return notices_send(
        notices=[Notice(recipient=user, kind=kind, title=title, body=body, url=url) for user in recipients]
    )


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email each of these notifications that was not emailed yet, over one mail connection.

    Each is marked emailed once the server accepted it, so a task run twice sends nothing twice.
    Returns how many were sent.
    """
    pending = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    if not pending:
        return 0
    site = settings.SITE_URL.rstrip("/")
    messages = [
        EmailMessage(
            subject=f"Tandem: {notification.title}",
            body=render_to_string("notifications/email.txt", {"notification": notification, "site": site}),
            to=[notification.recipient.email],
        )
        for notification in pending
    ]
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return sent


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of my notifications read (reading it twice keeps the first time)."""
    if notification.recipient_id != actor.pk:
        # Views fetch through `notification_visible`; this guards any other caller.
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
        navigation_counts_forget([actor.pk])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of mine read; returns how many were."""
    read = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    navigation_counts_forget([actor.pk])
    return read
