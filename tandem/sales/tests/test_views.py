import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.asks.tests.factories import AskFactory
from tandem.core.money import workspace_get
from tandem.sales.models import Account, Opportunity, StageChange
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory, QuotaFactory

LIST = reverse("sales:opportunity_list")


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in context.captured_queries]


def _assert_same_queries(client, url, add_rows):
    """The list costs the same number of queries with 1 row as with 10."""
    workspace_get()
    client.get(url)  # warm up: the session and anything created on first use
    add_rows(1)
    _, one = _queries(client, url)
    add_rows(9)
    _, ten = _queries(client, url)
    assert len(one) == len(ten), "\n".join(ten)


@pytest.fixture
def deal(rep, stages):
    return OpportunityFactory.create(
        account=AccountFactory.create(owner=rep, name="Acme Robotics"), stage=stages.discovery
    )


# Deal list


def test_deal_list_shows_the_reps_deals_only(client, rep, other_rep, deal, stages):
    OpportunityFactory.create(name="Not yours", account=AccountFactory.create(owner=other_rep), stage=stages.discovery)
    client.force_login(rep)
    response = client.get(LIST)
    assert response.status_code == 200
    assert deal.name in response.text
    assert "Acme Robotics" in response.text
    assert "Not yours" not in response.text
    assert "<html" in response.text


def test_deal_list_filters_sorts_and_answers_htmx_with_the_list_alone(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    OpportunityFactory.create(name="Small", account=account, stage=stages.discovery, amount=Decimal("10"))
    OpportunityFactory.create(name="Big", account=account, stage=stages.proposal, amount=Decimal("900"))
    OpportunityFactory.create(name="Middle", account=account, stage=stages.proposal, amount=Decimal("500"))
    client.force_login(rep)
    response = client.get(LIST, {"stage": stages.proposal.pk, "sort": "-amount"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.text
    assert [deal.name for deal in response.context["page"].rows] == ["Big", "Middle"]
    response = client.get(LIST, {"q": "sma"})
    assert [deal.name for deal in response.context["page"].rows] == ["Small"]


def test_deal_list_says_what_to_do_when_no_deal_matches(client, rep, deal):
    client.force_login(rep)
    response = client.get(LIST, {"q": "nothing like this"})
    assert "No deals match these filters" in response.text
    assert "Clear filters" in response.text
    assert "Create a deal" in response.text


def test_deal_list_filters_by_close_date_range(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    OpportunityFactory.create(
        name="March", account=account, stage=stages.discovery, close_date=datetime.date(2027, 3, 1)
    )
    OpportunityFactory.create(name="May", account=account, stage=stages.discovery, close_date=datetime.date(2027, 5, 1))
    client.force_login(rep)
    response = client.get(LIST, {"close_date_from": "2027-04-01", "close_date_to": "2027-06-30"})
    assert [deal.name for deal in response.context["page"].rows] == ["May"]


def test_deal_list_opens_on_open_deals_closing_soonest_and_shows_closed_ones_on_request(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    old = datetime.date(2024, 1, 15)
    OpportunityFactory.create(name="Won long ago", account=account, stage=stages.won, close_date=old)
    OpportunityFactory.create(name="Lost long ago", account=account, stage=stages.lost, close_date=old)
    OpportunityFactory.create(
        name="Closing later", account=account, stage=stages.proposal, close_date=datetime.date(2027, 6, 1)
    )
    OpportunityFactory.create(
        name="Closing soon", account=account, stage=stages.discovery, close_date=datetime.date(2027, 2, 1)
    )
    client.force_login(rep)

    names = lambda data: [deal.name for deal in client.get(LIST, data).context["page"].rows]  # noqa: E731

    assert names({}) == ["Closing soon", "Closing later"]
    assert 'for="id_status">Status</label>' in client.get(LIST).text
    assert names({"status": ""}) == ["Won long ago", "Lost long ago", "Closing soon", "Closing later"]
    assert names({"status": "won"}) == ["Won long ago"]
    assert names({"status": "lost", "sort": "-close_date"}) == ["Lost long ago"]


def test_a_rep_with_only_closed_deals_is_offered_every_deal(client, rep, stages):
    OpportunityFactory.create(name="Won long ago", account=AccountFactory.create(owner=rep), stage=stages.won)
    client.force_login(rep)

    page = client.get(LIST).text

    assert "No open deals." in page
    assert 'href="?status="' in page
    assert "No deals match these filters" not in page


def test_deal_list_costs_the_same_queries_for_1_and_10_deals(client, sales_manager, rep, stages):
    account = AccountFactory.create(owner=rep)
    client.force_login(sales_manager)
    _assert_same_queries(
        client, LIST, lambda n: OpportunityFactory.create_batch(n, account=account, stage=stages.discovery)
    )


def test_engineering_lead_may_not_open_the_deal_list(client, engineering_lead):
    client.force_login(engineering_lead)
    assert client.get(LIST).status_code == 403


# Deal pages


def test_rep_cannot_open_another_reps_deal_by_url(client, other_rep, outsider_rep, deal):
    for user in (other_rep, outsider_rep):
        client.force_login(user)
        assert client.get(reverse("sales:opportunity_detail", args=[deal.pk])).status_code == 404
        assert client.get(reverse("sales:opportunity_update", args=[deal.pk])).status_code == 404


def test_deal_page_shows_history_account_and_asks(client, rep, deal):
    StageChange.objects.create(
        opportunity=deal, from_stage=None, to_stage=deal.stage, amount_home=deal.amount_home, changed_at=deal.created_at
    )
    AskFactory(opportunity=deal, need="Audit log export for the security team")
    client.force_login(rep)
    response = client.get(reverse("sales:opportunity_detail", args=[deal.pk]))
    assert response.status_code == 200
    assert "Opened in" in response.text
    assert "Acme Robotics" in response.text
    assert "Asks on this deal" in response.text
    assert "Audit log export" in response.text


def test_product_manager_reads_a_deal_but_may_not_edit_it(client, product_manager, deal):
    client.force_login(product_manager)
    assert client.get(reverse("sales:opportunity_detail", args=[deal.pk])).status_code == 200
    assert client.get(reverse("sales:opportunity_update", args=[deal.pk])).status_code == 403
    assert client.post(reverse("sales:opportunity_delete", args=[deal.pk])).status_code == 403
    assert Opportunity.objects.filter(pk=deal.pk).exists()


def test_rep_creates_a_deal_from_the_account_page(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    client.force_login(rep)
    url = reverse("sales:opportunity_create") + f"?account={account.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Pilot",
            "account": account.pk,
            "owner": rep.pk,
            "amount": "25000",
            "currency": "USD",
            "close_date": "2027-02-01",
            "stage": stages.discovery.pk,
            "type": "new",
        },
    )
    deal = Opportunity.objects.get(name="Pilot")
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:opportunity_detail", args=[deal.pk])
    assert (deal.owner, deal.probability, deal.amount_home) == (rep, 20, Decimal("25000.00"))


def test_deal_form_shows_field_errors_and_saves_nothing(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    client.force_login(rep)
    response = client.post(
        reverse("sales:opportunity_create"),
        {
            "name": "",
            "account": account.pk,
            "owner": rep.pk,
            "amount": "-5",
            "currency": "USD",
            "close_date": "not a date",
            "stage": stages.discovery.pk,
            "type": "new",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "close_date"} <= set(form.errors)
    assert "is-invalid" in response.text
    assert not Opportunity.objects.exists()


def test_negative_amount_is_shown_on_the_amount_field(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    client.force_login(rep)
    response = client.post(
        reverse("sales:opportunity_create"),
        {
            "name": "Neg",
            "account": account.pk,
            "owner": rep.pk,
            "amount": "-5",
            "currency": "USD",
            "close_date": "2027-01-01",
            "stage": stages.discovery.pk,
            "type": "new",
        },
    )
    assert "amount" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def _edit_data(deal, **changes):
    data = {
        "version": deal.version,
        "name": deal.name,
        "owner": deal.owner_id,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "close_date": deal.close_date.isoformat(),
        "stage": deal.stage_id,
        "probability": deal.probability,
        "forecast_category": deal.forecast_category,
        "type": deal.type,
    }
    return {**data, **changes}


def test_moving_a_deal_on_the_edit_page_takes_the_new_stages_probability(client, rep, deal, stages):
    client.force_login(rep)
    response = client.post(
        reverse("sales:opportunity_update", args=[deal.pk]), _edit_data(deal, stage=stages.proposal.pk)
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage, deal.probability, deal.forecast_category, deal.version) == (
        stages.proposal,
        60,
        "best_case",
        2,
    )


def test_a_stale_edit_says_someone_else_changed_the_deal_and_writes_nothing(client, rep, deal):
    client.force_login(rep)
    opened = _edit_data(deal, name="My rename")
    Opportunity.objects.filter(pk=deal.pk).update(version=2, name="Their rename")
    response = client.post(reverse("sales:opportunity_update", args=[deal.pk]), opened)
    assert response.status_code == 409
    assert "Someone else changed this deal since you opened it — reload to see their changes" in response.text
    deal.refresh_from_db()
    assert (deal.name, deal.version) == ("Their rename", 2)


def test_rep_deletes_their_deal(client, rep, deal):
    client.force_login(rep)
    url = reverse("sales:opportunity_delete", args=[deal.pk])
    assert "Delete deal" in client.get(url).text
    assert client.post(url).status_code == 302
    assert not Opportunity.objects.filter(pk=deal.pk).exists()


# Accounts and contacts


def test_account_list_filters_by_segment_and_searches(client, rep):
    AccountFactory.create(owner=rep, name="Acme", segment="enterprise")
    AccountFactory.create(owner=rep, name="Bobs Bikes", segment="smb")
    client.force_login(rep)
    response = client.get(reverse("sales:account_list"), {"segment": "smb"})
    assert [a.name for a in response.context["page"].rows] == ["Bobs Bikes"]
    response = client.get(reverse("sales:account_list"), {"q": "acm"})
    assert [a.name for a in response.context["page"].rows] == ["Acme"]


def test_account_list_costs_the_same_queries_for_1_and_10_accounts(client, sales_manager, rep):
    client.force_login(sales_manager)
    _assert_same_queries(client, reverse("sales:account_list"), lambda n: AccountFactory.create_batch(n, owner=rep))


def test_account_page_shows_deals_contacts_and_open_pipeline(client, rep, stages):
    account = AccountFactory.create(owner=rep)
    OpportunityFactory.create(account=account, stage=stages.discovery, amount=Decimal("1000"))
    OpportunityFactory.create(account=account, stage=stages.proposal, amount=Decimal("500.50"))
    OpportunityFactory.create(account=account, stage=stages.won, amount=Decimal("99999"))
    ContactFactory.create(account=account, first_name="Grace", last_name="Hopper")
    client.force_login(rep)
    response = client.get(reverse("sales:account_detail", args=[account.pk]))
    assert response.context["open_pipeline"] == Decimal("1500.50")
    assert "Grace Hopper" in response.text


def test_account_with_deals_cannot_be_deleted_from_its_page(client, rep, deal):
    client.force_login(rep)
    response = client.post(reverse("sales:account_delete", args=[deal.account_id]))
    assert response.status_code == 409
    assert "still has deals" in response.text
    assert Account.objects.filter(pk=deal.account_id).exists()


def _account_edit_data(account, **changes):
    data = {
        "version": account.version,
        "name": account.name,
        "owner": account.owner_id,
        "segment": account.segment,
        "status": account.status,
        "annual_revenue": str(account.annual_revenue),
    }
    return {**data, **changes}


def test_editing_an_account_saves_it_and_bumps_its_version(client, rep):
    account = AccountFactory.create(owner=rep, name="Acme", status="prospect")
    client.force_login(rep)
    form = client.get(reverse("sales:account_update", args=[account.pk]))
    assert 'name="version" value="1"' in form.text
    response = client.post(
        reverse("sales:account_update", args=[account.pk]), _account_edit_data(account, status="customer")
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.version) == ("customer", 2)


def test_a_stale_account_edit_says_someone_else_changed_it_and_writes_nothing(client, rep):
    account = AccountFactory.create(owner=rep, name="Acme")
    client.force_login(rep)
    opened = _account_edit_data(account, name="My rename")
    Account.objects.filter(pk=account.pk).update(version=2, name="Their rename")
    response = client.post(reverse("sales:account_update", args=[account.pk]), opened)
    assert response.status_code == 409
    assert "Someone else changed this account since you opened it — reload to see their changes" in response.text
    account.refresh_from_db()
    assert (account.name, account.version) == ("Their rename", 2)


def test_rep_creates_an_account_and_adds_a_contact(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("sales:account_create"),
        {"name": "Initech", "owner": rep.pk, "segment": "smb", "status": "prospect", "annual_revenue": "0"},
    )
    account = Account.objects.get(name="Initech")
    assert response["Location"] == reverse("sales:account_detail", args=[account.pk])
    response = client.post(
        reverse("sales:contact_create", args=[account.pk]), {"first_name": "Peter", "last_name": "Gibbons"}
    )
    assert response.status_code == 302
    assert account.contacts.get().last_name == "Gibbons"


def test_account_form_refuses_an_owner_the_rep_may_not_assign(client, rep, other_rep):
    client.force_login(rep)
    response = client.post(
        reverse("sales:account_create"),
        {"name": "Initech", "owner": other_rep.pk, "segment": "smb", "status": "prospect", "annual_revenue": "0"},
    )
    assert "owner" in response.context["form"].errors
    assert not Account.objects.exists()


def test_rep_cannot_edit_a_contact_of_another_team(client, rep, outsider_rep):
    contact = ContactFactory.create(account=AccountFactory.create(owner=outsider_rep))
    client.force_login(rep)
    assert client.get(reverse("sales:contact_update", args=[contact.pk])).status_code == 404


# Quotas


def test_quota_list_shows_attainment_of_deals_won_in_the_quarter(client, rep, stages):
    QuotaFactory.create(user=rep, fiscal_year=2027, fiscal_quarter=1, amount=Decimal("200000"))
    account = AccountFactory.create(owner=rep)
    OpportunityFactory.create(
        account=account, stage=stages.won, amount=Decimal("50000"), close_date=datetime.date(2027, 2, 1)
    )
    OpportunityFactory.create(
        account=account, stage=stages.won, amount=Decimal("7"), close_date=datetime.date(2027, 5, 1)
    )
    OpportunityFactory.create(
        account=account, stage=stages.proposal, amount=Decimal("9"), close_date=datetime.date(2027, 2, 1)
    )
    client.force_login(rep)
    response = client.get(reverse("sales:quota_list"))
    [row] = response.context["rows"]
    assert (row["won"], row["percent"]) == (Decimal("50000.00"), 25)
    assert "25%" in response.text


def test_quota_list_costs_the_same_queries_for_1_and_10_quotas(client, executive, rep):
    client.force_login(executive)
    years = iter(range(2000, 2100))
    _assert_same_queries(
        client,
        reverse("sales:quota_list"),
        lambda n: [QuotaFactory.create(user=rep, fiscal_year=next(years)) for _ in range(n)],
    )


def test_product_manager_may_not_see_quotas(client, product_manager):
    client.force_login(product_manager)
    assert client.get(reverse("sales:quota_list")).status_code == 403


def test_a_rep_who_joins_the_managers_team_shows_in_their_deal_list_from_the_next_request(
    client, sales_manager, sales_team, outsider_rep
):
    """The manager's team is read once per request (people.selectors.team_member_ids)."""
    OpportunityFactory.create(name="Otto's deal", account=AccountFactory.create(owner=outsider_rep), owner=outsider_rep)
    client.force_login(sales_manager)
    assert "Otto&#39;s deal" not in client.get(LIST).text

    outsider_rep.team = sales_team
    outsider_rep.save(update_fields=["team"])

    assert "Otto&#39;s deal" in client.get(LIST).text


def test_the_deal_list_totals_count_amount_and_weighted_of_every_filtered_deal(client, rep, other_rep, sales_manager):
    for owner, amount, probability in ((rep, "100000", 50), (rep, "20000.50", 10), (other_rep, "999999", 90)):
        OpportunityFactory(owner=owner, amount=Decimal(amount), probability=probability)
    client.force_login(sales_manager)

    totals = client.get(LIST, {"owner": rep.pk, "totals": "1"}, headers={"HX-Request": "true"}).content.decode()

    assert "2</span> deals" in totals
    assert "120,001 USD</span> in amount" in totals  # 100,000 + 20,000.50, in whole units
    assert "52,000 USD</span> weighted" in totals  # 50,000 + 2,000.05
