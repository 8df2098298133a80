"""Who may reach webhooks: admins alone, pages and API (they say where the workspace's events go and
hold the secrets that sign them); every other role gets 403, as for every area its role does not open."""

from typing import Any

from tandem.tests.access import Access, expect
from tandem.tests.world import World
from tandem.webhooks.models import Delivery
from tandem.webhooks.tests.factories import SubscriptionFactory

ADMINS = expect(403, 403, 403, 403, 403, 200)
ADMINS_WRITE = expect(403, 403, 403, 403, 403, 302)


def _subscription(w: World) -> dict[str, Any]:
    return {"pk": SubscriptionFactory().pk}


def _delivery(w: World) -> dict[str, Any]:
    delivery = Delivery.objects.create(
        subscription=SubscriptionFactory(), event="decision.taken", payload={"summary": "Decided"}
    )
    return {"pk": delivery.pk}


def _form(w: World) -> dict[str, Any]:
    return {
        "name": "Decisions to Slack",
        "url": "https://hooks.slack.com/services/T0/B0/x",
        "events": ["decision.taken"],
    }


PAGES: dict[str, Access] = {
    "webhooks:subscription_list": Access(ADMINS),
    "webhooks:subscription_detail": Access(ADMINS, kwargs=_subscription),
    "webhooks:subscription_delete": Access(ADMINS_WRITE, method="POST", kwargs=_subscription),
    "webhooks:delivery_detail": Access(ADMINS, kwargs=_delivery),
    "webhooks:delivery_replay": Access(ADMINS_WRITE, method="POST", kwargs=_delivery),
}


def _api_subscription(w: World) -> dict[str, Any]:
    return {"subscription_id": SubscriptionFactory().pk}


def _api_delivery(w: World) -> dict[str, Any]:
    delivery = Delivery.objects.create(
        subscription=SubscriptionFactory(), event="decision.taken", payload={"summary": "Decided"}
    )
    return {"delivery_id": delivery.pk}


API: dict[str, Access] = {
    "webhooks_subscription_list": Access(ADMINS),
    "webhooks_subscription_create": Access(expect(403, 403, 403, 403, 403, 201), data=_form),
    "webhooks_subscription_get": Access(ADMINS, kwargs=_api_subscription),
    "webhooks_subscription_update": Access(
        ADMINS, kwargs=_api_subscription, data=lambda w: {"version": 1, "name": "Renamed"}
    ),
    "webhooks_subscription_delete": Access(expect(403, 403, 403, 403, 403, 204), kwargs=_api_subscription),
    "webhooks_delivery_list": Access(ADMINS, kwargs=_api_subscription),
    "webhooks_delivery_replay": Access(expect(403, 403, 403, 403, 403, 201), kwargs=_api_delivery),
}
