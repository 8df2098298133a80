"""The deal page as the rep's workspace: the timeline, logging from the page, paging, the quiet warning."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.activities.models import Activity
from tandem.activities.tests.factories import ActivityFactory
from tandem.asks.tests.factories import AskFactory
from tandem.core.money import workspace_get
from tandem.sales.models import Opportunity, StageChange
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep, stages):
    return OpportunityFactory.create(
        account=AccountFactory.create(owner=rep, name="Acme Robotics"), stage=stages.discovery
    )


def _page(deal):
    return reverse("sales:opportunity_detail", args=[deal.pk])


def _kinds(html: str) -> list[str]:
    return re.findall(r'data-testid="timeline-item" data-kind="(\w+)"', html)


def test_timeline_shows_calls_stage_moves_and_asks_newest_first(client, rep, deal, stages):
    now = timezone.now()
    StageChange.objects.create(
        opportunity=deal,
        to_stage=stages.discovery,
        amount_home=deal.amount_home,
        changed_at=now - datetime.timedelta(days=3),
    )
    AskFactory.create(opportunity=deal, need="SAML single sign-on", created_at=now - datetime.timedelta(days=2))
    person = ContactFactory.create(account=deal.account, first_name="Grace", last_name="Hopper")
    call = ActivityFactory.create(
        opportunity=deal, body="Budget approved by the CFO.", occurred_at=now - datetime.timedelta(days=1)
    )
    call.contacts.add(person)
    client.force_login(rep)
    response = client.get(_page(deal))
    assert _kinds(response.text) == ["activity", "ask", "stage"]
    assert "Budget approved by the CFO." in response.text
    assert "with Grace Hopper" in response.text
    assert 'data-testid="activity-form"' in response.text


def test_logging_a_call_from_the_page_answers_the_section_with_it(client, rep, deal):
    person = ContactFactory.create(account=deal.account, first_name="Grace", last_name="Hopper")
    client.force_login(rep)
    url = reverse("activities:activity_create", args=[deal.pk])
    response = client.post(
        url, {"kind": "call", "body": "Agreed on a pilot.", "contacts": [person.pk]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-testid="activity-logged"' in response.text
    assert _kinds(response.text) == ["activity"]
    assert "Agreed on a pilot." in response.text
    refused = client.post(url, {"kind": "call", "body": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "Say what happened: a line is enough." in refused.text
    assert Activity.objects.count() == 1


def test_product_manager_reads_the_timeline_without_the_form(client, product_manager, deal):
    ActivityFactory.create(opportunity=deal, body="Security review passed.")
    client.force_login(product_manager)
    response = client.get(_page(deal))
    assert "Security review passed." in response.text
    assert 'data-testid="activity-form"' not in response.text
    assert 'data-testid="next-step"' in response.text


def test_the_timeline_pages_by_twenty(client, rep, deal):
    start = timezone.now() - datetime.timedelta(days=30)
    for day in range(25):
        ActivityFactory.create(
            opportunity=deal, body=f"Entry {day:02d}", occurred_at=start + datetime.timedelta(days=day)
        )
    client.force_login(rep)
    first = client.get(_page(deal)).text
    assert len(_kinds(first)) == 20
    assert "Entry 24" in first
    assert "Entry 04" not in first
    assert "Show older" in first
    second = client.get(reverse("activities:timeline", args=[deal.pk]), {"page": 2}).text
    assert len(_kinds(second)) == 5
    assert "Entry 04" in second
    assert "Entry 00" in second
    assert "Show older" not in second


def test_the_deal_page_costs_the_same_queries_with_1_and_10_entries(client, rep, deal):
    workspace_get()
    client.force_login(rep)
    client.get(_page(deal))

    def add(n):
        for _ in range(n):
            entry = ActivityFactory.create(opportunity=deal)
            entry.contacts.add(ContactFactory.create(account=deal.account))
            StageChange.objects.create(opportunity=deal, to_stage=deal.stage, amount_home=1, changed_at=timezone.now())
            AskFactory.create(opportunity=deal)

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(_page(deal)).status_code == 200
    add(9)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(_page(deal)).status_code == 200
    assert len(one) == len(ten), "\n".join(q["sql"] for q in ten.captured_queries)


def test_quiet_warning_after_the_workspaces_days(client, rep, deal):
    Opportunity.objects.filter(pk=deal.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=10))
    client.force_login(rep)
    assert 'data-testid="quiet-warning"' not in client.get(_page(deal)).text
    workspace = workspace_get()
    workspace.stale_after_days = 7
    workspace.save()
    response = client.get(_page(deal))
    assert 'data-testid="quiet-warning"' in response.text
    assert "for 7 days or more" in response.text


def test_editing_an_entry_with_a_stale_version_is_refused(client, rep, deal):
    entry = ActivityFactory.create(opportunity=deal, body="First", version=2)
    client.force_login(rep)
    url = reverse("activities:activity_update", args=[entry.pk])
    stale = client.post(url, {"kind": "note", "body": "Overwrite", "version": 1})
    assert stale.status_code == 409
    assert "Someone else changed this entry" in stale.text
    saved = client.post(url, {"kind": "note", "body": "Updated", "version": 2})
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert (entry.kind, entry.body, entry.version) == ("note", "Updated", 3)


def test_the_api_list_costs_the_same_queries_for_1_and_10_entries(client, rep, deal, bearer):
    headers = bearer(rep)
    url = f"/api/opportunities/{deal.pk}/activities"
    client.get(url, **headers)

    def add(n):
        for _ in range(n):
            ActivityFactory.create(opportunity=deal).contacts.add(ContactFactory.create(account=deal.account))

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url, **headers).json()["items"]) == 1
    add(9)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(url, **headers).json()["items"]) == 10
    assert len(one) == len(ten)


def test_the_api_refuses_a_stale_edit_and_people_of_another_account(client, rep, deal, bearer):
    headers = bearer(rep)
    entry = ActivityFactory.create(opportunity=deal, version=2)
    stale = client.patch(
        f"/api/activities/{entry.pk}", {"version": 1, "text": "Overwrite"}, content_type="application/json", **headers
    )
    assert stale.status_code == 409
    stranger = ContactFactory.create(account=AccountFactory.create(owner=rep))
    refused = client.post(
        f"/api/opportunities/{deal.pk}/activities",
        {"kind": "call", "text": "Hello", "contact_ids": [stranger.pk]},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"contact_ids": ["Choose people of the deal's account."]}
    planned = client.post(
        f"/api/opportunities/{deal.pk}/activities",
        {"kind": "meeting", "text": "Demo", "occurred_at": "2030-01-01T10:00:00Z"},
        content_type="application/json",
        **headers,
    )
    assert planned.status_code == 201
    assert planned.json()["occurred_at"].startswith("2030-01-01")


def test_times_off_the_calendar_are_refused_under_the_field(client, rep, deal, bearer):
    headers = bearer(rep)
    url = f"/api/opportunities/{deal.pk}/activities"
    far = client.post(
        url,
        {"kind": "call", "text": "x", "occurred_at": "9999-12-31T23:59:00-12:00"},
        content_type="application/json",
        **headers,
    )
    assert far.status_code == 422
    assert "occurred_at" in far.json()["errors"]
    naive = client.post(
        url,
        {"kind": "call", "text": "x", "occurred_at": "2026-11-02T10:00:00"},
        content_type="application/json",
        **headers,
    )
    assert naive.status_code == 201
    client.force_login(rep)
    page = client.post(
        reverse("activities:activity_create", args=[deal.pk]),
        {"kind": "call", "body": "x", "occurred_at": "9999-12-31T23:59"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 422
    assert "Give a time between 1970 and 2100." in page.text
