"""The deal list's inline edits, quiet deals and totals; the deal page's next step and its people."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.competition.models import Competitor
from tandem.sales.models import DealContact, Opportunity
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
LIST = reverse("sales:opportunity_list")


@pytest.fixture
def deal(rep, stages):
    return OpportunityFactory.create(
        account=AccountFactory.create(owner=rep, name="Acme Robotics"), stage=stages.discovery, name="Acme expansion"
    )


def _row(deal):
    return reverse("sales:opportunity_row", args=[deal.pk])


def test_rep_changes_the_close_date_in_the_row(client, rep, deal):
    client.force_login(rep)
    edit = client.get(reverse("sales:opportunity_row_edit", args=[deal.pk]), {"field": "close_date"})
    assert 'name="close_date"' in edit.text
    assert f'name="version" value="{deal.version}"' in edit.text
    response = client.post(_row(deal), {"field": "close_date", "version": deal.version, "close_date": "2027-04-30"})
    assert response.status_code == 200
    assert "30 Apr 2027" in response.text
    deal.refresh_from_db()
    assert (deal.close_date, deal.version) == (datetime.date(2027, 4, 30), 2)


def test_a_stale_row_answers_409_with_the_deal_as_it_now_is(client, rep, deal):
    Opportunity.objects.filter(pk=deal.pk).update(close_date=datetime.date(2027, 6, 1), version=2)
    client.force_login(rep)
    response = client.post(_row(deal), {"field": "close_date", "version": 1, "close_date": "2027-04-30"})
    assert response.status_code == 409
    assert "Someone changed this deal since the list was loaded: it now reads 1 Jun 2027" in response.text
    assert 'data-version="2"' in response.text
    deal.refresh_from_db()
    assert deal.close_date == datetime.date(2027, 6, 1)


def test_losing_a_deal_inline_asks_why_first(client, rep, deal, stages):
    client.force_login(rep)
    data = {"field": "stage", "version": 1, "stage": stages.lost.pk}
    refused = client.post(_row(deal), data)
    assert refused.status_code == 422
    assert "Say why the deal was lost." in refused.text
    assert 'name="loss_reason"' in refused.text
    competitor = Competitor.objects.create(name="Rivalry Inc")
    no_competitor = client.post(_row(deal), {**data, "loss_reason": "competitor"})
    assert no_competitor.status_code == 422
    assert "Name the competitor the deal was lost to." in no_competitor.text
    lost = client.post(_row(deal), {**data, "loss_reason": "competitor", "competitor": competitor.pk})
    assert lost.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage, deal.loss_reason, deal.competitor) == (stages.lost, "competitor", competitor)


def test_readers_get_no_inline_edit(client, product_manager, deal):
    client.force_login(product_manager)
    assert client.get(reverse("sales:opportunity_row_edit", args=[deal.pk]), {"field": "stage"}).status_code == 403
    page = client.get(LIST)
    assert "opportunity_row_edit" not in page.text
    assert "/row/edit/" not in page.text


def test_rows_the_user_may_change_offer_inline_edits(client, sales_manager, rep, deal):
    client.force_login(sales_manager)
    assert f"/pipeline/opportunities/{deal.pk}/row/edit/?field=stage" in client.get(LIST).text


def test_quiet_filter_and_badge(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    now = timezone.now()
    OpportunityFactory.create(
        account=account, stage=stages.discovery, name="Sleepy", last_activity_at=now - datetime.timedelta(days=30)
    )
    OpportunityFactory.create(account=account, stage=stages.discovery, name="Busy", last_activity_at=now)
    client.force_login(rep)
    everything = client.get(LIST).text
    assert everything.count('data-testid="quiet-badge"') == 1
    quiet = client.get(LIST, {"activity": "quiet"}).text
    assert "Sleepy" in quiet
    assert "Busy" not in quiet
    board = client.get(reverse("sales:board")).text
    assert board.count('data-testid="quiet-badge"') == 1


def test_totals_count_amount_and_weighted_of_the_filtered_rows(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    OpportunityFactory.create(account=account, stage=stages.discovery, amount=Decimal("1000"))  # 20 %
    OpportunityFactory.create(account=account, stage=stages.proposal, amount=Decimal("500"))  # 60 %
    client.force_login(rep)
    totals = client.get(LIST, {"totals": "1"}).text
    assert "2</span> deals" in totals
    assert "1,500 USD" in totals
    assert "500 USD</span> weighted" in totals
    filtered = client.get(LIST, {"totals": "1", "stage": stages.proposal.pk}).text
    assert "1</span> deal" in filtered
    assert "300 USD</span> weighted" in filtered


def test_next_step_is_saved_and_a_stale_one_refused(client, rep, deal):
    client.force_login(rep)
    url = reverse("sales:opportunity_next_step", args=[deal.pk])
    saved = client.post(
        url, {"next_step": "Send the proposal", "next_step_date": "2027-01-15", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert "Next step saved." in saved.text
    assert "15 Jan 2027" in saved.text
    stale = client.post(url, {"next_step": "Call the CFO", "version": 1}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert 'value="Send the proposal"' in stale.text
    deal.refresh_from_db()
    assert (deal.next_step, deal.next_step_date, deal.version) == ("Send the proposal", datetime.date(2027, 1, 15), 2)


def test_people_on_the_deal_with_their_roles(client, rep, deal):
    grace = ContactFactory.create(account=deal.account, first_name="Grace", last_name="Hopper")
    stranger = ContactFactory.create(account=AccountFactory.create(owner=rep))
    client.force_login(rep)
    url = reverse("sales:deal_contact_add", args=[deal.pk])
    added = client.post(url, {"contact": grace.pk, "role": "champion"}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200
    assert "Grace Hopper" in added.text
    assert "Champion" in added.text
    refused = client.post(url, {"contact": stranger.pk, "role": "champion"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    twice = client.post(url, {"contact": grace.pk, "role": "blocker"}, HTTP_HX_REQUEST="true")
    assert twice.status_code == 422
    assert "This person is already on the deal: change their role instead." in twice.text
    row = DealContact.objects.get()
    assert row.role == "champion"
    removed = client.post(reverse("sales:deal_contact_remove", args=[row.pk]), HTTP_HX_REQUEST="true")
    assert removed.status_code == 200
    assert not DealContact.objects.exists()


# API


def test_api_next_step_and_last_activity(client, rep, deal, bearer):
    headers = bearer(rep)
    url = f"/api/opportunities/{deal.pk}"
    body = '{"version": 1, "next_step": "Book the demo", "next_step_date": "2027-02-01"}'
    response = client.patch(url, body, content_type="application/json", **headers)
    assert response.status_code == 200
    assert response.json()["next_step"] == "Book the demo"
    assert response.json()["next_step_date"] == "2027-02-01"
    stale = client.patch(url, '{"version": 1, "next_step": "Again"}', content_type="application/json", **headers)
    assert stale.status_code == 409


def test_api_contacts_and_roles(client, rep, deal, bearer):
    headers = bearer(rep)
    created = client.post(
        "/api/contacts",
        {"account_id": deal.account_id, "first_name": "Ada", "last_name": "Lovelace", "title": "CFO"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    contact_id = created.json()["id"]
    listed = client.get("/api/contacts", {"account": deal.account_id}, **headers).json()
    assert [c["last_name"] for c in listed["items"]] == ["Lovelace"]
    role = client.post(
        f"/api/opportunities/{deal.pk}/contacts",
        {"contact_id": contact_id, "role": "economic_buyer"},
        content_type="application/json",
        **headers,
    )
    assert role.status_code == 201
    assert role.json()["contact_name"] == "Ada Lovelace"
    changed = client.patch(
        f"/api/deal-contacts/{role.json()['id']}", {"role": "champion"}, content_type="application/json", **headers
    )
    assert changed.json()["role"] == "champion"
    twice = client.post(
        f"/api/opportunities/{deal.pk}/contacts", {"contact_id": contact_id}, content_type="application/json", **headers
    )
    assert twice.status_code == 422
    assert "contact_id" in str(twice.json())
    assert [r["role"] for r in client.get(f"/api/opportunities/{deal.pk}/contacts", **headers).json()] == ["champion"]
