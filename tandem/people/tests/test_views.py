import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.people.models import ApiToken
from tandem.people.tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db


def test_profile_shows_name_role_team_and_time_zone(client, rep):
    client.force_login(rep)

    html = client.get(reverse("people:profile")).content.decode()

    assert str(rep) in html
    assert "Sales rep" in html
    assert "Enterprise East" in html
    assert 'value="UTC" selected' in html


def test_saving_the_profile_changes_name_and_time_zone(client, rep):
    client.force_login(rep)

    response = client.post(
        reverse("people:profile"), {"first_name": "Rita", "last_name": "Ramos", "time_zone": "America/New_York"}
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.first_name, rep.time_zone) == ("Rita", "America/New_York")


def test_an_unknown_time_zone_gets_a_field_message(client, rep):
    client.force_login(rep)

    response = client.post(reverse("people:profile"), {"first_name": "Rita", "last_name": "", "time_zone": "Nowhere"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    rep.refresh_from_db()
    assert rep.time_zone == "UTC"


def test_a_new_token_key_is_shown_once(client, rep):
    client.force_login(rep)

    response = client.post(reverse("people:api_token_create"), {"name": "Forecast sheet"})

    html = response.content.decode()
    key = re.search(r'data-testid="new-token-key">(tdm_[^<]+)<', html)
    assert key is not None
    assert ApiToken.objects.get(user=rep).prefix == key.group(1)[:12]
    assert key.group(1) not in client.get(reverse("people:profile")).content.decode()


def test_creating_a_token_through_htmx_returns_only_the_token_section(client, rep):
    client.force_login(rep)

    response = client.post(reverse("people:api_token_create"), {"name": "Script"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'data-testid="new-token-key"' in html
    assert "<nav" not in html


def test_a_token_without_a_name_gets_a_field_message(client, rep):
    client.force_login(rep)

    response = client.post(reverse("people:api_token_create"), {"name": ""})

    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_token_list_shows_only_my_active_tokens(client, rep, other_rep):
    mine = ApiTokenFactory.create(user=rep, name="Mine")
    ApiTokenFactory.create(user=rep, name="Old one", revoked_at="2026-01-01T00:00:00Z")
    ApiTokenFactory.create(user=other_rep, name="Not mine")
    client.force_login(rep)

    html = client.get(reverse("people:profile")).content.decode()

    assert mine.prefix in html
    assert "Old one" not in html
    assert "Not mine" not in html


def test_revoking_my_token_from_the_profile(client, rep):
    token = ApiTokenFactory.create(user=rep)
    client.force_login(rep)

    response = client.post(reverse("people:api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_someone_elses_token_is_not_found(client, rep, other_rep):
    token = ApiTokenFactory.create(user=other_rep)
    client.force_login(rep)

    response = client.post(reverse("people:api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_profile_costs_the_same_queries_with_1_or_10_tokens(client, rep):
    client.force_login(rep)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("people:profile")).status_code == 200
        return len(queries)

    ApiTokenFactory.create(user=rep)
    with_one = measure()
    ApiTokenFactory.create_batch(9, user=rep)
    assert measure() == with_one


def test_a_token_is_made_with_the_scope_and_expiry_chosen_and_listed_so(client, rep):
    client.force_login(rep)

    client.post(reverse("people:api_token_create"), {"name": "Sheet", "scope": "read", "expires_in": "30"})
    client.post(reverse("people:api_token_create"), {"name": "Sync", "scope": "write", "expires_in": ""})

    sheet, sync = ApiToken.objects.get(name="Sheet"), ApiToken.objects.get(name="Sync")
    assert sheet.scope == "read"
    assert sheet.expires_at is not None
    assert 29 <= (sheet.expires_at - sheet.created_at).days <= 30
    assert (sync.scope, sync.expires_at) == ("write", None)
    html = client.get(reverse("people:profile")).content.decode()
    assert "Read only" in html
    assert "Read and write" in html


def test_a_token_of_an_unknown_scope_gets_a_field_message(client, rep):
    client.force_login(rep)

    response = client.post(reverse("people:api_token_create"), {"name": "Sheet", "scope": "admin"})

    assert "Select a valid choice." in response.content.decode()
    assert not ApiToken.objects.exists()
