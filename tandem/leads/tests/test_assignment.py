"""Who gets a lead created without an owner: the territory's team first, then the rep with the
fewest open leads, in turns when they are even."""

import json

import pytest
from django.urls import reverse

from tandem.core.api import token_digest, token_generate
from tandem.core.roles import Role
from tandem.leads.models import Lead
from tandem.leads.services import lead_create
from tandem.leads.tests.factories import LeadFactory
from tandem.people.models import ApiToken
from tandem.people.tests.factories import TeamFactory, TerritoryFactory, UserFactory


@pytest.fixture
def teams(sales_manager):
    """The manager runs two teams: East covers the north-east territory, West covers none."""
    north_east = TerritoryFactory(name="AMER North-East", region="AMER")
    east = TeamFactory(name="East", manager=sales_manager, territory=north_east)
    west = TeamFactory(name="West", manager=sales_manager)
    return {
        "north_east": north_east,
        "erin": UserFactory(username="erin", role=Role.REP, team=east),
        "wes": UserFactory(username="wes", role=Role.REP, team=west),
        "will": UserFactory(username="will", role=Role.REP, team=west),
    }


def _create(actor, **extra) -> Lead:
    return lead_create(actor=actor, last_name="Okoro", company="Frostwood Hotels", source="event", **extra)


def test_a_lead_from_a_covered_territory_goes_to_that_territorys_team(sales_manager, teams):
    LeadFactory.create_batch(3, owner=teams["erin"])  # erin is the busiest, and still gets it
    assert _create(sales_manager, territory=teams["north_east"]).owner == teams["erin"]


def test_otherwise_the_rep_with_fewest_open_leads_gets_it_and_even_reps_take_turns(sales_manager, teams):
    LeadFactory.create_batch(2, owner=teams["erin"])
    LeadFactory(owner=teams["wes"])
    LeadFactory(owner=teams["will"], status=Lead.Status.DISQUALIFIED, disqualified_reason="No budget")

    owners = [_create(sales_manager).owner for _ in range(4)]

    # will has no open lead (a disqualified one does not count), then will and wes are even.
    assert [owner.username for owner in owners] == ["will", "wes", "will", "erin"]


def test_a_rep_keeps_what_they_create_and_a_chosen_owner_is_kept(rep, sales_manager, teams):
    assert _create(rep).owner == rep
    assert _create(sales_manager, owner=teams["wes"]).owner == teams["wes"]


def test_the_manager_sees_whom_the_new_lead_went_to(client, sales_manager, teams):
    client.force_login(sales_manager)
    data = {"last_name": "Okoro", "company": "Frostwood Hotels", "source": "event", "status": "new"}
    data.update({"authority": "unknown", "timeline": "unknown", "territory": teams["north_east"].pk})

    response = client.post(reverse("leads:lead_create"), data, follow=True)

    assert "created and assigned to" in response.content.decode()
    assert Lead.objects.get(last_name="Okoro").owner == teams["erin"]


def test_the_api_assigns_a_managers_lead_without_an_owner(client, sales_manager, teams):
    key = token_generate()
    ApiToken.objects.create(user=sales_manager, name="t", prefix=key[:8], digest=token_digest(key))
    response = client.post(
        "/api/leads",
        data=json.dumps({"last_name": "Okoro", "company": "Frostwood Hotels", "source": "event"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    # No territory, no open leads yet: the longest-serving rep of the manager's teams, not the manager.
    assert response.json()["owner_id"] == teams["erin"].pk
