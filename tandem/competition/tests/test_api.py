"""The competition API: the battlecard's rules and history per role, intel's feed and its cursor."""

import pytest

from tandem.competition.tests.factories import FieldIntelFactory
from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User


@pytest.fixture
def bearer():
    def make(user: User) -> dict[str, str]:
        key = token_generate()
        ApiToken.objects.create(user=user, name="tests", prefix=key[:8], digest=token_digest(key))
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


def _patch(client, path, body, headers):
    return client.patch(path, body, content_type="application/json", **headers)


def test_the_battlecard_is_kept_jointly_and_its_history_says_who(client, rival, product_manager, rep, bearer):
    path = f"/api/competitors/{rival.pk}/battlecard"
    assert (
        _patch(client, path, {"version": 1, "landmines": "Ask about SAML"}, bearer(product_manager)).status_code == 200
    )
    refused = _patch(client, path, {"version": 2, "landmines": "Mine"}, bearer(rep))
    assert refused.status_code == 403
    assert _patch(client, path, {"version": 2, "objections": "Dear — TCO"}, bearer(rep)).json()["version"] == 3
    stale = _patch(client, path, {"version": 2, "objections": "late"}, bearer(rep))
    assert stale.status_code == 409
    history = client.get(path + "/history", **bearer(rep)).json()
    assert [(row["section"], row["changed_by_id"]) for row in history] == [
        ("objections", rep.pk),
        ("landmines", product_manager.pk),
    ]


def test_the_intel_feed_pages_with_a_cursor(client, product_manager, rival, bearer):
    for _ in range(3):
        FieldIntelFactory(competitor=rival)
    headers = bearer(product_manager)
    first = client.get("/api/intel", {"competitor_id": rival.pk, "limit": 2}, **headers).json()
    second = client.get("/api/intel", {"cursor": first["next_cursor"], "limit": 2}, **headers).json()
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_a_call_opened_with_a_time_without_zone_is_read_as_utc(client, rep, bearer):
    from tandem.sales.tests.factories import OpportunityFactory

    deal = OpportunityFactory(owner=rep, account__owner=rep)
    response = client.post(
        f"/api/opportunities/{deal.pk}/calls",
        {"scheduled_at": "2099-05-01T10:00:00", "agenda": "Pricing"},
        content_type="application/json",
        **bearer(rep),
    )
    assert response.status_code == 201
    assert response.json()["scheduled_at"].startswith("2099-05-01T10:00:00")
