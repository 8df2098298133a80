"""Seeing a record through another is not owning it (issue 15, findings 1 and 2).

A rep who has a deal on a team-mate's account sees that account, but may not rename it, give it to
themselves or touch its contacts; an ask on the rep's own account that a team-mate logged on their
deal shows the rep that there is a deal, never its name or amount. Each test reads or writes the way
the rep would: through the pages and the API.
"""

import json

import pytest
from django.urls import reverse

from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User
from tandem.sales.models import Account, Contact
from tandem.tests.world import World, build_world


@pytest.fixture
def world(rep, outsider_rep, product_manager, other_rep) -> World:
    return build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)


def _bearer(user: User) -> dict[str, str]:
    key = token_generate()
    ApiToken.objects.create(user=user, name="tests", prefix=key[:8], digest=token_digest(key))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_rep_cannot_give_themselves_a_teammates_account_they_see_through_a_deal(client, world):
    path = f"/api/accounts/{world.teammate_account.pk}"
    assert client.get(path, **_bearer(world.rep)).status_code == 200

    response = client.patch(
        path,
        data=json.dumps({"version": world.teammate_account.version, "owner_id": world.rep.pk, "name": "Mine now"}),
        content_type="application/json",
        **_bearer(world.rep),
    )

    assert response.status_code == 403
    assert "owner" in response.json()["detail"]
    account = Account.objects.get(pk=world.teammate_account.pk)
    assert (account.owner_id, account.name) == (world.teammate.pk, "Umbrella Health")


def test_a_teammates_account_page_offers_the_rep_no_edits_and_refuses_them(client, world):
    client.force_login(world.rep)
    page = client.get(reverse("sales:account_detail", args=[world.teammate_account.pk])).content.decode()
    assert "Umbrella Health" in page
    assert reverse("sales:account_update", args=[world.teammate_account.pk]) not in page
    assert reverse("sales:contact_create", args=[world.teammate_account.pk]) not in page
    assert reverse("sales:contact_delete", args=[world.teammate_contact.pk]) not in page

    assert client.get(reverse("sales:account_update", args=[world.teammate_account.pk])).status_code == 403
    assert client.post(reverse("sales:contact_delete", args=[world.teammate_contact.pk])).status_code == 403
    assert Contact.objects.filter(pk=world.teammate_contact.pk).exists()


def test_the_teammates_manager_still_changes_the_account(client, world, sales_manager):
    response = client.patch(
        f"/api/accounts/{world.teammate_account.pk}",
        data=json.dumps({"version": world.teammate_account.version, "name": "Umbrella Health Group"}),
        content_type="application/json",
        **_bearer(sales_manager),
    )
    assert response.status_code == 200
    assert Account.objects.get(pk=world.teammate_account.pk).name == "Umbrella Health Group"


def test_an_ask_on_a_teammates_deal_shows_the_rep_there_is_a_deal_but_not_which(client, world):
    ask = world.teammate_ask
    headers = _bearer(world.rep)

    one = client.get(f"/api/asks/{ask.pk}", **headers).json()
    listed = next(row for row in client.get("/api/asks", **headers).json()["items"] if row["id"] == ask.pk)
    for answer in (one, listed):
        assert answer["on_a_deal"] is True
        assert answer["opportunity_id"] is None
        assert answer["value"] is None

    client.force_login(world.rep)
    for url in (
        reverse("asks:ask_detail", args=[ask.pk]),
        reverse("asks:ask_list"),
        reverse("sales:account_detail", args=[world.account.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Keep every record in the EU" in page, url
        assert "Acme data residency" not in page, url
        assert reverse("sales:opportunity_detail", args=[world.teammate_deal.pk]) not in page, url
    assert client.get(reverse("sales:opportunity_detail", args=[world.teammate_deal.pk])).status_code == 404


def test_the_deals_owner_and_their_manager_see_which_deal_the_ask_is_on(client, world, sales_manager):
    ask = world.teammate_ask
    for user in (world.teammate, sales_manager):
        answer = client.get(f"/api/asks/{ask.pk}", **_bearer(user)).json()
        assert answer["opportunity_id"] == world.teammate_deal.pk
        assert answer["value"] is not None
        client.force_login(user)
        assert "Acme data residency" in client.get(reverse("asks:ask_detail", args=[ask.pk])).content.decode()
