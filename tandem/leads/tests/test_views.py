import datetime

import pytest
from django.urls import reverse

from tandem.leads.models import Lead
from tandem.leads.tests.factories import LeadFactory
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_the_empty_list_says_what_to_do(client, rep):
    client.force_login(rep)
    html = client.get(reverse("leads:lead_list")).content.decode()
    assert "No leads yet." in html
    assert reverse("leads:lead_create") in html


def test_the_navigation_offers_leads_to_sales_and_not_to_product(client, rep, product_manager):
    client.force_login(rep)
    assert f'href="{reverse("leads:lead_list")}"' in client.get(reverse("dashboards:home")).content.decode()
    client.force_login(product_manager)
    assert f'href="{reverse("leads:lead_list")}"' not in client.get(reverse("dashboards:home")).content.decode()


def test_the_list_filters_by_status_and_source(client, rep):
    LeadFactory(owner=rep, last_name="Inbound-new", source="inbound")
    LeadFactory(owner=rep, last_name="Event-working", source="event", status="working")
    client.force_login(rep)
    html = client.get(reverse("leads:lead_list"), {"status": "working"}).content.decode()
    assert "Event-working" in html
    assert "Inbound-new" not in html
    html = client.get(reverse("leads:lead_list"), {"source": "inbound"}).content.decode()
    assert "Inbound-new" in html
    assert "Event-working" not in html
    html = client.get(reverse("leads:lead_list"), {"source": "partner"}).content.decode()
    assert "No leads match these filters." in html


def test_the_list_sorts_by_company(client, rep):
    LeadFactory(owner=rep, company="Zeta Corp")
    LeadFactory(owner=rep, company="Alpha Inc")
    client.force_login(rep)
    html = client.get(reverse("leads:lead_list"), {"sort": "company"}).content.decode()
    assert html.index("Alpha Inc") < html.index("Zeta Corp")
    html = client.get(reverse("leads:lead_list"), {"sort": "-company"}).content.decode()
    assert html.index("Zeta Corp") < html.index("Alpha Inc")


def test_the_list_runs_the_same_queries_for_1_and_10_leads(client, rep, django_assert_num_queries):
    client.force_login(rep)
    LeadFactory(owner=rep)
    client.get(reverse("leads:lead_list"))  # warm the session and the workspace
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("leads:lead_list")).status_code == 200
    LeadFactory.create_batch(9, owner=rep)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("leads:lead_list"))
    assert response.content.decode().count('href="/leads/') >= 10


def test_the_lead_page_offers_the_matching_account_and_converts_into_it(client, rep, stages):
    account = AccountFactory(owner=rep, name="Initech")
    lead = LeadFactory(owner=rep, company="initech", source="referral")
    client.force_login(rep)
    html = client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert "Initech (existing account" in html
    assert "A new account: initech" in html
    response = client.post(
        reverse("leads:lead_convert", args=[lead.pk]),
        {
            "version": 1,
            "account": str(account.pk),
            "deal_name": "Initech pilot",
            "stage": stages.discovery.pk,
            "amount": "12000",
            "close_date": datetime.date(2027, 6, 30).isoformat(),
        },
    )
    deal = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:opportunity_detail", args=[deal.pk])
    assert deal.account == account
    assert deal.lead_source == "referral"
    html = client.get(response["Location"]).content.decode()
    assert "Referral" in html


def test_a_second_conversion_answers_409_and_shows_where_it_went(client, rep, stages):
    lead = LeadFactory(owner=rep, company="Initech")
    client.force_login(rep)
    form = {
        "version": 1,
        "account": "new",
        "deal_name": "Initech pilot",
        "stage": stages.discovery.pk,
        "amount": "0",
        "close_date": "2027-06-30",
    }
    assert client.post(reverse("leads:lead_convert", args=[lead.pk]), form).status_code == 302
    response = client.post(reverse("leads:lead_convert", args=[lead.pk]), form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "already converted" in html
    assert "Initech pilot" in html
    assert Opportunity.objects.count() == 1


def test_a_stale_edit_answers_409_and_keeps_the_other_change(client, rep):
    lead = LeadFactory(owner=rep, company="Initech", version=2)
    client.force_login(rep)
    data = {
        "version": 1,
        "last_name": lead.last_name,
        "company": "Initrode",
        "source": "inbound",
        "owner": rep.pk,
        "status": "working",
        "authority": "unknown",
        "timeline": "unknown",
    }
    response = client.post(reverse("leads:lead_update", args=[lead.pk]), data)
    assert response.status_code == 409
    assert "Someone else changed this lead" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).company == "Initech"


def test_a_disqualified_lead_offers_no_conversion(client, rep):
    lead = LeadFactory(owner=rep, status="disqualified", disqualified_reason="No budget")
    client.force_login(rep)
    html = client.get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert 'data-testid="convert-form"' not in html
    assert "set it back to working or qualified" in html
