import datetime
from typing import get_args

import pytest
from django.utils import timezone

from tandem.people.api import TeamDetailOut
from tandem.people.models import Team
from tandem.people.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_me_answers_who_the_token_belongs_to(client, rep):
    _, key = api_token_create(actor=rep, name="Script")

    response = client.get("/api/me", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert response.json() == {
        "id": rep.pk,
        "username": "rita.rep",
        "name": str(rep),
        "role": "rep",
        "team": {"id": rep.team.pk, "name": "Enterprise East"},
    }


def test_me_works_with_the_browser_session(client, product_manager):
    client.force_login(product_manager)

    body = client.get("/api/me").json()

    assert (body["username"], body["role"], body["team"]) == ("pia.pm", "product_manager", None)


def test_a_revoked_token_is_refused(client, rep):
    token, key = api_token_create(actor=rep, name="Script")
    api_token_revoke(actor=rep, token=token)

    response = client.get("/api/me", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 401


def test_me_without_credentials_is_unauthorised(client):
    assert client.get("/api/me").status_code == 401


def test_a_read_token_reads_and_is_refused_on_writes_with_a_reason(client, rep):
    _, key = api_token_create(actor=rep, name="Pipeline sheet", scope="read")
    auth = {"Authorization": f"Bearer {key}"}

    assert client.get("/api/me", headers=auth).status_code == 200
    assert client.get("/api/opportunities", headers=auth).status_code == 200
    response = client.post("/api/accounts", data={"name": "Initech"}, content_type="application/json", headers=auth)

    assert response.status_code == 403
    assert "“Pipeline sheet” may only read" in response.json()["detail"]


def test_a_write_token_writes(client, rep):
    _, key = api_token_create(actor=rep, name="Sync", scope="write")

    response = client.post(
        "/api/accounts",
        data={"name": "Initech", "owner_id": rep.pk},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 201


def test_an_expired_token_is_refused(client, rep):
    token, key = api_token_create(actor=rep, name="Quarter script", expires_in=30)
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/me", headers=auth).status_code == 200

    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    response = client.get("/api/me", headers=auth)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_the_team_kinds_the_api_names_are_the_models():
    assert set(get_args(TeamDetailOut.model_fields["kind"].annotation)) == set(Team.Kind.values)
