import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.money import workspace_get
from tandem.sales.models import Account, Opportunity, StageChange
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


def _send(client, method, path, body, headers):
    return client.generic(method, path, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def deal(rep, stages):
    return OpportunityFactory.create(
        account=AccountFactory.create(owner=rep, name="Acme Robotics"), stage=stages.discovery
    )


# Reading


def test_deal_list_gives_names_of_related_records(client, rep, deal, bearer):
    response = client.get("/api/opportunities", **bearer(rep))
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == deal.pk
    assert item["account_name"] == "Acme Robotics"
    assert item["owner_name"] == str(rep)
    assert item["stage_name"] == "Discovery"
    assert item["amount_home"] == "50000.00"
    assert response.json()["next_cursor"] is None


def test_deal_times_are_exact_utc_and_dates_plain(client, rep, deal, bearer):
    [item] = client.get("/api/opportunities", **bearer(rep)).json()["items"]
    deal.refresh_from_db()
    assert item["created_at"].endswith("Z")
    assert datetime.datetime.fromisoformat(item["created_at"]) == deal.created_at  # to the microsecond
    assert item["close_date"] == deal.close_date.isoformat()
    assert item["closed_at"] is None


def test_deal_list_pages_with_a_cursor_in_the_asked_order(client, rep, stages, bearer):
    account = AccountFactory.create(owner=rep)
    for amount in (300, 100, 200):
        OpportunityFactory.create(account=account, stage=stages.discovery, amount=Decimal(amount))
    headers = bearer(rep)
    first = client.get("/api/opportunities", {"sort": "-amount_home", "limit": 2}, **headers).json()
    assert [i["amount_home"] for i in first["items"]] == ["300.00", "200.00"]
    second = client.get(
        "/api/opportunities", {"sort": "-amount_home", "limit": 2, "cursor": first["next_cursor"]}, **headers
    ).json()
    assert [i["amount_home"] for i in second["items"]] == ["100.00"]
    assert second["next_cursor"] is None


def test_deal_list_filters_like_the_page(client, rep, stages, bearer):
    account = AccountFactory.create(owner=rep)
    OpportunityFactory.create(
        name="Early", account=account, stage=stages.discovery, close_date=datetime.date(2027, 1, 5)
    )
    OpportunityFactory.create(name="Late", account=account, stage=stages.proposal, close_date=datetime.date(2027, 9, 5))
    headers = bearer(rep)
    by_stage = client.get("/api/opportunities", {"stage": stages.proposal.pk}, **headers).json()
    assert [i["name"] for i in by_stage["items"]] == ["Late"]
    by_date = client.get("/api/opportunities", {"close_date_to": "2027-06-30", "q": "ear"}, **headers).json()
    assert [i["name"] for i in by_date["items"]] == ["Early"]
    by_account = client.get("/api/opportunities", {"account": account.pk, "forecast_category": "best_case"}, **headers)
    assert [i["name"] for i in by_account.json()["items"]] == ["Late"]
    OpportunityFactory.create(name="Won", account=account, stage=stages.won, close_date=datetime.date(2026, 1, 5))
    everything = client.get("/api/opportunities", **headers).json()  # the API keeps every deal by default
    assert [i["name"] for i in everything["items"]] == ["Won", "Early", "Late"]
    open_only = client.get("/api/opportunities", {"status": "open"}, **headers).json()
    assert [i["name"] for i in open_only["items"]] == ["Early", "Late"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"sort": "owner"}, "sort"),
        ({"cursor": "!!"}, "cursor"),
        ({"status": "closed"}, "status"),
    ],
)
def test_deal_list_refuses_bad_parameters_with_422(client, rep, bearer, params, field):
    response = client.get("/api/opportunities", params, **bearer(rep))
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_rep_filtering_by_another_owner_gets_a_field_error(client, rep, outsider_rep, bearer):
    response = client.get("/api/opportunities", {"owner": outsider_rep.pk}, **bearer(rep))
    assert response.status_code == 422
    assert "owner" in response.json()["errors"]


def test_rep_cannot_read_another_reps_deal_by_id(client, outsider_rep, deal, bearer):
    assert client.get(f"/api/opportunities/{deal.pk}", **bearer(outsider_rep)).status_code == 404


def test_engineering_lead_may_not_read_the_pipeline(client, engineering_lead, deal, bearer):
    headers = bearer(engineering_lead)
    assert client.get("/api/opportunities", **headers).status_code == 403
    assert client.get(f"/api/opportunities/{deal.pk}", **headers).status_code == 403


def _assert_same_queries(client, path, headers, add_rows):
    workspace_get()
    client.get(path, **headers)  # warm up
    add_rows(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path, **headers).status_code == 200
    add_rows(9)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(path, **headers)
    assert len(response.json()["items"]) == 10
    assert len(one) == len(ten), "\n".join(q["sql"] for q in ten.captured_queries)


def test_deal_list_costs_the_same_queries_for_1_and_10_deals(client, sales_manager, rep, stages, bearer):
    account = AccountFactory.create(owner=rep)
    _assert_same_queries(
        client,
        "/api/opportunities",
        bearer(sales_manager),
        lambda n: OpportunityFactory.create_batch(n, account=account, stage=stages.discovery),
    )


def test_account_list_costs_the_same_queries_for_1_and_10_accounts(client, sales_manager, rep, bearer):
    _assert_same_queries(
        client, "/api/accounts", bearer(sales_manager), lambda n: AccountFactory.create_batch(n, owner=rep)
    )


# Writing deals


def _new_deal(account, stage, **changes):
    return {
        "name": "API deal",
        "account_id": account.pk,
        "amount": "1000.00",
        "stage_id": stage.pk,
        "close_date": "2027-03-01",
        **changes,
    }


def test_rep_creates_a_deal_they_own(client, rep, stages, bearer):
    account = AccountFactory.create(owner=rep)
    response = _send(client, "POST", "/api/opportunities", _new_deal(account, stages.discovery), bearer(rep))
    assert response.status_code == 201
    body = response.json()
    assert (body["owner_id"], body["probability"], body["version"]) == (rep.pk, 20, 1)
    assert StageChange.objects.filter(opportunity_id=body["id"], from_stage=None).exists()


def test_rep_assigning_a_deal_to_another_rep_gets_a_field_error(client, rep, other_rep, stages, bearer):
    account = AccountFactory.create(owner=rep)
    body = _new_deal(account, stages.discovery, owner_id=other_rep.pk)
    response = _send(client, "POST", "/api/opportunities", body, bearer(rep))
    assert response.status_code == 422
    assert "owner_id" in response.json()["errors"]
    assert not Opportunity.objects.exists()


def test_a_deal_on_an_account_the_rep_cannot_see_is_a_field_error(client, rep, outsider_rep, stages, bearer):
    account = AccountFactory.create(owner=outsider_rep)
    response = _send(client, "POST", "/api/opportunities", _new_deal(account, stages.discovery), bearer(rep))
    assert response.status_code == 422
    assert "account_id" in response.json()["errors"]


def test_a_negative_amount_or_unknown_currency_is_a_field_error(client, rep, stages, bearer):
    account = AccountFactory.create(owner=rep)
    headers = bearer(rep)
    negative = _send(client, "POST", "/api/opportunities", _new_deal(account, stages.discovery, amount="-1"), headers)
    assert negative.status_code == 422
    assert "amount" in negative.json()["errors"]
    no_rate = _send(client, "POST", "/api/opportunities", _new_deal(account, stages.discovery, currency="XYZ"), headers)
    assert no_rate.status_code == 422
    assert "currency" in no_rate.json()["errors"]
    assert not Opportunity.objects.exists()


def test_moving_a_deal_through_the_api_records_the_stage_change(client, rep, deal, stages, bearer):
    response = _send(
        client, "PATCH", f"/api/opportunities/{deal.pk}", {"version": 1, "stage_id": stages.won.pk}, bearer(rep)
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["stage_name"], body["probability"], body["version"]) == ("Closed won", 100, 2)
    assert body["closed_at"] is not None
    assert StageChange.objects.filter(opportunity=deal, to_stage=stages.won).exists()


def test_a_stale_version_gives_409_and_changes_nothing(client, rep, deal, bearer):
    headers = bearer(rep)
    first = _send(client, "PATCH", f"/api/opportunities/{deal.pk}", {"version": 1, "name": "A"}, headers)
    assert first.status_code == 200
    response = _send(client, "PATCH", f"/api/opportunities/{deal.pk}", {"version": 1, "name": "B"}, headers)
    assert response.status_code == 409
    assert "detail" in response.json()
    deal.refresh_from_db()
    assert (deal.name, deal.version) == ("A", 2)


def test_a_patch_without_version_is_a_field_error(client, rep, deal, bearer):
    response = _send(client, "PATCH", f"/api/opportunities/{deal.pk}", {"name": "A"}, bearer(rep))
    assert response.status_code == 422
    assert "version" in response.json()["errors"]


def test_product_manager_may_read_but_not_change_a_deal(client, product_manager, deal, bearer):
    headers = bearer(product_manager)
    assert client.get(f"/api/opportunities/{deal.pk}", **headers).status_code == 200
    response = _send(client, "PATCH", f"/api/opportunities/{deal.pk}", {"version": 1, "name": "x"}, headers)
    assert response.status_code == 403
    assert client.delete(f"/api/opportunities/{deal.pk}", **headers).status_code == 403


def test_rep_cannot_change_or_delete_another_teams_deal(client, outsider_rep, deal, bearer):
    headers = bearer(outsider_rep)
    response = _send(client, "PATCH", f"/api/opportunities/{deal.pk}", {"version": 1, "name": "x"}, headers)
    assert response.status_code == 404
    assert client.delete(f"/api/opportunities/{deal.pk}", **headers).status_code == 404
    assert Opportunity.objects.filter(pk=deal.pk, name=deal.name).exists()


def test_rep_deletes_their_deal(client, rep, deal, bearer):
    assert client.delete(f"/api/opportunities/{deal.pk}", **bearer(rep)).status_code == 204
    assert not Opportunity.objects.filter(pk=deal.pk).exists()


# Accounts


def test_account_create_read_update_delete(client, rep, bearer):
    headers = bearer(rep)
    created = _send(client, "POST", "/api/accounts", {"name": "Initech", "segment": "smb"}, headers)
    assert created.status_code == 201
    account_id = created.json()["id"]
    assert created.json()["owner_name"] == str(rep)
    assert created.json()["version"] == 1
    changed = _send(client, "PATCH", f"/api/accounts/{account_id}", {"version": 1, "status": "customer"}, headers)
    assert (changed.json()["status"], changed.json()["version"]) == ("customer", 2)
    assert client.get(f"/api/accounts/{account_id}", **headers).json()["name"] == "Initech"
    assert client.delete(f"/api/accounts/{account_id}", **headers).status_code == 204
    assert not Account.objects.exists()


def test_a_stale_account_version_gives_409_and_changes_nothing(client, rep, bearer):
    account = AccountFactory.create(owner=rep, name="Acme")
    headers = bearer(rep)
    first = _send(client, "PATCH", f"/api/accounts/{account.pk}", {"version": 1, "name": "A"}, headers)
    assert first.status_code == 200
    response = _send(client, "PATCH", f"/api/accounts/{account.pk}", {"version": 1, "name": "B"}, headers)
    assert response.status_code == 409
    assert "Someone else changed this account" in response.json()["detail"]
    account.refresh_from_db()
    assert (account.name, account.version) == ("A", 2)


def test_an_account_patch_without_version_is_a_field_error(client, rep, bearer):
    account = AccountFactory.create(owner=rep, name="Acme")
    response = _send(client, "PATCH", f"/api/accounts/{account.pk}", {"name": "A"}, bearer(rep))
    assert response.status_code == 422
    assert "version" in response.json()["errors"]
    account.refresh_from_db()
    assert (account.name, account.version) == ("Acme", 1)


def test_account_with_deals_is_not_deleted(client, rep, deal, bearer):
    response = client.delete(f"/api/accounts/{deal.account_id}", **bearer(rep))
    assert response.status_code == 422
    assert "still has deals" in json.dumps(response.json())
    assert Account.objects.filter(pk=deal.account_id).exists()


def test_account_with_unknown_segment_is_a_field_error(client, rep, bearer):
    response = _send(client, "POST", "/api/accounts", {"name": "Initech", "segment": "galactic"}, bearer(rep))
    assert response.status_code == 422
    assert "segment" in response.json()["errors"]


def test_account_list_filters_and_sorts(client, rep, bearer):
    AccountFactory.create(owner=rep, name="Alpha", segment="smb", annual_revenue=Decimal("10"))
    AccountFactory.create(owner=rep, name="Beta", segment="smb", annual_revenue=Decimal("30"))
    AccountFactory.create(owner=rep, name="Gamma", segment="enterprise", annual_revenue=Decimal("20"))
    response = client.get("/api/accounts", {"segment": "smb", "sort": "-annual_revenue"}, **bearer(rep))
    assert [a["name"] for a in response.json()["items"]] == ["Beta", "Alpha"]


def test_rep_cannot_read_another_teams_account(client, rep, outsider_rep, bearer):
    account = AccountFactory.create(owner=outsider_rep)
    assert client.get(f"/api/accounts/{account.pk}", **bearer(rep)).status_code == 404
