"""The webhooks pages and API, as an admin uses them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.webhooks.api import EventName
from tandem.webhooks.events import Event
from tandem.webhooks.models import Delivery, Subscription
from tandem.webhooks.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("webhooks:subscription_list")


def test_an_admin_adds_a_webhook_and_reads_its_secret(client, admin_user):
    client.force_login(admin_user)
    assert "No webhooks yet" in client.get(LIST).content.decode()

    response = client.post(
        LIST,
        {
            "name": "#product in Slack",
            "url": "https://hooks.slack.com/services/T0/B0/x",
            "events": ["decision.taken", "release.shipped"],
            "slack_format": "on",
            "is_active": "on",
        },
    )

    subscription = Subscription.objects.get()
    assert response.status_code == 302
    assert (subscription.events, subscription.slack_format) == (["decision.taken", "release.shipped"], True)
    page = client.get(response["Location"]).content.decode()
    assert subscription.secret in page
    assert "Nothing sent yet" in page


def test_a_bad_webhook_gets_field_messages(client, admin_user):
    client.force_login(admin_user)

    response = client.post(LIST, {"name": "", "url": "javascript:alert(1)"})

    assert response.status_code == 422
    assert response.context["form"].errors.keys() == {"name", "url", "events"}
    assert not Subscription.objects.exists()


def test_a_stale_edit_is_refused_with_a_reason(client, admin_user):
    subscription = SubscriptionFactory(name="Before")
    client.force_login(admin_user)
    url = reverse("webhooks:subscription_detail", args=[subscription.pk])
    data = {"url": subscription.url, "events": subscription.events, "is_active": "on"}
    assert client.post(url, {**data, "name": "First", "version": 1}).status_code == 302

    response = client.post(url, {**data, "name": "Second", "version": 1})

    assert response.status_code == 422
    assert "Someone else changed this webhook" in response.content.decode()
    assert Subscription.objects.get().name == "First"


def test_the_delivery_log_shows_each_delivery_and_replays_one(client, admin_user):
    subscription = SubscriptionFactory()
    delivery = Delivery.objects.create(
        subscription=subscription, event="decision.taken", payload={"summary": "Decided"}, status="failed", attempts=6
    )
    client.force_login(admin_user)
    page = client.get(reverse("webhooks:subscription_detail", args=[subscription.pk])).content.decode()
    assert "Failed" in page
    assert "Decision taken" in page

    client.post(reverse("webhooks:delivery_replay", args=[delivery.pk]))

    replay = Delivery.objects.exclude(pk=delivery.pk).get()
    assert replay.replay_of == delivery
    assert replay.payload == delivery.payload
    detail = client.get(reverse("webhooks:delivery_detail", args=[delivery.pk])).content.decode()
    assert "&quot;summary&quot;: &quot;Decided&quot;" in detail


def test_the_delivery_log_reads_as_many_times_for_ten_deliveries_as_for_one(
    client, admin_user, django_assert_max_num_queries
):
    subscription = SubscriptionFactory()
    client.force_login(admin_user)
    url = reverse("webhooks:subscription_detail", args=[subscription.pk])
    Delivery.objects.create(subscription=subscription, event="ask.logged", payload={})
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(9):
        Delivery.objects.create(subscription=subscription, event="ask.logged", payload={})
    with django_assert_max_num_queries(len(one)):
        client.get(url)


def test_the_api_adds_lists_changes_and_deletes_a_webhook(client, admin_user):
    client.force_login(admin_user)
    body = {"name": "Warehouse", "url": "https://etl.example.com/in", "events": ["deal.stage_changed"]}

    created = client.post("/api/webhooks", body, content_type="application/json")
    assert created.status_code == 201
    hook = created.json()
    assert hook["secret"]
    assert client.get("/api/webhooks").json()["items"][0]["id"] == hook["id"]

    changed = client.patch(
        f"/api/webhooks/{hook['id']}", {"version": 1, "is_active": False}, content_type="application/json"
    )
    assert (changed.status_code, changed.json()["is_active"], changed.json()["version"]) == (200, False, 2)
    stale = client.patch(f"/api/webhooks/{hook['id']}", {"version": 1, "name": "x"}, content_type="application/json")
    assert stale.status_code == 409

    assert client.delete(f"/api/webhooks/{hook['id']}").status_code == 204
    assert not Subscription.objects.exists()


def test_the_api_refuses_an_unknown_event_on_its_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/api/webhooks",
        {"name": "x", "url": "https://etl.example.com/in", "events": ["deal.won"]},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_the_api_pages_a_webhooks_deliveries_with_a_cursor(client, admin_user):
    subscription = SubscriptionFactory()
    for _ in range(3):
        Delivery.objects.create(subscription=subscription, event="ask.logged", payload={"summary": "x"})
    client.force_login(admin_user)
    first = client.get(f"/api/webhooks/{subscription.pk}/deliveries", {"limit": 2}).json()
    second = client.get(
        f"/api/webhooks/{subscription.pk}/deliveries", {"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(Delivery.objects.values_list("pk", flat=True), reverse=True)
    assert second["next_cursor"] is None


def test_the_api_names_every_event():
    assert set(EventName.__args__) == set(Event.values)
