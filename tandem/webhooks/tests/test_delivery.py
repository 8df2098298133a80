"""Deliveries to a real HTTP server on 127.0.0.1: signed, retried with backoff, replayed, in the Slack
format, and refused to loopback, private, link-local and metadata addresses unless allowed."""

import hashlib
import hmac
import json
import socket

import pytest
from django.db import transaction

from tandem.webhooks import sending, services
from tandem.webhooks.events import Event
from tandem.webhooks.models import Delivery
from tandem.webhooks.tests.factories import SubscriptionFactory
from tandem.webhooks.tests.receiver import receiver

pytestmark = pytest.mark.django_db(transaction=True)

DECIDED = Event.DECISION_TAKEN.value
PAYLOAD = {"summary": "Pia decided SAML single sign-on: planned for 2027.1", "feature": {"id": 7}, "url": "/f/7/"}


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def _emit(event: str = DECIDED, payload: dict | None = None) -> list[Delivery]:
    with transaction.atomic():  # the worker sends once the emitting write commits
        return services.emit(event, payload or PAYLOAD)


def test_a_delivery_is_signed_with_the_subscriptions_secret_and_timestamp(loopback_allowed):
    with receiver() as server:
        subscription = SubscriptionFactory(url=server.url)
        [delivery] = _emit()
        [request] = server.received

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.response_status == 200
    stamp = request.headers["X-Tandem-Timestamp"]
    expected = hmac.new(subscription.secret.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["X-Tandem-Signature"] == f"sha256={expected.hexdigest()}"
    assert request.headers["X-Tandem-Event"] == DECIDED
    body = json.loads(request.body)
    assert body["event"] == DECIDED
    assert body["delivery"] == delivery.pk
    assert body["data"] == PAYLOAD


def test_the_slack_format_posts_only_text(loopback_allowed):
    with receiver() as server:
        SubscriptionFactory(url=server.url, slack_format=True)
        _emit()
        [request] = server.received

    assert json.loads(request.body) == {"text": f"{PAYLOAD['summary']} <{PAYLOAD['url']}|Open in Tandem>"}


def test_only_active_subscriptions_to_the_event_are_told(loopback_allowed):
    with receiver() as server:
        SubscriptionFactory(url=server.url, events=[Event.ASK_LOGGED.value])
        SubscriptionFactory(url=server.url, is_active=False)
        assert _emit() == []
        assert server.received == []


def test_nothing_is_sent_when_the_emitting_write_rolls_back(loopback_allowed):
    with receiver() as server:
        SubscriptionFactory(url=server.url)
        with pytest.raises(RuntimeError):
            _emit_then_fail()
        assert server.received == []
    assert not Delivery.objects.exists()


@transaction.atomic
def _emit_then_fail() -> None:
    services.emit(DECIDED, PAYLOAD)
    raise RuntimeError


def test_a_failed_delivery_is_retried_later_with_exponential_backoff(loopback_allowed, admin_user):
    with receiver() as server:
        server.status = 503
        SubscriptionFactory(url=server.url)
        [delivery] = _emit()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("retrying", 1, 503)
        assert delivery.error == "The address answered 503."
        waits = [services.retry_delay(attempt).total_seconds() for attempt in range(1, services.MAX_ATTEMPTS)]
        assert waits == [60, 120, 240, 480, 960]
        for _ in range(services.MAX_ATTEMPTS - 1):
            delivery = services.delivery_attempt(delivery_id=delivery.pk)
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", services.MAX_ATTEMPTS, None)
        assert len(server.received) == services.MAX_ATTEMPTS
        # Once the receiver is fixed, the admin replays it: a new delivery, the log keeps both.
        server.status = 204
        replay = services.delivery_replay(actor=admin_user, delivery=delivery)
        replay.refresh_from_db()
    assert (replay.status, replay.replay_of_id, replay.payload) == ("delivered", delivery.pk, PAYLOAD)


def test_a_delivery_to_loopback_is_refused_by_default():
    with receiver() as server:
        SubscriptionFactory(url=server.url)
        [delivery] = _emit()
        assert server.received == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED  # the same address would be refused again
    assert "127.0.0.1" in delivery.error
    assert "private network" in delivery.error


def test_a_redirect_to_the_metadata_address_is_refused(loopback_allowed):
    with receiver() as server:
        # The allowed receiver stands for a public host that redirects to the cloud's metadata service.
        server.redirect_to = "http://169.254.169.254/latest/meta-data/"
        SubscriptionFactory(url=server.url)
        [delivery] = _emit()
        assert len(server.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "169.254.169.254" in delivery.error


def test_a_redirect_is_followed_and_checked_again(loopback_allowed):
    with receiver() as first, receiver() as second:
        first.redirect_to = second.url.replace("/hook", "/moved")
        SubscriptionFactory(url=first.url)
        [delivery] = _emit()
        assert [request.path for request in second.received] == ["/moved"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.5",
        "192.168.1.10",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fd00::1",
    ],
)
def test_non_public_addresses_are_refused(monkeypatch, address):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *args, **kwargs: [(family, socket.SOCK_STREAM, 6, "", (address, 443))]
    )
    with pytest.raises(sending.AddressRefused):
        sending.address_check("hooks.example.com", 443)


def test_a_host_resolving_to_a_public_and_a_private_address_is_refused(monkeypatch):
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(sending.AddressRefused):
        sending.address_check("rebinding.example.com", 443)


def test_an_address_that_is_not_http_is_refused():
    with pytest.raises(sending.AddressRefused):
        sending.post("file:///etc/passwd", body=b"{}", headers={})
