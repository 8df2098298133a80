"""The commitments pages and API over real HTTP: asking from a deal, answering, the cards on the deal,
account and feature pages, and the list's query count."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.commitments.models import Commitment
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory


def _setup(rep, product_manager):
    deal = OpportunityFactory(name="Acme expansion", account=AccountFactory(name="Acme Robotics", owner=rep), owner=rep)
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    release = ReleaseFactory(product=product, target_date=timezone.localdate() + datetime.timedelta(days=60))
    feature = FeatureFactory(product=product, title="SAML single sign-on", confidence="likely", release=release)
    return deal, feature


def test_a_rep_asks_from_the_deal_and_the_pm_approves(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    client.force_login(rep)
    page = client.get(reverse("sales:opportunity_detail", args=[deal.pk]))
    assert "Promise a feature" in page.content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    response = client.post(
        reverse("commitments:commitment_ask", args=[deal.pk]),
        {"feature": feature.pk, "due_date": due, "note": "Annex B"},
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert "Awaiting approval" in client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()

    client.force_login(product_manager)
    response = client.post(reverse("commitments:commitment_approve", args=[commitment.pk]), {"version": 1})
    assert response.status_code == 302
    for url in (
        reverse("sales:opportunity_detail", args=[deal.pk]),
        reverse("sales:account_detail", args=[deal.account_id]),
        reverse("product:feature_detail", args=[feature.pk]),
    ):
        body = client.get(url).content.decode()
        assert "Commitments" in body
        assert "At risk" in body


def test_refusing_without_a_reason_says_so_under_the_field(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    commitment = CommitmentFactory(opportunity=deal, feature=feature, status="requested", decided_at=None)
    client.force_login(product_manager)
    response = client.post(reverse("commitments:commitment_refuse", args=[commitment.pk]), {"version": 1, "reason": ""})
    assert response.status_code == 422
    assert "Say why you refuse" in response.content.decode()


def test_the_api_asks_and_lists_with_the_state_of_the_day(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    client.force_login(rep)
    response = client.post(
        "/api/commitments", {"opportunity_id": deal.pk, "feature_id": feature.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "requested"
    listed = client.get("/api/commitments", {"state": "requested"}).json()
    assert [item["feature_title"] for item in listed["items"]] == ["SAML single sign-on"]
    assert client.get("/api/commitments", {"state": "delivered"}).json()["items"] == []


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("commitments:commitment_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_commitments_list_costs_the_same_queries_for_1_or_10(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    client.force_login(product_manager)
    CommitmentFactory(opportunity=deal, feature=feature)
    client.get(reverse("commitments:commitment_list"))  # the day's warnings are queued once
    with_one = _list_queries(client)
    for _ in range(9):
        CommitmentFactory(feature=FeatureFactory())
    assert _list_queries(client) == with_one


def test_the_deal_page_costs_the_same_queries_for_1_or_10_commitments(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    client.force_login(rep)
    CommitmentFactory(opportunity=deal, feature=feature)
    url = reverse("sales:opportunity_detail", args=[deal.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(9):
        CommitmentFactory(opportunity=deal, feature=FeatureFactory())
    with CaptureQueriesContext(connection) as ten:
        client.get(url)
    assert len(ten) == len(one)


def test_the_reps_notifications_list_a_commitment_answer(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    commitment = CommitmentFactory(opportunity=deal, feature=feature, status="requested", decided_at=None)
    client.force_login(product_manager)
    client.post(reverse("commitments:commitment_approve", args=[commitment.pk]), {"version": 1})
    client.force_login(rep)
    kinds = [item["kind"] for item in client.get("/api/notifications").json()["items"]]
    assert kinds == ["commitment"]
    assert "Commitment approved" in client.get(reverse("notifications:notification_list")).content.decode()


def test_a_lost_deal_offers_its_open_commitments_for_withdrawal_in_place(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    commitment = CommitmentFactory(opportunity=deal, feature=feature)
    deal.stage = StageFactory(name="Closed lost", is_lost=True)
    deal.save()
    client.force_login(rep)
    deal_page = client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    assert "The deal was lost: withdraw it?" in deal_page
    page = client.get(reverse("commitments:commitment_detail", args=[commitment.pk])).content.decode()
    assert "The deal was lost.</textarea>" in page  # the reason written in

    url = reverse("commitments:commitment_withdraw", args=[commitment.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    refused = client.post(url, {"version": 1, "withdrawal_reason": ""}, **htmx)
    assert refused.status_code == 422
    assert "Say why it is withdrawn" in refused.content.decode()
    assert "<html" not in refused.content.decode()  # the card only, redrawn in place

    done = client.post(url, {"version": 1, "withdrawal_reason": "The deal was lost."}, **htmx)
    assert done.status_code == 200
    body = done.content.decode()
    assert "Withdrawn" in body
    assert "The deal was lost." in body
    assert 'data-testid="commitment-withdraw-form"' not in body  # nothing left to withdraw
    stale = client.post(url, {"version": 1, "withdrawal_reason": "Again."}, **htmx)
    assert stale.status_code == 409  # the version read is gone
    assert "withdraw it?" not in client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    listed = client.get(reverse("commitments:commitment_list"), {"state": "withdrawn"}).content.decode()
    assert "SAML single sign-on" in listed


def test_the_api_withdraws_with_the_version_read(client, rep, product_manager):
    deal, feature = _setup(rep, product_manager)
    commitment = CommitmentFactory(opportunity=deal, feature=feature)
    client.force_login(rep)
    url = f"/api/commitments/{commitment.pk}/withdraw"
    assert client.post(url, {"version": 1, "withdrawal_reason": ""}, content_type="application/json").status_code == 422
    response = client.post(
        url, {"version": 1, "withdrawal_reason": "No longer needed."}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["withdrawal_reason"]) == ("withdrawn", "No longer needed.")
    again = client.post(url, {"version": 1, "withdrawal_reason": "Again."}, content_type="application/json")
    assert again.status_code == 409
