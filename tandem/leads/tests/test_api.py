import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.leads.models import Lead
from tandem.leads.tests.factories import LeadFactory
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _convert_body(stages, **changes):
    return {
        "version": 1,
        "account_id": None,
        "deal_name": "Initech platform",
        "stage_id": stages.discovery.pk,
        "amount": "30000.00",
        "close_date": "2027-06-30",
        **changes,
    }


def test_the_list_pages_with_a_cursor_and_filters(client, rep, outsider_rep, bearer):
    LeadFactory.create_batch(3, owner=rep, source="event")
    LeadFactory(owner=rep, source="partner")
    LeadFactory(owner=outsider_rep, source="event")
    headers = bearer(rep)
    first = client.get("/api/leads", {"source": "event", "limit": 2}, **headers).json()
    assert len(first["items"]) == 2
    second = client.get("/api/leads", {"source": "event", "limit": 2, "cursor": first["next_cursor"]}, **headers).json()
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    ids = {item["id"] for item in first["items"] + second["items"]}
    assert ids == set(Lead.objects.filter(owner=rep, source="event").values_list("pk", flat=True))


def test_the_list_runs_the_same_queries_for_1_and_10_leads(client, rep, bearer):
    headers = bearer(rep)
    LeadFactory(owner=rep)
    client.get("/api/leads", **headers)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/leads", **headers)
    LeadFactory.create_batch(9, owner=rep)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get("/api/leads", **headers).json()["items"]) == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_create_and_patch_with_the_version(client, rep, bearer):
    headers = bearer(rep)
    body = {"last_name": "Lovelace", "company": "Initech", "source": "campaign", "campaign": "Spring webinar"}
    created = client.post("/api/leads", body, content_type="application/json", **headers)
    assert created.status_code == 201
    lead = created.json()
    assert (lead["owner_id"], lead["status"], lead["version"]) == (rep.pk, "new", 1)
    path = f"/api/leads/{lead['id']}"
    changed = client.patch(path, {"version": 1, "status": "qualified"}, content_type="application/json", **headers)
    assert changed.json()["qualified_at"] is not None
    stale = client.patch(path, {"version": 1, "company": "Initrode"}, content_type="application/json", **headers)
    assert stale.status_code == 409
    assert "Someone else changed this lead" in stale.json()["detail"]


def test_disqualifying_without_a_reason_is_a_422_on_the_reason(client, rep, bearer):
    lead = LeadFactory(owner=rep)
    response = client.patch(
        f"/api/leads/{lead.pk}",
        {"version": 1, "status": "disqualified"},
        content_type="application/json",
        **bearer(rep),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"disqualified_reason": ["Say why this lead is disqualified."]}


def test_convert_into_a_matching_account_then_a_second_time_is_409(client, rep, bearer, stages):
    account = AccountFactory(owner=rep, name="Initech")
    lead = LeadFactory(owner=rep, company="Initech", source="partner")
    headers = bearer(rep)
    path = f"/api/leads/{lead.pk}/convert"
    response = client.post(
        path, _convert_body(stages, account_id=account.pk), content_type="application/json", **headers
    )
    assert response.status_code == 201
    answer = response.json()
    deal = Opportunity.objects.get(pk=answer["opportunity_id"])
    assert (answer["account_id"], deal.account_id, deal.lead_source) == (account.pk, account.pk, "partner")
    assert answer["lead"]["status"] == "converted"
    again = client.post(path, _convert_body(stages, version=2), content_type="application/json", **headers)
    assert again.status_code == 409
    assert "already converted" in again.json()["detail"]
    assert Opportunity.objects.count() == 1


def test_convert_refuses_an_account_the_caller_does_not_see(client, rep, outsider_rep, bearer, stages):
    hidden = AccountFactory(owner=outsider_rep, name="Initech")
    lead = LeadFactory(owner=rep, company="Initech")
    response = client.post(
        f"/api/leads/{lead.pk}/convert",
        _convert_body(stages, account_id=hidden.pk),
        content_type="application/json",
        **bearer(rep),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["account_id"]
    assert not Opportunity.objects.exists()
