"""The searchable pickers: the deal form does not list every account, and the search answers only
with what the user may see."""

import pytest
from django.urls import reverse

from tandem.sales.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _texts(response) -> list[str]:
    assert response.status_code == 200
    return [option["text"] for option in response.json()["options"]]


def test_account_search_finds_only_the_reps_own_accounts(client, rep, other_rep):
    AccountFactory.create(name="Acme Robotics", owner=rep)
    AccountFactory.create(name="Acme Foods", owner=other_rep)
    AccountFactory.create(name="Initech", owner=rep)
    client.force_login(rep)
    assert _texts(client.get(reverse("sales:account_options"), {"q": "acme"})) == ["Acme Robotics"]


def test_account_search_shows_at_most_twenty(client, admin_user):
    AccountFactory.create_batch(25, name="Globex")
    client.force_login(admin_user)
    assert len(_texts(client.get(reverse("sales:account_options"), {"q": "glob"}))) == 20


def test_new_deal_form_renders_no_account_options_until_one_is_chosen(client, rep, stages):
    AccountFactory.create(name="Soylent Industries", owner=rep)
    client.force_login(rep)
    page = client.get(reverse("sales:opportunity_create")).content.decode()
    assert f'data-options-url="{reverse("sales:account_options")}"' in page
    assert "Soylent Industries" not in page
    chosen = AccountFactory.create(name="Umbrella Corp", owner=rep)
    page = client.post(reverse("sales:opportunity_create"), {"account": chosen.pk}).content.decode()
    assert f'<option value="{chosen.pk}" selected>Umbrella Corp</option>' in page


def test_owner_search_matches_every_word_among_the_people_one_may_filter_by(
    client, sales_manager, rep, other_rep, outsider_rep
):
    client.force_login(sales_manager)
    found = _texts(client.get(reverse("sales:owner_options"), {"q": rep.first_name}))
    assert str(rep) in found
    assert str(outsider_rep) not in _texts(client.get(reverse("sales:owner_options"), {"q": outsider_rep.last_name}))
    both = _texts(client.get(reverse("sales:owner_options"), {"q": f"{rep.first_name} {rep.last_name}"}))
    assert both
    assert all(rep.first_name in name and rep.last_name in name for name in both)
