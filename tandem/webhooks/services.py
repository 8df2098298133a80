"""Writes of webhooks: subscriptions (admins), emitting events from the other domains' services,
delivering them (the worker) and replaying a delivery.

`emit(event, payload)` is the one call another service makes, inside its transaction: it writes a
delivery per subscription to the event, and the worker sends them once the transaction commits (a
rolled-back write tells no one).
"""

import datetime
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.webhooks import sending
from tandem.webhooks.events import Event
from tandem.webhooks.models import Delivery, Subscription
from tandem.webhooks.permissions import WebhooksPermission
from tandem.webhooks.selectors import subscription_for_change, subscriptions_receiving

P = WebhooksPermission
SUBSCRIPTION_FIELDS = {"name", "url", "events", "slack_format", "is_active"}
STALE_SUBSCRIPTION = "Someone else changed this webhook since you loaded it. Reload it and apply your change again."
MAX_ATTEMPTS = 6
FIRST_RETRY = 60  # seconds; each retry waits twice as long as the one before (1, 2, 4, 8, 16 minutes)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt: exponential backoff."""
    return datetime.timedelta(seconds=FIRST_RETRY * 2 ** (attempts - 1))


def _events_check(events: Any) -> None:
    known = set(Event.values)
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": "Choose at least one event."})
    unknown = [event for event in events if event not in known]
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(map(str, unknown))}."})


@transaction.atomic
def subscription_create(
    *, actor: User, name: str, url: str, events: list[str], slack_format: bool = False, is_active: bool = True
) -> Subscription:
    """Subscribe an address to events (admins). The subscription gets a new signing secret."""
    require(actor, P.MANAGE_WEBHOOKS)
    _events_check(events)
    subscription = Subscription(
        name=name.strip(),
        url=url.strip(),
        events=sorted(set(events)),
        slack_format=slack_format,
        is_active=is_active,
        secret=secrets.token_hex(32),
        created_by=actor,
    )
    subscription.full_clean()
    subscription.save()
    audit_record(actor=actor, record=subscription, action=Action.CREATED)
    return subscription


@transaction.atomic
def subscription_update(
    *, actor: User, subscription: Subscription, expected_version: int, data: Mapping[str, Any]
) -> Subscription:
    """Change a webhook's name, address, events, format or whether it is active, from the version read."""
    require(actor, P.MANAGE_WEBHOOKS)
    if set(data) - SUBSCRIPTION_FIELDS:
        raise ValueError(f"Not changeable here: {', '.join(sorted(set(data) - SUBSCRIPTION_FIELDS))}")
    subscription = subscription_for_change(user=actor, pk=subscription.pk, lock=True)
    if subscription.version != expected_version:
        raise StaleVersion(STALE_SUBSCRIPTION)
    if "events" in data:
        _events_check(data["events"])
        data = {**data, "events": sorted(set(data["events"]))}
    before = audit_snapshot(subscription)
    for name, value in data.items():
        setattr(subscription, name, value.strip() if isinstance(value, str) else value)
    subscription.version += 1
    subscription.full_clean()
    subscription.save()
    audit_record(actor=actor, record=subscription, action=Action.CHANGED, before=before)
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User, subscription: Subscription) -> None:
    """Stop a webhook for good, with its delivery log."""
    require(actor, P.MANAGE_WEBHOOKS)
    subscription = subscription_for_change(user=actor, pk=subscription.pk, lock=True)
    audit_record(actor=actor, record=subscription, action=Action.DELETED, before=audit_snapshot(subscription))
    subscription.delete()


def emit(event: str, payload: dict[str, Any]) -> list[Delivery]:
    """Tell every subscription to `event` what happened, once the caller's transaction commits.

    `payload` is plain JSON data about the event; its `summary`, a sentence in the product's words
    ("Rita logged an ask on Acme: SAML single sign-on"), is what the Slack format sends.
    """
    if event not in Event.values:
        raise ValueError(f"Unknown webhook event: {event}")
    deliveries = [
        Delivery.objects.create(subscription=subscription, event=event, payload=payload)
        for subscription in subscriptions_receiving(event)
    ]
    for delivery in deliveries:
        _send_after_commit(delivery)
    return deliveries


def _send_after_commit(delivery: Delivery, *, at: datetime.datetime | None = None) -> None:
    from tandem.webhooks.tasks import delivery_send_task

    def enqueue() -> None:
        if at is None:
            delivery_send_task.enqueue(delivery_id=delivery.pk)
        elif delivery_send_task.get_backend().supports_defer:
            delivery_send_task.using(run_after=at).enqueue(delivery_id=delivery.pk)
        # else a backend that runs tasks at once (tests, development) cannot wait: the delivery stays
        # "retrying" with its next attempt's time, and a replay sends it again.

    transaction.on_commit(enqueue)


def delivery_body(delivery: Delivery) -> bytes:
    """What is posted: Tandem's JSON, or `{"text": …}` for a Slack incoming webhook."""
    if delivery.subscription.slack_format:
        summary = delivery.payload.get("summary") or Event(delivery.event).label
        link = delivery.payload.get("url")
        return json.dumps({"text": f"{summary} <{link}|Open in Tandem>" if link else summary}).encode()
    document = {
        "event": delivery.event,
        "delivery": delivery.pk,
        "occurred_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, sort_keys=True).encode()


def delivery_attempt(*, delivery_id: int) -> Delivery:
    """Send a delivery once (the worker). Delivered on a 2xx answer; otherwise tried again after an
    exponentially growing wait, up to MAX_ATTEMPTS, then failed. A refused address fails at once:
    trying again would reach the same address."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery_id)
        if delivery.status in (Delivery.Status.DELIVERED, Delivery.Status.FAILED):
            return delivery  # a task run twice sends once
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
    subscription = delivery.subscription
    body = delivery_body(delivery)
    stamp = str(int(time.time()))
    headers = {
        "X-Tandem-Event": delivery.event,
        "X-Tandem-Delivery": str(delivery.pk),
        "X-Tandem-Timestamp": stamp,
        "X-Tandem-Signature": sending.signature(subscription.secret, stamp, body),
    }
    final = False
    try:
        answer = sending.post(subscription.url, body=body, headers=headers)
    except sending.AddressRefused as refused:
        status, error, final = None, str(refused), True
    except (OSError, ValueError) as failure:  # refused connection, timeout, TLS, a malformed answer
        status, error = None, f"Could not reach the address: {failure}"
    else:
        status = answer.status
        error = "" if 200 <= status < 300 else f"The address answered {status}."
    delivery.response_status = status
    delivery.error = error[: sending.ANSWER_KEPT]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Delivery.Status.DELIVERED,
            timezone.now(),
            None,
        )
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    with transaction.atomic():
        delivery.save(update_fields=["status", "response_status", "error", "delivered_at", "next_attempt_at"])
        if delivery.status == Delivery.Status.RETRYING:
            _send_after_commit(delivery, at=delivery.next_attempt_at)
    return delivery


@transaction.atomic
def delivery_replay(*, actor: User, delivery: Delivery) -> Delivery:
    """Send a delivery's event again, as a new delivery (the log keeps both), to its subscription as
    it is now: after fixing the receiver, or to resend what it lost."""
    require(actor, P.MANAGE_WEBHOOKS)
    subscription = subscription_for_change(user=actor, pk=delivery.subscription_id)
    replay = Delivery.objects.create(
        subscription=subscription, event=delivery.event, payload=delivery.payload, replay_of=delivery
    )
    _send_after_commit(replay)
    return replay
